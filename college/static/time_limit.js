// Counts down a quiz's time limit in the page's polite live region (#quiz-time-left).
// It speaks once a minute at most, so a screen reader is not interrupted every second, and
// warns once the time left drops under data-warn-seconds. The server enforces the deadline;
// this only tells the learner. The remaining time comes from the server, so the learner's
// clock being wrong does not matter.
(function () {
  "use strict";
  var timer = document.getElementById("quiz-timer");
  var region = document.getElementById("quiz-time-left");
  if (!timer || !region) return;
  var secondsLeft = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var warnSeconds = parseInt(timer.getAttribute("data-warn-seconds"), 10) || 300;
  if (isNaN(secondsLeft)) return;
  var endsAt = performance.now() + secondsLeft * 1000;
  var spoken = "";

  function text(left) {
    var minutes = Math.ceil(left / 60);
    if (left <= 0) return timer.getAttribute("data-over");
    if (left <= warnSeconds) {
      return minutes <= 1 ? timer.getAttribute("data-warning-one")
        : timer.getAttribute("data-warning").replace("{minutes}", minutes);
    }
    return minutes <= 1 ? timer.getAttribute("data-left-one")
      : timer.getAttribute("data-left").replace("{minutes}", minutes);
  }

  function update() {
    var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    var message = text(left);
    if (message !== spoken) {  // only a change is announced
      region.textContent = message;
      spoken = message;
    }
    timer.classList.toggle("quiz-timer-warning", left <= warnSeconds);
    if (left > 0) window.setTimeout(update, 1000);
  }

  update();
})();
