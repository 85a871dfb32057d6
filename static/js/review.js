// The review pages. On one submission, a link to #reject or #revision opens that form.
// On the list: select every decidable row at once and show how many are selected.
// Without this script each row's checkbox still works and the bulk form still posts.
(function () {
  "use strict";

  var openTarget = function () {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      var summary = target.querySelector("summary");
      if (summary) summary.focus();
    }
  };
  openTarget();
  window.addEventListener("hashchange", openTarget);

  var form = document.querySelector("[data-bulk-form]");
  var selectAll = document.querySelector("[data-select-all]");
  if (!form || !selectAll) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-row-select]"));
  var count = form.querySelector("[data-selected-count]");

  var refresh = function () {
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    count.textContent = checked ? checked + " selected" : "Select submissions below";
    selectAll.checked = boxes.length > 0 && checked === boxes.length;
    selectAll.indeterminate = checked > 0 && checked < boxes.length;
  };

  selectAll.hidden = boxes.length === 0;
  selectAll.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = selectAll.checked; });
    refresh();
  });
  boxes.forEach(function (box) { box.addEventListener("change", refresh); });

  // One click, one decision: a second click while the page loads would only report conflicts.
  form.addEventListener("submit", function (event) {
    var checked = boxes.some(function (box) { return box.checked; });
    if (!checked) {
      event.preventDefault();
      count.textContent = "Select at least one submission first";
      return;
    }
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = false;
    });
    refresh();
  });
  refresh();
})();
