// Live notifications: one socket per page, a toast per message, the unread badge kept true.
// The page works without this file; it only adds what happens while the page is open.
(function () {
  "use strict";
  var path = document.body.getAttribute("data-live-socket");
  if (!path || !("WebSocket" in window)) return;

  var badge = document.querySelector("[data-unread-badge]");
  var toasts = document.querySelector("[data-toasts]");
  var delay = 1000;
  var MAX_DELAY = 30000;
  var UNAUTHENTICATED = 4401;

  function setUnread(count) {
    if (!badge || typeof count !== "number") return;
    badge.textContent = count > 0 ? String(count) : "";
    badge.hidden = count <= 0;
  }

  function toast(message) {
    if (!toasts) return;
    var box = document.createElement("div");
    box.className = "toast";
    var title = document.createElement(message.url ? "a" : "strong");
    if (message.url) title.href = message.url;
    title.textContent = message.title;
    box.appendChild(title);
    if (message.body) {
      var body = document.createElement("p");
      body.textContent = message.body;
      box.appendChild(body);
    }
    toasts.appendChild(box);
    setTimeout(function () { box.remove(); }, 8000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "hello") setUnread(data.unread);
      if (data.type === "notification") {
        setUnread(data.unread);
        toast(data);
        document.dispatchEvent(new CustomEvent("citizencoin:notification", { detail: data }));
      }
    };
    socket.onclose = function (event) {
      if (event.code === UNAUTHENTICATED) return;  // logged out: nothing to retry
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  }

  connect();
})();
