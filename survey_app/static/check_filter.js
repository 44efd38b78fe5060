// A filter box above a list of ticked boxes: typing hides the options that do not match,
// ignoring case and Vietnamese diacritics ("canh hien" finds "Xã Canh Hiển"). Without
// JavaScript the box stays hidden and every option is shown.
(function () {
  "use strict";
  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("input.check-filter").forEach(function (box) {
    var list = document.getElementById(box.dataset.list);
    if (!list) { return; }
    box.hidden = false;
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = wanted !== "" && fold(item.textContent).indexOf(wanted) === -1;
      });
    });
  });
}());
