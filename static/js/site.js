// Move focus to a form's error summary so that keyboard and screen-reader users hear it first.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// "Use my location" on the board: shown only where the browser can say where it is.
// Without JavaScript the search works as before, by postcode.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  // Browsers refuse a location to pages not served over HTTPS (localhost aside).
  if (!button || !button.form || !window.isSecureContext || !("geolocation" in navigator)) return;
  var form = button.form;
  var status = document.querySelector("[data-locate-status]");
  var asking = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function found(position) {
    // About 100 m is plenty for "near me", and keeps a precise spot out of the address bar.
    form.elements.latitude.value = position.coords.latitude.toFixed(3);
    form.elements.longitude.value = position.coords.longitude.toFixed(3);
    form.elements.postcode.value = "";
    form.elements.sort.value = "nearest";
    form.submit();
  }

  function failed() {
    asking = false;
    say("We couldn't get your location. Enter a postcode instead.");
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    if (asking) return;
    asking = true;
    say("Finding where you are…");
    navigator.geolocation.getCurrentPosition(found, failed, {
      enableHighAccuracy: false,
      timeout: 20000,
      maximumAge: 300000,
    });
  });
})();

// The service worker (/sw.js): an offline page when a page cannot load, and phone
// notifications. Browsers without it, or pages not on HTTPS, simply go without.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  });
})();
