// The card form of a top-up: Stripe's Payment Element, confirmed in the browser.
// Stripe.js (https://js.stripe.com/v3, allowed on this page only) collects the card, so card
// details never touch our servers; the balance is credited by Stripe's verified webhook.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof window.Stripe !== "function") {
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var payment = elements.create("payment");
  var button = document.getElementById("payment-submit");
  var message = document.getElementById("payment-message");
  var container = document.getElementById("payment-element");

  container.textContent = "";
  payment.mount(container);
  payment.on("ready", function () {
    button.disabled = false;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached on an error: success redirects to the receipt (return_url).
        if (result.error) {
          message.textContent = result.error.message || "The payment could not be completed.";
          message.hidden = false;
          button.disabled = false;
        }
      });
  });
})();
