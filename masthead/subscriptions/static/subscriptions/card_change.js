// Changing the card with Stripe.js: the card goes from Stripe's field straight to Stripe, which
// confirms the page's SetupIntent (with 3-D Secure when the bank asks); only its id comes back to
// us, and the server checks with Stripe that it succeeded for this reader before keeping the card.
// The Stripe key and the SetupIntent's secret are in the form's data- attributes: no inline code.
(function () {
  "use strict";
  var form = document.querySelector("form[data-client-secret]");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.stripeKey);
  var card = stripe.elements().create("card");
  card.mount(form.querySelector("[data-card-element]"));
  var errors = form.querySelector("[data-card-errors]");
  var button = form.querySelector("button[type=submit]");
  var confirmed = false;

  function showError(message) {
    errors.textContent = message + " Your card was not changed.";
    errors.hidden = false;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    if (confirmed) {
      return;
    }
    event.preventDefault();
    button.disabled = true; // one confirmation at a time
    errors.hidden = true;
    stripe
      .confirmCardSetup(form.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          showError(result.error.message || "Your card could not be confirmed.");
          return;
        }
        form.elements.setup_intent.value = result.setupIntent.id;
        confirmed = true;
        form.submit();
      }, function () {
        showError("We could not reach the payment service.");
      });
  });
})();
