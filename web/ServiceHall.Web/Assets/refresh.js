// Lists marked data-refresh="URL" reload their rows from the node every few seconds without a full page reload,
// so a queue shows cases that arrive by sync. The URL returns the list's inner HTML (the page's address with ?handler=Rows).
(function () {
  "use strict";
  function refresh(el) {
    var url = el.getAttribute("data-refresh");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "refresh" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== el.innerHTML) { el.innerHTML = html; el.dispatchEvent(new Event("refreshed")); }
      })
      .catch(function () { /* the node is restarting or the link is down: try again next time */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      var every = parseInt(el.getAttribute("data-refresh-seconds") || "5", 10) * 1000;
      setInterval(function () { refresh(el); }, every);
    });
    // A select that picks what the form shows (e.g. the item of a new case) reloads the form with the choice kept.
    document.querySelectorAll("select[data-reload]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var form = sel.form;
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "handler"; input.value = "Reload";
        form.appendChild(input);
        form.submit();
      });
    });
  });
})();
