// The import's confirmation with a progress bar: the form is sent in the background while
// the page asks the server how far the import is (admin.import_progress) and moves the bar;
// when it is done the browser goes to the result page the server sent it to. Without
// JavaScript the form is a plain POST that ends on the same result page.
(function () {
  "use strict";
  var form = document.getElementById("import-confirm");
  if (!form || !window.fetch || !window.FormData) { return; }
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");
  var button = form.querySelector("button[type=submit]");
  var polling = null;

  function show(percent, text) {
    bar.value = percent;
    bar.textContent = percent + "%";
    status.textContent = text;
  }

  function poll() {
    fetch(form.dataset.progress, { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (state) {
        if (state && polling) { show(state.percent, state.text); }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function replacePage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    document.querySelector("main").innerHTML = main ? main.innerHTML : "";
    document.title = page.title;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    box.hidden = false;
    show(0, "Đang bắt đầu nhập…");
    polling = window.setInterval(poll, 700);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (reply) {
        window.clearInterval(polling);
        polling = null;
        if (reply.ok && reply.redirected) {
          show(100, "Đã nhập xong.");
          window.location.assign(reply.url);
          return null;
        }
        return reply.text().then(replacePage);
      })
      .catch(function () {
        window.clearInterval(polling);
        polling = null;
        button.disabled = false;
        show(0, "Mất kết nối với máy chủ. Hãy mở trang kết quả của đợt khảo sát để xem tệp đã được nhập chưa trước khi thử lại.");
      });
  });
}());
