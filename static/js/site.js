// Move focus to a form's error summary so that keyboard and screen-reader users hear it first.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
