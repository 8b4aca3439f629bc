// Reloads a page that waits for something (a check-in code, a certificate being rendered)
// after the seconds in the script tag's data-seconds. Without JavaScript the page offers a
// "Reload now" link instead; a meta refresh would reload without warning (WCAG 2.2.1).
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = parseInt(script && script.getAttribute("data-seconds"), 10);
  if (seconds > 0) {
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
