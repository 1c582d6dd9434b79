// Follows a background job (a signal run, an import job): polls the page's JSON progress address and
// updates the [data-field] elements in place; reloads the page once when the job has ended (to show its
// result). No library, nothing external.
(function () {
  "use strict";
  var card = document.querySelector("[data-progress-url][data-running]");
  if (!card) { return; }
  var url = card.getAttribute("data-progress-url");
  var bar = card.querySelector("progress");
  function show(progress) {
    card.querySelectorAll("[data-field]").forEach(function (element) {
      var name = element.getAttribute("data-field");
      if (Object.prototype.hasOwnProperty.call(progress, name)) { element.textContent = String(progress[name]); }
    });
    if (bar) { bar.value = progress.percent; bar.textContent = progress.percent + "%"; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (progress) {
        show(progress);
        if (progress.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
