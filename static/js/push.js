// "Turn on notifications on this phone" on the notification centre. Offered only where
// the browser can take web push and the site has a key; everywhere else notifications
// still arrive in the page and by email.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var key = box.getAttribute("data-vapid-key");
  if (!key) return;
  var on = box.querySelector("[data-push-on]");
  var off = box.querySelector("[data-push-off]");
  var status = box.querySelector("[data-push-status]");

  function say(text) {
    status.textContent = text;
  }

  function csrfToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("server");
    });
  }

  // The key arrives base64url-encoded; the browser wants its bytes.
  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
  }

  function turnOn(registration) {
    on.disabled = true;
    say("Asking your browser…");
    Promise.resolve(Notification.requestPermission())
      .then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      })
      .then(function (subscription) {
        return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
      })
      .then(function () {
        show(true);
        say("Notifications are on for this phone.");
        off.focus();
      })
      .catch(function (error) {
        say(error.message === "denied"
          ? "Your browser is blocking notifications from this site. You can allow them in its site settings."
          : "We couldn't turn notifications on. Please try again later.");
      })
      .then(function () { on.disabled = false; });
  }

  function turnOff(registration) {
    off.disabled = true;
    registration.pushManager.getSubscription()
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(box.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
        });
      })
      .then(function () {
        show(false);
        say("Notifications are off for this phone.");
        on.focus();
      })
      .catch(function () { say("We couldn't turn notifications off. Please try again later."); })
      .then(function () { off.disabled = false; });
  }

  // Resolves only once site.js has registered the worker; if it never does, no button.
  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription().then(function (subscription) {
      show(Boolean(subscription));
      box.hidden = false;
      // Tell the server again, in case it forgot this phone (say the push service
      // once answered "gone" and the browser has since renewed it).
      if (subscription) post(box.getAttribute("data-subscribe-url"), subscription.toJSON()).catch(function () {});
      on.addEventListener("click", function () { turnOn(registration); });
      off.addEventListener("click", function () { turnOff(registration); });
    });
  });
})();
