// While results are computed (results/preparing.html): ask the server how far the job is
// (results.progress), move the bar, and when it is done go on: to the same address with
// ?job=<id> (the file or the page, now from the cache), or, for approval, send the form
// again. Without JavaScript the page reloads itself or waits for "Tiếp tục".
(function () {
  "use strict";
  var box = document.getElementById("results-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("results-bar");
  var status = document.getElementById("results-status");
  var form = document.getElementById("results-continue");
  var ready = document.getElementById("results-ready");
  var timer = null;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    status.textContent = state.text;
  }

  function goOn() {
    window.clearInterval(timer);
    if (form) { form.submit(); return; }
    if (box.dataset.next) {
      if (ready) { ready.hidden = false; }
      window.location.assign(box.dataset.next);
    }
  }

  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        show(state);
        if (state.state === "done") { goOn(); }
        if (state.state === "failed") {
          window.clearInterval(timer);
          status.className = "flash flash-error";
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  if (box.dataset.state === "failed") { return; }
  timer = window.setInterval(poll, 1000);
  poll();
}());
