// Comparison widget: choose A, B or a tie (keys A, B, T) and give a reason.
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  LA.register("comparison", function (api) {
    var inputs = api.parts("input[data-annot-choice]");
    var reason = api.part("[data-annot-reason]");

    function sync() {
      var answer = {};
      inputs.forEach(function (input) { if (input.checked) answer.choice = input.value; });
      answer.reason = reason ? reason.value : "";
      api.setAnswer(answer);
    }

    if (api.initial) {
      inputs.forEach(function (input) { input.checked = input.value === api.initial.choice; });
      if (reason && typeof api.initial.reason === "string") reason.value = api.initial.reason;
    }
    inputs.forEach(function (input) { input.addEventListener("change", sync); });
    if (reason) reason.addEventListener("input", sync);

    api.onKey = function (event, typing) {
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      var key = (event.key || "").toUpperCase();
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].getAttribute("data-annot-choice") === key) {
          event.preventDefault();
          inputs[i].checked = true;
          inputs[i].focus();
          sync();
          return;
        }
      }
    };
    sync();
  });
})();
