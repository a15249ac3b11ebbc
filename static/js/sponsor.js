// Sponsoring: Stripe's card element on the pay page, and a quiet check on the receipt
// page until Stripe's webhook has said the payment went through.
//
// The card is typed into Stripe.js and confirmed with Stripe from the browser
// (confirmCardPayment, which also asks the bank for 3-D Secure when the card needs it).
// The money is recorded only from the webhook, never from here: this file just lets the
// sponsor pay and then shows them the receipt page, which fills in when the webhook lands.
(function () {
  "use strict";

  function pay(box) {
    var form = box.querySelector("form");
    var button = box.querySelector("[data-pay-button]");
    var message = box.querySelector("[data-pay-message]");
    var secret = box.getAttribute("data-client-secret");
    var receipt = box.getAttribute("data-receipt-url");
    if (typeof window.Stripe !== "function") {
      message.textContent = "The card form could not load. Check your connection and reload this page.";
      return;
    }
    var stripe = window.Stripe(box.getAttribute("data-publishable-key"));
    var card = stripe.elements().create("card");
    card.mount(box.querySelector("[data-card-element]"));
    card.on("change", function (event) {
      message.textContent = event && event.error ? event.error.message : "";
    });
    button.disabled = false;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.textContent = "";
      stripe.confirmCardPayment(secret, { payment_method: { card: card } })
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
