/* Account forms: after a failed submit, move the focus to the list of errors, so keyboard and
   screen-reader users start from what to fix (each item links to its input). */
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
})();
