// Kiosk tablets: after the thank-you page, go back to a blank form for the next person.
// Optional: without it the page still offers the "Người tiếp theo" button.
(function () {
  "use strict";
  var next = document.getElementById("next");
  var countdown = document.getElementById("countdown");
  if (!next) {
    return;
  }
  var seconds = parseInt(next.getAttribute("data-seconds"), 10) || 8;
  if (countdown) {
    countdown.hidden = false;
  }
  window.setTimeout(function () {
    window.location.replace(next.href);
  }, seconds * 1000);
})();
