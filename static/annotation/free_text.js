// Free-text widget: a textarea with a live character count against the minimum and maximum.
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  LA.register("free_text", function (api) {
    var area = api.part("[data-annot-textarea]");
    var counter = api.part("[data-annot-count]");
    var low = Math.max(1, Number(api.config.min_length) || 1);
    var high = Number(api.config.max_length) || 2000;

    // Counted as the server counts: Unicode characters, trimmed, one kind of newline.
    function length(text) {
      return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
    }

    function sync() {
      var count = length(area.value);
      var message = count + " / " + high + " characters";
      var bad = false;
      if (count < low) {
        message += " (at least " + low + ")";
        bad = count > 0;
      } else if (count > high) {
        message += " (" + (count - high) + " too many)";
        bad = true;
      }
      counter.textContent = message;
      counter.classList.toggle("is-bad", bad);
      api.setAnswer({ text: area.value });
    }

    if (!area) return;
    if (api.initial && typeof api.initial.text === "string") area.value = api.initial.text;
    // The server counts the trimmed text, so let the box hold a little more than the maximum.
    area.removeAttribute("maxlength");
    area.addEventListener("input", sync);
    sync();
  });
})();
