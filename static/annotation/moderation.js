// Moderation widget: policy checkboxes (keys 1-9), severity radios (Shift+1-9, only while a
// policy is checked), escalate checkbox (E) and a note.
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  LA.register("moderation", function (api) {
    var policies = api.parts("input[data-annot-policy]");
    var severityBox = api.part("[data-annot-severity]");
    var severities = api.parts("[data-annot-severity] input[type=radio]");
    var escalate = api.part("[data-annot-escalate]");
    var note = api.part("[data-annot-note]");

    function sync() {
      var labels = policies.filter(function (p) { return p.checked; })
        .map(function (p) { return p.value; });
      var severity = "";
      if (severityBox) {
        // A severity only means something when a policy is broken.
        severityBox.disabled = labels.length === 0;
        severities.forEach(function (radio) {
          if (labels.length === 0) radio.checked = false;
          if (radio.checked) severity = radio.value;
        });
      }
      api.setAnswer({
        labels: labels,
        severity: severity,
        escalate: !!(escalate && escalate.checked),
        note: note ? note.value : "",
      });
    }

    var initial = api.initial;
    if (initial) {
      var chosen = Array.isArray(initial.labels) ? initial.labels : [];
      policies.forEach(function (p) { p.checked = chosen.indexOf(p.value) !== -1; });
      severities.forEach(function (r) { r.checked = r.value === initial.severity; });
      if (escalate) escalate.checked = initial.escalate === true;
      if (note && typeof initial.note === "string") note.value = initial.note;
    }
    policies.concat(severities).forEach(function (input) {
      input.addEventListener("change", sync);
    });
    if (escalate) escalate.addEventListener("change", sync);
    if (note) note.addEventListener("input", sync);

    api.onKey = function (event, typing) {
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      var digit = LA.digit(event);
      var target = null;
      if (digit > 0 && event.shiftKey) {
        target = severityBox && !severityBox.disabled ? severities[digit - 1] : null;
        if (target) target.checked = true;
      } else if (digit > 0) {
        target = policies[digit - 1];
        if (target) target.checked = !target.checked;
      } else if ((event.key || "").toLowerCase() === "e" && escalate && !event.shiftKey) {
        target = escalate;
        target.checked = !target.checked;
      }
      if (!target) return;
      event.preventDefault();
      target.focus();
      sync();
    };
    sync();
  });
})();
