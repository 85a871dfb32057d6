// Rating widget: a scale of radio buttons styled as buttons, plus an optional comment.
// Digit keys choose a point (the value itself on scales within 0-9, else its position);
// the arrow keys move along the scale.
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  LA.register("rating", function (api) {
    var inputs = api.parts("input[type=radio]");
    var comment = api.part("[data-annot-comment]");

    function current() {
      for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) return i;
      return -1;
    }

    function sync() {
      var answer = {};
      var index = current();
      if (index >= 0) answer.rating = Number(inputs[index].value);
      if (comment && comment.value.trim()) answer.comment = comment.value;
      api.setAnswer(answer);
    }

    function choose(index) {
      if (index < 0 || index >= inputs.length) return;
      inputs[index].checked = true;
      inputs[index].focus();
      sync();
    }

    if (api.initial && typeof api.initial.rating === "number") {
      inputs.forEach(function (input) {
        input.checked = Number(input.value) === api.initial.rating;
      });
    }
    if (api.initial && typeof api.initial.comment === "string" && comment) {
      comment.value = api.initial.comment;
    }
    inputs.forEach(function (input) { input.addEventListener("change", sync); });
    if (comment) comment.addEventListener("input", sync);

    api.onKey = function (event, typing) {
      if (typing) return;
      var digit = LA.digit(event);
      if (digit >= 0) {
        for (var i = 0; i < inputs.length; i++) {
          if (inputs[i].getAttribute("data-annot-key") === String(digit)) {
            event.preventDefault();
            choose(i);
            return;
          }
        }
        return;
      }
      // Radios already move with the arrows when focused; elsewhere in the widget we do it.
      if (event.target.type === "radio") return;
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        var index = current();
        var step = event.key === "ArrowRight" ? 1 : -1;
        choose(index < 0 ? (step > 0 ? 0 : inputs.length - 1) : index + step);
      }
    };
    sync();
  });
})();
