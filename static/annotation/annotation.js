// Shared runtime of the annotation widgets: finds each widget once, parses its data-config and
// data-initial, keeps its hidden JSON answer up to date and routes keyboard shortcuts to it.
// Each widget script calls LoopworkAnnotation.register(name, init). Loaded with defer; safe to
// load more than once on a page (several widgets in one qualification test).
(function () {
  "use strict";
  if (window.LoopworkAnnotation) return;

  var inits = {};
  var widgets = [];
  var active = null;

  function parse(text, fallback) {
    if (!text) return fallback;
    try {
      var value = JSON.parse(text);
      return value && typeof value === "object" ? value : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "range", "hidden"].indexOf(type) === -1;
  }

  function makeApi(root) {
    var hidden = root.querySelector("[data-annot-answer]");
    var errorBox = root.querySelector("[data-annot-error]");
    var api = {
      root: root,
      config: parse(root.getAttribute("data-config"), {}),
      initial: parse(root.getAttribute("data-initial"), null),
      onKey: null,
      setAnswer: function (answer) {
        var text = JSON.stringify(answer);
        if (hidden.value === text) return;
        hidden.value = text;
        hidden.dispatchEvent(new Event("input", { bubbles: true }));
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      },
      say: function (message) {
        if (errorBox) errorBox.textContent = message || "";
      },
      // Inside a disabled fieldset (an answer shown for reference) nothing may change.
      readOnly: function () { return !!root.closest("fieldset:disabled"); },
      part: function (selector) { return root.querySelector(selector); },
      parts: function (selector) {
        return Array.prototype.slice.call(root.querySelectorAll(selector));
      },
    };
    return api;
  }

  // A disabled fieldset also disables the "Show content" checkbox of risky items; there the
  // label itself becomes the control.
  function revealWhenReadOnly(api) {
    var label = api.part(".annot-reveal-label");
    var wrapper = api.part(".annot-risk");
    if (!label || !api.readOnly()) return;
    label.setAttribute("tabindex", "0");
    label.setAttribute("role", "button");
    function toggle(event) {
      event.preventDefault();
      wrapper.classList.toggle("is-revealed");
    }
    label.addEventListener("click", toggle);
    label.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") toggle(event);
    });
  }

  function initAll(scope) {
    var roots = (scope || document).querySelectorAll("[data-annotation-widget]");
    Array.prototype.forEach.call(roots, function (root) {
      var name = root.getAttribute("data-annotation-widget");
      if (root.hasAttribute("data-annot-ready") || !inits[name]) return;
      root.setAttribute("data-annot-ready", "");
      var api = makeApi(root);
      widgets.push(api);
      root.addEventListener("focusin", function () { active = api; });
      root.addEventListener("pointerdown", function () { active = api; });
      revealWhenReadOnly(api);
      inits[name](api);
    });
  }

  function widgetFor(target) {
    for (var i = 0; i < widgets.length; i++) {
      if (widgets[i].root.contains(target)) return widgets[i];
    }
    var body = !target || target === document.body || target === document.documentElement;
    if (!body) return null;
    if (active) return active;
    // Nothing touched yet: the first widget showing on screen.
    for (var j = 0; j < widgets.length; j++) {
      var rect = widgets[j].root.getBoundingClientRect();
      if (rect.bottom > 0 && rect.top < window.innerHeight) return widgets[j];
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    var api = widgetFor(event.target);
    if (!api || !api.onKey || api.readOnly()) return;
    api.onKey(event, isTyping(event.target));
  });

  window.LoopworkAnnotation = {
    register: function (name, init) {
      inits[name] = init;
      if (document.readyState !== "loading") initAll(document);
    },
    initAll: initAll,
    isTyping: isTyping,
    // The digit 0-9 of a key pressed without modifiers (top row or keypad), else -1.
    digit: function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return -1;
      var match = /^([0-9])$/.exec(event.key || "") ||
        /^(?:Digit|Numpad)([0-9])$/.exec(event.code || "");
      return match ? Number(match[1]) : -1;
    },
  };

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
})();
