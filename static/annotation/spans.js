// Spans widget: select part of the text with the mouse (or the keyboard with caret browsing,
// F7), then press a label's number or click the label to mark it. Marked spans are highlighted
// with their label; a focused span is removed with Backspace/Delete or relabelled with a
// number; the list below has a remove button for each.
// Offsets are counted in Unicode code points of the plain text, end exclusive, as the server
// counts them (an emoji is one character, although JavaScript strings count it as two).
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;

  function codePointIndex(text) {
    // unitToPoint[i] = code points before UTF-16 index i; pointToUnit the other way round.
    var unitToPoint = [0];
    var pointToUnit = [0];
    var points = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      var high = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
      if (high) {
        unitToPoint.push(points);
        i++;
      }
      points++;
      unitToPoint.push(points);
      pointToUnit.push(i + 1);
    }
    return { unitToPoint: unitToPoint, pointToUnit: pointToUnit, length: points };
  }

  LA.register("spans", function (api) {
    var textEl = api.part("[data-annot-text]");
    var list = api.part("[data-annot-list]");
    var empty = api.part("[data-annot-empty]");
    var buttons = api.parts("[data-annot-label]");
    if (!textEl) return;
    var text = textEl.textContent;
    var index = codePointIndex(text);
    var labels = buttons.map(function (b) { return b.getAttribute("data-annot-label"); });
    var colours = {};
    buttons.forEach(function (b) { colours[b.getAttribute("data-annot-label")] = b.getAttribute("data-annot-colour"); });
    var spans = [];
    var remembered = null;

    function slice(span) {
      return text.slice(index.pointToUnit[span.start], index.pointToUnit[span.end]);
    }

    function short(value) {
      value = value.replace(/\s+/g, " ").trim();
      return value.length > 60 ? value.slice(0, 59) + "…" : value;
    }

    function sync() {
      api.setAnswer({
        spans: spans.map(function (s) { return { start: s.start, end: s.end, label: s.label }; }),
      });
    }

    function render(focusIndex) {
      spans.sort(function (a, b) { return a.start - b.start; });
      textEl.textContent = "";
      var cursor = 0;
      spans.forEach(function (span, i) {
        var from = index.pointToUnit[span.start];
        var to = index.pointToUnit[span.end];
        if (from > cursor) textEl.appendChild(document.createTextNode(text.slice(cursor, from)));
        var mark = document.createElement("mark");
        mark.className = "annot-span annot-c" + (colours[span.label] || 0);
        mark.setAttribute("tabindex", "0");
        mark.setAttribute("data-span-index", String(i));
        mark.setAttribute("data-label", span.label);
        mark.setAttribute("aria-label", span.label + ": " + short(slice(span)) +
          ". Backspace removes it; a number changes its label.");
        mark.textContent = text.slice(from, to);
        textEl.appendChild(mark);
        cursor = to;
      });
      if (cursor < text.length) textEl.appendChild(document.createTextNode(text.slice(cursor)));

      list.textContent = "";
      spans.forEach(function (span, i) {
        var li = document.createElement("li");
        li.className = "annot-c" + (colours[span.label] || 0);
        var body = document.createElement("span");
        body.className = "annot-list-text";
        var strong = document.createElement("strong");
        strong.textContent = span.label;
        body.appendChild(strong);
        body.appendChild(document.createTextNode(" — “" + short(slice(span)) + "”"));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "annot-x";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove " + span.label + " span “" + short(slice(span)) + "”");
        remove.addEventListener("click", function () { removeSpan(i); });
        li.appendChild(body);
        li.appendChild(remove);
        list.appendChild(li);
      });
      empty.hidden = spans.length > 0;
      if (typeof focusIndex === "number") {
        var target = textEl.querySelector("[data-span-index='" + focusIndex + "']") || textEl;
        target.focus();
      }
      sync();
    }

    function removeSpan(i) {
      spans.splice(i, 1);
      api.say("");
      render(spans.length ? Math.min(i, spans.length - 1) : undefined);
      if (!spans.length) textEl.focus();
    }

    // The current selection inside the text as code point offsets, trimmed of spaces.
    function selectionOffsets() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
      var range = selection.getRangeAt(0);
      if (!textEl.contains(range.startContainer) || !textEl.contains(range.endContainer)) return null;
      var before = document.createRange();
      before.setStart(textEl, 0);
      before.setEnd(range.startContainer, range.startOffset);
      var from = before.toString().length;
      var to = from + range.toString().length;
      while (from < to && /\s/.test(text.charAt(from))) from++;
      while (to > from && /\s/.test(text.charAt(to - 1))) to--;
      if (to <= from) return null;
      return { start: index.unitToPoint[from], end: index.unitToPoint[to] };
    }

    function addSpan(label, fromButton) {
      var offsets = selectionOffsets() || (fromButton ? remembered : null);
      if (!offsets) {
        api.say("First select some words in the text, then choose the label.");
        return;
      }
      for (var i = 0; i < spans.length; i++) {
        if (offsets.start < spans[i].end && spans[i].start < offsets.end) {
          api.say("That overlaps a span already marked. Remove it first.");
          return;
        }
      }
      var span = { start: offsets.start, end: offsets.end, label: label };
      spans.push(span);
      remembered = null;
      var selection = window.getSelection();
      if (selection) selection.removeAllRanges();
      api.say("");
      render();
      textEl.focus();
    }

    // Tapping a label button on a phone may clear the selection first: remember the last one.
    document.addEventListener("selectionchange", function () {
      var offsets = selectionOffsets();
      if (offsets) remembered = offsets;
    });
    buttons.forEach(function (button) {
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        addSpan(button.getAttribute("data-annot-label"), true);
      });
    });
    // A new press in the text starts a new selection: forget the one remembered for buttons.
    textEl.addEventListener("pointerdown", function () { remembered = null; });
    textEl.setAttribute("tabindex", "0");

    api.onKey = function (event, typing) {
      if (typing) return;
      var focused = event.target && event.target.getAttribute && event.target.getAttribute("data-span-index");
      if (focused !== null && focused !== undefined && (event.key === "Backspace" || event.key === "Delete")) {
        event.preventDefault();
        removeSpan(Number(focused));
        return;
      }
      var digit = LA.digit(event);
      if (digit < 1 || digit > labels.length || event.shiftKey) return;
      event.preventDefault();
      if (focused !== null && focused !== undefined && !selectionOffsets()) {
        spans[Number(focused)].label = labels[digit - 1];
        render(Number(focused));
        return;
      }
      addSpan(labels[digit - 1], false);
    };

    if (api.initial && Array.isArray(api.initial.spans)) {
      api.initial.spans.forEach(function (s) {
        var ok = s && typeof s.start === "number" && typeof s.end === "number" &&
          s.start >= 0 && s.end <= index.length && s.start < s.end && labels.indexOf(s.label) !== -1;
        var clash = ok && spans.some(function (t) { return s.start < t.end && t.start < s.end; });
        if (ok && !clash) spans.push({ start: s.start, end: s.end, label: s.label });
      });
    }
    render();
  });
})();
