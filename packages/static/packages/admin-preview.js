// Before an upload form of the "Paquetes" admin sends a zip, ask the server what it would do
// (packages.admin_views.package_preview). A new version of a package imported before is shown
// to the author first, with what it changes, and imported only once she confirms; a refused
// zip's problems are shown at once; a new package is imported straight away. Without this
// script the form posts directly and the result page says the same things afterwards.
(function () {
  "use strict";
  for (const form of document.querySelectorAll("form[data-package-preview-url]")) {
    const box = document.getElementById(form.dataset.packagePreviewBox);
    const submit = form.querySelector("button[type=submit]");
    const file = form.querySelector("input[type=file]");
    let confirmed = false;

    const send = () => {
      confirmed = true;
      form.requestSubmit(submit);
    };
    const reset = () => {
      box.hidden = true;
      box.replaceChildren();
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    };

    file.addEventListener("change", reset);
    box.addEventListener("click", (event) => {
      const action = event.target.closest("[data-package-preview]");
      if (!action) return;
      if (action.dataset.packagePreview === "confirm") {
        action.disabled = true;
        send();
      } else {
        reset();
        file.value = "";
        file.focus();
      }
    });

    form.addEventListener("submit", async (event) => {
      if (confirmed || !file.files.length) return; // the server answers an empty form
      event.preventDefault();
      submit.disabled = true;
      submit.setAttribute("aria-busy", "true");
      let data = null;
      try {
        const response = await fetch(form.dataset.packagePreviewUrl, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        data = await response.json();
      } catch (error) {
        data = null; // the preview failed: let the import itself answer
      }
      if (!data || (!data.updates && !data.refused)) {
        send();
        return;
      }
      box.innerHTML = data.html;
      box.hidden = false;
      submit.removeAttribute("aria-busy");
      submit.disabled = Boolean(data.updates); // choose in the box
      if (data.refused) submit.disabled = false;
      const heading = box.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    });
  }
})();
