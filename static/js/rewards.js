// The code to pay with at a till: a countdown, and a quiet check for when the shop takes it.
//
// The code must stay on screen and usable if the phone loses signal after making it, so
// nothing here ever blanks the page: a failed check changes nothing and is tried again
// later; the page reloads only after the server has said the code changed (paid,
// refunded, expired), which it can only say while the phone is online. Without this
// file the page still works: "Check if the shop has taken it" reloads it by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-code-status]");
  if (!box) return;

  var statusUrl = box.getAttribute("data-code-status");
  var countdown = box.querySelector("[data-countdown]");
  // Counted from the server's "seconds left", not the phone's clock, which may be wrong.
  var startedAt = Date.now();
  var secondsLeft = parseInt(box.getAttribute("data-seconds-left"), 10) || 0;
  var EVERY = 3000;
  var MOST = 30000;
  var wait = EVERY;
  var timer = null;
  var checking = false;

  function remaining() {
    return Math.max(0, secondsLeft - Math.floor((Date.now() - startedAt) / 1000));
  }

  function tick() {
    if (!countdown) return;
    var left = remaining();
    if (left <= 0) {
      countdown.textContent = " This code has expired.";
      box.classList.add("rewards-code--expired");
      return;
    }
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    countdown.textContent = " " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " left.";
    setTimeout(tick, 1000);
  }

  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(check, ms);
  }

  function check() {
    if (!window.fetch || checking || document.visibilityState !== "visible") return;
    checking = true;
    // A request that hangs on a weak signal is given up, so that checks carry on.
    var abort = window.AbortController ? new AbortController() : null;
    var limit = abort ? setTimeout(function () { abort.abort(); }, 10000) : null;
    var done = function () { checking = false; clearTimeout(limit); };
    fetch(statusUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
      signal: abort ? abort.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        done();
        wait = EVERY;
        if (data && data.status && data.status !== "issued") {
          location.reload();
          return;
        }
        later(wait);
      })
      .catch(function () {
        // Offline, a dropped connection, logged out: keep the code on screen, try later.
        done();
        wait = Math.min(wait * 2, MOST);
        later(wait);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") later(0);
    else clearTimeout(timer);
  });
  window.addEventListener("online", function () { wait = EVERY; later(0); });
  // live.js hears "You paid ..." over the socket at once: check now rather than in 3 s.
  document.addEventListener("citizencoin:notification", function () { later(0); });
  document.addEventListener("citizencoin:refresh", function () { later(0); });

  tick();
  later(EVERY);
})();
