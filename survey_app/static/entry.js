/* Paper entry: move to the next field after one digit; digits pick a profile option.
   The page works without this file (Tab moves between fields, Enter saves). */
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("entry-form");
    if (!form) { return; }
    var fields = Array.prototype.slice.call(
      form.querySelectorAll("input.serial, input.digit, select.profile, input[name=comment]"));
    function next(field) {
      var index = fields.indexOf(field);
      if (index >= 0 && index + 1 < fields.length) {
        fields[index + 1].focus();
        if (fields[index + 1].select) { fields[index + 1].select(); }
      }
    }
    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.classList.contains("digit") && /^[0-5]$/.test(field.value)) {
        next(field);
      } else if (field.classList.contains("serial") &&
                 field.value.replace(/[\s.\-]/g, "").length === 8) {
        next(field);
      }
    });
    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (field.tagName !== "SELECT" || !/^[0-9]$/.test(event.key)) { return; }
      var wanted = Number(event.key);
      if (wanted < field.options.length) {
        event.preventDefault();
        field.selectedIndex = wanted;
        next(field);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
