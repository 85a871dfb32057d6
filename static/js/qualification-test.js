// The attempt page: a countdown from the server's deadline and autosave of each answer.
// Without this script the page still works: "Save answers" and "Submit the test" post the form.
(function () {
  "use strict";
  var root = document.querySelector("[data-attempt]");
  if (!root) return;
  var form = root.querySelector("[data-attempt-form]");
  var url = root.getAttribute("data-autosave-url");
  var deadline = Date.parse(root.getAttribute("data-deadline"));
  var globalStatus = root.querySelector("[data-global-status]");
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timers = {};
  var finished = false;

  function setStatus(fieldset, text, isError) {
    var status = fieldset.querySelector("[data-save-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", !!isError);
  }

  function valueOf(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    if (kind === "single_choice" || kind === "multiple_choice") {
      return Array.prototype.map.call(
        fieldset.querySelectorAll("input:checked"), function (input) { return input.value; });
    }
    if (kind === "sample_task") {
      // The annotation widget keeps its answer as JSON in a hidden input named after the field.
      var holder = fieldset.querySelector("[data-sample-task]");
      var hidden = holder && form.querySelector("input[name='" + holder.getAttribute("data-field") + "']");
      if (!hidden || !hidden.value) return {};
      try { return JSON.parse(hidden.value); } catch (error) { return {}; }
    }
    var input = fieldset.querySelector("input[type=text]");
    return input ? input.value : "";
  }

  function save(fieldset) {
    if (finished) return;
    var question = parseInt(fieldset.getAttribute("data-question"), 10);
    setStatus(fieldset, "Saving…");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenInput.value },
      body: JSON.stringify({ question: question, value: valueOf(fieldset) })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        setStatus(fieldset, "Saved");
      } else {
        var error = (result.body && result.body.error) || {};
        setStatus(fieldset, error.message || "Not saved.", true);
        if (error.code === "deadline_passed" || error.code === "attempt_ended") finish();
      }
    }).catch(function () {
      setStatus(fieldset, "Not saved: you seem to be offline. Use “Save answers” when you are back.", true);
    });
  }

  // A sample task's widget announces each new answer with input and change events on its
  // hidden input; its own controls' events come before that update, so only the hidden one counts.
  function isSampleTask(fieldset) { return fieldset.getAttribute("data-kind") === "sample_task"; }
  function isWidgetAnswer(fieldset, target) {
    var holder = fieldset.querySelector("[data-sample-task]");
    return !!holder && target.name === holder.getAttribute("data-field");
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("[data-question]");
    if (fieldset && !isSampleTask(fieldset)) save(fieldset);
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("[data-question]");
    if (!fieldset) return;
    if (isSampleTask(fieldset) ? !isWidgetAnswer(fieldset, event.target) : event.target.type !== "text") return;
    var key = fieldset.getAttribute("data-question");
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { save(fieldset); }, 800);
  });

  // Submitting or saving the whole form: no autosave races it.
  form.addEventListener("submit", function () { finished = true; });

  function finish() {
    if (finished) return;
    finished = true;
    if (globalStatus) globalStatus.textContent = "Time is up. Submitting…";
    var submit = form.querySelector("[data-submit]");
    if (form.requestSubmit && submit) form.requestSubmit(submit);
    else if (submit) submit.click();
  }

  var countdown = root.querySelector("[data-countdown]");
  var countdownText = root.querySelector("[data-countdown-text]");
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var seconds = left % 60;
    countdownText.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
    countdown.classList.toggle("is-urgent", left <= 60);
    if (left === 0) { finish(); return; }
    setTimeout(tick, 1000 - (Date.now() % 1000));
  }
  if (countdown && !isNaN(deadline)) {
    countdown.hidden = false;
    tick();
  }
})();
