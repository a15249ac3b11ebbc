// Sponsoring: Stripe's Payment Element on the pay page, and a quiet check on the receipt
// page until Stripe's webhook has said the payment went through.
//
// The money is recorded only from the webhook, never from here: this file just lets the
// sponsor pay and then shows them the receipt page, which fills in when the webhook lands.
(function () {
  "use strict";

  function pay(box) {
    var form = box.querySelector("form");
    var button = box.querySelector("[data-pay-button]");
    var message = box.querySelector("[data-pay-message]");
    var secret = box.getAttribute("data-client-secret");
    var receipt = box.getAttribute("data-return-url");
    if (typeof window.Stripe !== "function") {
      message.textContent = "The card form could not load. Check your connection and reload this page.";
      return;
    }
    var stripe = window.Stripe(box.getAttribute("data-publishable-key"));
    var elements = stripe.elements({ clientSecret: secret });
    var element = elements.create("payment");
    element.mount(box.querySelector("[data-payment-element]"));
    button.disabled = false;

    function confirm() {
      if (stripe.confirmPayment) {
        // Stripe redirects to the receipt itself when the card needs a bank's check.
        return stripe.confirmPayment({
          elements: elements,
          confirmParams: { return_url: receipt },
          redirect: "if_required",
        });
      }
      // localstripe's stand-in for Stripe.js (the tests) has only the card-element call.
      return stripe.confirmCardPayment(secret, { payment_method: { card: element } });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.textContent = "";
      confirm()
        .then(function (result) {
          if (result && result.error) {
            message.textContent = result.error.message || "The payment did not go through. Please try again.";
            button.disabled = false;
            return;
          }
          location.href = receipt;
        })
        .catch(function () {
          message.textContent = "The payment could not be sent. Check your connection and try again.";
          button.disabled = false;
        });
    });
  }

  function poll(box) {
    var url = box.getAttribute("data-sponsor-status");
    var EVERY = 2000;
    var MOST = 30000;
    var wait = EVERY;
    function later() { setTimeout(check, wait); }
    function check() {
      if (!window.fetch) return;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (data && data.status && data.status !== "pending") {
            location.reload();
            return;
          }
          later();
        })
        .catch(function () {
          // Offline or logged out: the page keeps what it shows, and tries again later.
          wait = Math.min(wait * 2, MOST);
          later();
        });
    }
    later();
  }

  var payBox = document.querySelector("[data-sponsor-pay]");
  if (payBox) pay(payBox);
  var statusBox = document.querySelector("[data-sponsor-status]");
  if (statusBox) poll(statusBox);
})();
