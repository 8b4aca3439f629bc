// Warns a few minutes before the login ends (idle or absolute timeout), so what is being typed
// is not lost; "Stay logged in" counts as activity. The server decides when the session ends;
// without JavaScript the warning stays hidden and a form sent too late is kept (kept_forms).
(function () {
  "use strict";
  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") : null;
  }
  var box = document.getElementById("session-warning");
  if (!box) return;
  var secondsLeft = parseInt(meta("session-seconds-left"), 10);
  var warnSeconds = parseInt(meta("session-warn-seconds"), 10) || 300;
  if (isNaN(secondsLeft)) return;
  var timer = null;

  function schedule(seconds) {
    window.clearTimeout(timer);
    box.hidden = true;
    timer = window.setTimeout(function () { box.hidden = false; },
                              Math.max(0, seconds - warnSeconds) * 1000);
  }

  box.querySelector("button").addEventListener("click", function () {
    fetch(meta("session-keep-alive"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": meta("csrf-token"), "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (answer) {
      schedule(answer.seconds_left);
    }).catch(function () {
      box.hidden = false;  // could not reach the College: keep warning
    });
  });

  schedule(secondsLeft);
})();
