/* The import page of a package (packages/admin/import.html): while a worker imports the zip,
   ask for its status every few seconds, show it, and reload once it is done so the server
   renders the result or the problems. A failed request is retried on the next tick. */
(function () {
  "use strict";
  const box = document.getElementById("package-import");
  if (!box || box.dataset.finished === "1") return;
  const label = box.querySelector("[data-import-status]");
  let delay = 1000;
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin",
        headers: {Accept: "application/json"},
      });
      if (response.ok) {
        const data = await response.json();
        if (label && label.textContent !== data.status_display) label.textContent = data.status_display;
        if (data.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      /* retried on the next tick */
    }
    delay = Math.min(delay * 1.5, 5000);
    window.setTimeout(poll, delay);
  }
  window.setTimeout(poll, delay);
})();
