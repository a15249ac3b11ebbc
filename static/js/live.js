// Live notifications: one socket per page, a toast per message, the unread badge kept true,
// and the parts of the page marked data-live="<name>" fetched again when the server says
// they changed. The page works without this file; it only adds what happens while it is open.
//
// Phones drop connections without telling anyone, so the socket is checked: a ping every
// 25 s, and no pong within 10 s means it is dead and a new one is opened. Each new socket
// first says which notification this tab saw last, and the server sends what came since,
// oldest first, so that nothing is missed across a drop or a page change and none is shown twice.
(function () {
  "use strict";
  var page = document.body;
  var path = page.getAttribute("data-live-socket");
  if (!path || !("WebSocket" in window)) return;

  var badge = document.querySelector("[data-unread-badge]");
  var toasts = document.querySelector("[data-toasts]");
  var UNAUTHENTICATED = 4401;
  var PING_EVERY = 25000;
  var PONG_WITHIN = 10000;
  var MAX_DELAY = 30000;
  var MOST_TOASTS = 3;
  var SEEN_KEY = "citizencoin:last-notification";
  var NAME = /^[a-z0-9-]+$/;

  var socket = null;
  var everOpen = false;
  var stopped = false;
  var delay = 1000;
  var retryTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var lastSeen = startingPoint();

  // --- what this tab has seen ---

  function stored() {
    try { return parseInt(sessionStorage.getItem(SEEN_KEY), 10); } catch (e) { return NaN; }
  }

  function startingPoint() {
    // The page was rendered with every notification up to this one: older ones are not news.
    var rendered = parseInt(page.getAttribute("data-last-notification"), 10) || 0;
    // What this tab saw last on an earlier page: anything after it came while moving between
    // pages. A number beyond what the page knows is someone else's, from before a log-in.
    var seen = stored();
    return seen >= 0 && seen <= rendered ? seen : rendered;
  }

  function remember(id) {
    lastSeen = id;
    try { sessionStorage.setItem(SEEN_KEY, String(id)); } catch (e) { /* private mode: the variable will do */ }
  }

  // --- badge and toasts ---

  function setUnread(count) {
    if (!badge || typeof count !== "number") return;
    badge.textContent = count > 0 ? String(count) : "";
    badge.hidden = count <= 0;
  }

  function toast(message) {
    if (!toasts) return;
    // The container is aria-live="polite": each toast is read out once, after what is being read.
    while (toasts.children.length >= MOST_TOASTS) toasts.removeChild(toasts.firstElementChild);
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
    fadeLater(box);
  }

  function fadeLater(box) {
    setTimeout(function () {
      // Not while someone is on its link: that would drop their keyboard focus.
      if (box.contains(document.activeElement)) fadeLater(box);
      else if (box.parentNode) box.parentNode.removeChild(box);
    }, 8000);
  }

  // --- fragments ---

  var wanted = {};
  var fetching = false;

  function fragments(root, name) {
    return root.querySelectorAll('[data-live="' + name + '"]');
  }

  function namesOnPage() {
    var names = [];
    var marked = document.querySelectorAll("[data-live]");
    for (var i = 0; i < marked.length; i++) names.push(marked[i].getAttribute("data-live"));
    return names;
  }

  function refresh(names) {
    if (!window.fetch || !window.DOMParser) return;
    (names || []).forEach(function (name) {
      if (typeof name === "string" && NAME.test(name) && fragments(document, name).length) {
        wanted[name] = true;
      }
    });
    var now = Object.keys(wanted);
    if (fetching || !now.length) return;
    wanted = {};
    fetching = true;
    // A request that hangs on a weak signal is given up, so that later refreshes still happen.
    var abort = window.AbortController ? new AbortController() : null;
    var limit = abort ? setTimeout(function () { abort.abort(); }, 10000) : null;
    fetch(location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Requested-With": "live" },
      signal: abort ? abort.signal : undefined,
    })
      .then(function (response) {
        // Redirected means logged out or gone: keep the page as it is.
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) { swap(new DOMParser().parseFromString(html, "text/html"), now); })
      .catch(function () { /* offline: the page stays as it was until the next change or visit */ })
      .then(function () {
        clearTimeout(limit);
        fetching = false;
        refresh([]);  // names asked for while this fetch was under way
      });
  }

  function swap(fetched, names) {
    var swapped = false;
    names.forEach(function (name) {
      var here = fragments(document, name);
      var there = fragments(fetched, name);
      if (here.length !== there.length) return;  // the page changed shape: it is right on the next visit
      for (var i = 0; i < here.length; i++) {
        if (here[i].contains(document.activeElement)) {
          // Never pull the field or button someone is on from under them: swap once they leave it.
          waitForLeave(here[i], name);
          continue;
        }
        here[i].parentNode.replaceChild(document.importNode(there[i], true), here[i]);
        swapped = true;
      }
    });
    if (swapped && fetched.title) document.title = fetched.title;
  }

  function waitForLeave(fragment, name) {
    if (fragment.hasAttribute("data-live-waiting")) return;
    fragment.setAttribute("data-live-waiting", "");
    fragment.addEventListener("focusout", function left() {
      // After the event, so that activeElement is where focus went.
      setTimeout(function () {
        if (fragment.contains(document.activeElement)) return;
        fragment.removeEventListener("focusout", left);
        fragment.removeAttribute("data-live-waiting");
        refresh([name]);
      }, 0);
    });
  }

  // What changed on a notification: what the server says, else the wallet for coins and hours.
  function refreshFor(message) {
    if (Array.isArray(message.refresh)) return message.refresh;
    return /^(coins|hours)_/.test(message.kind || "") ? ["wallet"] : [];
  }

  // --- the socket ---

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function onMessage(data) {
    if (data.type === "pong") {
      clearTimeout(pongTimer);
      schedulePing();
    } else if (data.type === "hello") {
      setUnread(data.unread);
    } else if (data.type === "refresh") {
      document.dispatchEvent(new CustomEvent("citizencoin:refresh", { detail: data }));
      refresh(data.fragments);
    } else if (data.type === "notification") {
      // Sent again after a reconnect, or both missed and live: shown once.
      if (typeof data.id === "number") {
        if (data.id <= lastSeen) return;
        remember(data.id);
      }
      setUnread(data.unread);
      toast(data);
      refresh(refreshFor(data));
      document.dispatchEvent(new CustomEvent("citizencoin:notification", { detail: data }));
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    if (socket || stopped) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + path);
    socket = ws;
    ws.onopen = function () {
      delay = 1000;
      send({ type: "resume", after: lastSeen });
      // Changes while the socket was down sent no refresh: fetch what the page shows.
      if (everOpen) refresh(namesOnPage());
      everOpen = true;
      schedulePing();
    };
    ws.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      onMessage(data);
    };
    ws.onclose = function (event) {
      drop();
      if (event.code === UNAUTHENTICATED) stopped = true;  // logged out: nothing to retry
      else retryLater();
    };
  }

  // Forget the socket (and close it, if it is not closed already) without waiting for the
  // closing handshake, which a dead connection never finishes.
  function drop() {
    var ws = socket;
    socket = null;
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* already closed */ }
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay + Math.random() * delay / 2);
    delay = Math.min(delay * 2, MAX_DELAY);
  }

  function schedulePing() {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(ping, PING_EVERY);
  }

  function ping() {
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    send({ type: "ping" });
    pongTimer = setTimeout(function () { drop(); retryLater(); }, PONG_WITHIN);
  }

  // Back on the network or back on screen: try now rather than at the end of a long backoff.
  function now() {
    if (stopped) return;
    if (!socket) {
      delay = 1000;
      connect();
    } else if (socket.readyState === WebSocket.OPEN) {
      ping();  // it may have died while the phone slept
    }
  }

  window.addEventListener("online", function () {
    // A new network: the old connection is almost certainly gone.
    if (socket && socket.readyState === WebSocket.OPEN) {
      drop();
      delay = 1000;
    }
    now();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") now();
  });

  connect();
})();
