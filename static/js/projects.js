// Company project pages: example label schema per interface, confirmation of state changes,
// and a live progress panel. Everything works without it; this only adds convenience.
(function () {
  "use strict";

  function setUpSchemaExamples() {
    var data = document.getElementById("interface-examples");
    var select = document.getElementById("id_interface");
    var schema = document.getElementById("id_label_schema");
    if (!data || !select || !schema || select.disabled) return;
    var examples = JSON.parse(data.textContent);
    var shown = select.value;
    select.addEventListener("change", function () {
      var previous = examples[shown] ? JSON.stringify(examples[shown], null, 2) : "";
      // Replace the schema only while it is still the previous example (or empty):
      // never overwrite what the company wrote.
      if (!schema.value.trim() || schema.value.trim() === previous.trim()) {
        schema.value = examples[select.value] ? JSON.stringify(examples[select.value], null, 2) : "";
      }
      shown = select.value;
    });
  }

  function setUpConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function setUpLiveProgress() {
    var panel = document.getElementById("project-progress");
    var url = panel && panel.getAttribute("data-refresh-url");
    if (!url) return;
    window.setInterval(function () {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) panel.innerHTML = html; })
        .catch(function () { /* keep the last figures on a network hiccup */ });
    }, 15000);
  }

  setUpSchemaExamples();
  setUpConfirmations();
  setUpLiveProgress();
})();
