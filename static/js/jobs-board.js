// Job board progressive enhancement: the page works without this file.
// With it, changing the sort order applies at once (the "Sort" button is hidden),
// empty filters stay out of the URL, and on small screens the filters start folded
// unless they show an error.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function enhance() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (!form) {
          return;
        }
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });
    // Leave empty filters out of the URL so shared links stay short.
    document.querySelectorAll("form#job-filters").forEach(function (form) {
      form.addEventListener("formdata", function (event) {
        var empty = [];
        event.formData.forEach(function (value, key) {
          if (value === "") {
            empty.push(key);
          }
        });
        empty.forEach(function (key) {
          event.formData.delete(key);
        });
      });
    });
    var small = window.matchMedia("(max-width: 860px)");
    if (small.matches) {
      document.querySelectorAll("details[data-collapse-on-small]").forEach(function (details) {
        details.open = false;
      });
    }
    // On wide screens the filters are a sidebar that stays open.
    document.querySelectorAll(".filters-panel > summary").forEach(function (summary) {
      summary.addEventListener("click", function (event) {
        if (!small.matches) {
          event.preventDefault();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
