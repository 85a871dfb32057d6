// Regions widget: drag on the image (mouse, pen or touch) to draw a box with the current
// label; keys 1-9 choose the label (and relabel the selected box); click a box to select it;
// Delete/Backspace removes it, Esc deselects. Without a pointer: N adds a box in the middle,
// the arrow keys move the selected box and Shift+arrows resize it.
// Boxes are kept as fractions of the image (x, y of the top-left corner, w, h).
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  var MIN = 0.005;

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }
  function round(value) { return Math.round(value * 10000) / 10000; }

  LA.register("regions", function (api) {
    var stage = api.part("[data-annot-stage]");
    var image = api.part("[data-annot-image]");
    var list = api.part("[data-annot-list]");
    var empty = api.part("[data-annot-empty]");
    var buttons = api.parts("[data-annot-label]");
    var labels = buttons.map(function (b) { return b.getAttribute("data-annot-label"); });
    var colours = {};
    buttons.forEach(function (b) { colours[b.getAttribute("data-annot-label")] = b.getAttribute("data-annot-colour"); });
    var boxes = [];
    var selected = -1;
    var current = labels[0];
    var drag = null;
    var draft = null;

    function sync() {
      api.setAnswer({
        boxes: boxes.map(function (b) {
          return { x: round(b.x), y: round(b.y), w: round(b.w), h: round(b.h), label: b.label };
        }),
      });
    }

    function describe(box) {
      return box.label + " at " + Math.round(box.x * 100) + "%, " + Math.round(box.y * 100) +
        "% (" + Math.round(box.w * 100) + "% × " + Math.round(box.h * 100) + "%)";
    }

    function setCurrent(label) {
      current = label;
      buttons.forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-annot-label") === label ? "true" : "false");
      });
    }

    function place(el, box) {
      el.style.left = box.x * 100 + "%";
      el.style.top = box.y * 100 + "%";
      el.style.width = box.w * 100 + "%";
      el.style.height = box.h * 100 + "%";
    }

    function render(focusSelected) {
      if (!stage) return;
      api.parts(".annot-box").forEach(function (el) { el.remove(); });
      boxes.forEach(function (box, i) {
        var el = document.createElement("button");
        el.type = "button";
        el.className = "annot-box annot-c" + (colours[box.label] || 0) + (i === selected ? " is-selected" : "");
        el.setAttribute("aria-label", "Box " + (i + 1) + ": " + describe(box) +
          (i === selected ? ", selected" : ""));
        el.setAttribute("data-box-index", String(i));
        var tag = document.createElement("span");
        tag.className = "annot-box-tag";
        tag.setAttribute("aria-hidden", "true");
        tag.textContent = (i + 1) + " " + box.label;
        el.appendChild(tag);
        place(el, box);
        el.addEventListener("pointerdown", function (event) { event.stopPropagation(); });
        el.addEventListener("click", function () { select(i, true); });
        stage.appendChild(el);
      });

      list.textContent = "";
      boxes.forEach(function (box, i) {
        var li = document.createElement("li");
        li.className = "annot-c" + (colours[box.label] || 0) + (i === selected ? " is-selected" : "");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "annot-list-pick";
        pick.textContent = (i + 1) + ". " + box.label;
        pick.setAttribute("aria-label", "Select box " + (i + 1) + ": " + describe(box));
        pick.addEventListener("click", function () { select(i, true); });
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "annot-x";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Delete box " + (i + 1) + " (" + box.label + ")");
        remove.addEventListener("click", function () { removeBox(i); });
        li.appendChild(pick);
        li.appendChild(remove);
        list.appendChild(li);
      });
      empty.hidden = boxes.length > 0;
      if (focusSelected && selected >= 0) {
        var el = stage.querySelector("[data-box-index='" + selected + "']");
        if (el) el.focus();
      }
      sync();
    }

    function select(i, focus) {
      selected = i;
      if (i >= 0) setCurrent(boxes[i].label);
      render(focus);
    }

    function removeBox(i) {
      boxes.splice(i, 1);
      selected = boxes.length ? Math.min(i, boxes.length - 1) : -1;
      render(selected >= 0);
      if (selected < 0 && stage) stage.focus();
    }

    function point(event) {
      var rect = image.getBoundingClientRect();
      return {
        x: clamp((event.clientX - rect.left) / rect.width, 0, 1),
        y: clamp((event.clientY - rect.top) / rect.height, 0, 1),
      };
    }

    function fromDrag(a, b) {
      return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
    }

    if (stage && image) {
      stage.setAttribute("tabindex", "0");
      stage.setAttribute("role", "group");
      stage.setAttribute("aria-label", "Image: drag to draw a box, or press N to add one");
      image.addEventListener("error", function () {
        api.say("The image could not be loaded. Reload the page, or return the task if it persists.");
      });
      stage.addEventListener("pointerdown", function (event) {
        if (event.button !== 0 || !image.complete || !image.naturalWidth || api.readOnly()) return;
        event.preventDefault();
        stage.focus();
        drag = { start: point(event), id: event.pointerId };
        stage.setPointerCapture(event.pointerId);
        draft = document.createElement("div");
        draft.className = "annot-box-draft annot-c" + (colours[current] || 0);
        place(draft, { x: drag.start.x, y: drag.start.y, w: 0, h: 0 });
        stage.appendChild(draft);
      });
      stage.addEventListener("pointermove", function (event) {
        if (!drag || event.pointerId !== drag.id) return;
        place(draft, fromDrag(drag.start, point(event)));
      });
      function finish(event, keep) {
        if (!drag || event.pointerId !== drag.id) return;
        var box = fromDrag(drag.start, point(event));
        drag = null;
        if (draft) draft.remove();
        draft = null;
        if (!keep) return;
        if (box.w < MIN || box.h < MIN) {
          if (selected >= 0) select(-1, false);
          return;
        }
        box.label = current;
        boxes.push(box);
        select(boxes.length - 1, false);
        api.say("");
      }
      stage.addEventListener("pointerup", function (event) { finish(event, true); });
      stage.addEventListener("pointercancel", function (event) { finish(event, false); });
    }

    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var label = button.getAttribute("data-annot-label");
        setCurrent(label);
        if (selected >= 0) {
          boxes[selected].label = label;
          render(false);
        }
      });
    });

    function nudge(box, key, resize) {
      var step = 0.01;
      var dx = key === "ArrowRight" ? step : key === "ArrowLeft" ? -step : 0;
      var dy = key === "ArrowDown" ? step : key === "ArrowUp" ? -step : 0;
      if (resize) {
        box.w = clamp(box.w + dx, MIN, 1 - box.x);
        box.h = clamp(box.h + dy, MIN, 1 - box.y);
      } else {
        box.x = clamp(box.x + dx, 0, 1 - box.w);
        box.y = clamp(box.y + dy, 0, 1 - box.h);
      }
    }

    api.onKey = function (event, typing) {
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      var key = event.key;
      var digit = LA.digit(event);
      if (digit >= 1 && digit <= labels.length && !event.shiftKey) {
        event.preventDefault();
        setCurrent(labels[digit - 1]);
        if (selected >= 0) {
          boxes[selected].label = labels[digit - 1];
          render(document.activeElement && document.activeElement.hasAttribute("data-box-index"));
        }
      } else if ((key === "Delete" || key === "Backspace") && selected >= 0) {
        event.preventDefault();
        removeBox(selected);
      } else if (key === "Escape" && selected >= 0) {
        event.preventDefault();
        select(-1, false);
        if (stage) stage.focus();
      } else if ((key === "n" || key === "N") && stage) {
        event.preventDefault();
        boxes.push({ x: 0.4, y: 0.4, w: 0.2, h: 0.2, label: current });
        select(boxes.length - 1, true);
      } else if (/^Arrow/.test(key) && selected >= 0 && stage && stage.contains(event.target)) {
        event.preventDefault();
        nudge(boxes[selected], key, event.shiftKey);
        render(true);
      }
    };

    if (api.initial && Array.isArray(api.initial.boxes)) {
      api.initial.boxes.forEach(function (b) {
        var ok = b && ["x", "y", "w", "h"].every(function (k) { return typeof b[k] === "number" && b[k] >= 0 && b[k] <= 1; }) &&
          b.w > 0 && b.h > 0 && labels.indexOf(b.label) !== -1;
        if (ok) boxes.push({ x: b.x, y: b.y, w: Math.min(b.w, 1 - b.x), h: Math.min(b.h, 1 - b.y), label: b.label });
      });
    }
    setCurrent(current);
    render(false);
  });
})();
