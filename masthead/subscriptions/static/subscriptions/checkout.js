// Paying with Stripe.js: the card field is Stripe's, so card numbers go to Stripe, never to us.
//
// Checkout (a form with data-setup-url): Pay asks our server for a SetupIntent (POST, with the
// form's CSRF token), Stripe.js confirms it with the card (3-D Secure when the bank asks), and the
// form is sent with the SetupIntent's id only; the server checks it with Stripe and charges.
// A payment the bank wants confirmed (a form with data-payment-secret: the first payment at
// checkout, or a renewal from the emailed link) is confirmed here with confirmCardPayment, then the
// form is sent so the server reads what the bank said from Stripe and records it.
// Settings come from data- attributes: the Content-Security-Policy allows no inline code.
(function () {
  "use strict";

  // Stripe's error codes in our words; Stripe's own message where it is already plain.
  var WORDS = {
    incomplete_number: "Your card number is incomplete.",
    invalid_number: "Your card number is not valid.",
    incorrect_number: "Your card number is not valid.",
    incomplete_expiry: "Your card's expiry date is incomplete.",
    invalid_expiry_month: "Your card's expiry month is not valid.",
    invalid_expiry_month_past: "Your card's expiry date is in the past.",
    invalid_expiry_year: "Your card's expiry year is in the past or not valid.",
    invalid_expiry_year_past: "Your card's expiry year is in the past.",
    expired_card: "Your card has expired.",
    incomplete_cvc: "Your card's security code is incomplete.",
    invalid_cvc: "Your card's security code is not valid.",
    incorrect_cvc: "Your card's security code is not right.",
    incomplete_zip: "Your postal code is incomplete.",
    card_declined: "Your card was declined.",
    insufficient_funds: "Your card has insufficient funds.",
    processing_error: "Your card could not be checked just now. Please try again.",
    setup_intent_authentication_failure:
      "Your bank did not confirm your card, so nothing was charged. You can try again, or use another card.",
    payment_intent_authentication_failure: "Your bank did not confirm the payment."
  };
  var CHECK_CARD = "Please check your card number, expiry date and security code.";
  var UNREACHABLE = "We could not reach the payment service just now. Please try again in a moment.";
  var TOO_MANY = "You have pressed Pay many times in a short while; please wait a little and try again.";

  function words(error) {
    if (!error) {
      return CHECK_CARD;
    }
    if (error.code && WORDS[error.code]) {
      return WORDS[error.code];
    }
    if (error.decline_code && WORDS[error.decline_code]) {
      return WORDS[error.decline_code];
    }
    // Card and validation errors carry a message written for the cardholder; a bad request does not.
    var plain = error.type === "card_error" || error.type === "validation_error" || !error.type;
    return plain && error.message ? error.message : CHECK_CARD;
  }

  function checkout(form) {
    var stripe = Stripe(form.dataset.stripeKey);
    var card = stripe.elements().create("card");
    card.mount(form.querySelector("[data-card-element]"));
    var errors = form.querySelector("[data-card-errors]");
    var button = form.querySelector("button[type=submit]");
    var ready = false; // the card is set up (or needs no setup): the form may go

    function show(message) {
      errors.textContent = message || "";
      button.disabled = false;
    }

    function send() {
      ready = true;
      form.submit();
    }

    card.on("change", function (event) {
      // Stripe checks the field as the reader types; the stand-in Stripe.js of the tests does not.
      if (event) {
        errors.textContent = event.error ? words(event.error) : "";
      }
    });

    form.addEventListener("submit", function (event) {
      if (ready) {
        return;
      }
      event.preventDefault();
      if (button.disabled) {
        return; // one payment at a time
      }
      button.disabled = true;
      errors.textContent = "";
      fetch(form.dataset.setupUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (response.status === 429) {
            return { error: TOO_MANY };
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (answer) {
          if (answer.redirect) {
            window.location.assign(answer.redirect);
            return;
          }
          if (answer.checkout_token) {
            form.elements.checkout_token.value = answer.checkout_token;
          }
          if (answer.error) {
            show(answer.error);
            return;
          }
          if (answer.submit || !answer.client_secret) {
            send();
            return;
          }
          return stripe
            .confirmCardSetup(answer.client_secret, { payment_method: { card: card } })
            .then(function (result) {
              if (result.error) {
                show(words(result.error));
                return;
              }
              form.elements.setup_intent.value = result.setupIntent.id;
              send();
            });
        })
        .catch(function () {
          show(UNREACHABLE);
        });
    });
  }

  function confirmPayment(form) {
    var stripe = Stripe(form.dataset.stripeKey);
    var button = form.querySelector("button[type=submit]");
    var asking = false;

    function ask() {
      if (asking) {
        return;
      }
      asking = true;
      button.disabled = true;
      // Whatever the bank said, the server reads it from Stripe and records it (or not).
      stripe.confirmCardPayment(form.dataset.paymentSecret).then(send, send);
    }

    function send() {
      form.submit();
    }

    form.addEventListener("submit", function (event) {
      if (!asking) {
        event.preventDefault();
        ask();
      }
    });
    ask();
  }

  if (typeof Stripe === "undefined") {
    return; // Stripe.js did not load: the forms still go, and the server says what is missing
  }
  document.querySelectorAll("form[data-setup-url]").forEach(checkout);
  document.querySelectorAll("form[data-payment-secret]").forEach(confirmPayment);
})();
