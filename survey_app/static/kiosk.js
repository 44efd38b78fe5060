// Kiosk tablets: after the thank-you page, count down the seconds shown on the page and go
// back to a blank form for the next person. Optional: without JavaScript a <noscript>
// refresh does the same, and the page always offers the "Người tiếp theo" button.
(function () {
  "use strict";
  var next = document.getElementById("next");
  var shown = document.getElementById("seconds");
  if (!next) {
    return;
  }
  var left = parseInt(next.getAttribute("data-seconds"), 10) || 8;
  var timer = window.setInterval(function () {
    left -= 1;
    if (left <= 0) {
      window.clearInterval(timer);
      window.location.replace(next.href);
    } else if (shown) {
      shown.textContent = String(left);
    }
  }, 1000);
})();
