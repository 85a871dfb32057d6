// Classification widget: radio buttons (or checkboxes when several labels are allowed);
// keys 1-9 choose (or toggle) the label with that number.
(function () {
  "use strict";
  window.LoopworkAnnotation.register("classification", function (api) {
    var inputs = api.parts("input[data-annot-key]");
    var multiple = !!api.config.multiple;

    function sync() {
      var chosen = inputs.filter(function (input) { return input.checked; })
        .map(function (input) { return input.value; });
      if (multiple) api.setAnswer({ labels: chosen });
      else api.setAnswer(chosen.length ? { label: chosen[0] } : {});
    }

    if (api.initial) {
      var wanted = multiple ? api.initial.labels || [] : [api.initial.label];
      inputs.forEach(function (input) { input.checked = wanted.indexOf(input.value) !== -1; });
    }
    inputs.forEach(function (input) { input.addEventListener("change", sync); });
    api.onKey = function (event, typing) {
      if (typing) return;
      var index = window.LoopworkAnnotation.digit(event) - 1;
      if (index < 0 || index >= inputs.length) return;
      event.preventDefault();
      var input = inputs[index];
      input.checked = multiple ? !input.checked : true;
      input.focus();
      sync();
    };
    sync();
  });
})();
