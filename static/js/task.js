// The task page: the lease countdown and double-submit protection.
// Without this script the page still works: the forms post and the server decides.
(function () {
  "use strict";

  var clock = document.querySelector("[data-lease]");
  if (clock) {
    var left = clock.querySelector("[data-lease-left]");
    var expiredNote = document.querySelector("[data-lease-expired]");
    // Count from the server's figure, not the browser's clock, which may be wrong.
    var deadline = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds-left"), 10);
    var tick = function () {
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      left.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
      clock.classList.toggle("is-urgent", seconds <= 60);
      if (seconds === 0) {
        left.textContent = "time is up";
        if (expiredNote) expiredNote.hidden = false;
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  // One click, one submission: disable the button once the form really goes.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-task-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("[data-submit]");
      window.setTimeout(function () {
        if (event.defaultPrevented || !button) return;
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }, 0);
    });
  });

  // Coming back with the browser's Back button restores the page as it was: re-enable.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-submit]"), function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
