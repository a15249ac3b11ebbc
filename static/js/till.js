// The till: scan the resident's QR code with the phone's camera, where the browser can
// read QR codes itself (BarcodeDetector). Everywhere else, and without JavaScript, the
// typed code works on its own; the scan button stays hidden.
(function () {
  "use strict";
  var button = document.querySelector("[data-scan]");
  var form = document.querySelector("[data-till-form]");
  if (!button || !form || !("BarcodeDetector" in window)) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  var area = document.querySelector("[data-scan-area]");
  var status = document.querySelector("[data-scan-status]");
  var video = null;
  var stream = null;
  var timer = null;
  var detector = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (video) video.remove();
    video = null;
    button.textContent = "Scan the QR code";
  }

  function found(raw) {
    stop();
    say("Got it. Checking the code…");
    form.elements.token.value = raw;
    form.submit();
  }

  function look() {
    if (!video || video.readyState < 2) return;
    detector.detect(video).then(function (codes) {
      if (codes.length && timer) found(codes[0].rawValue);
    }).catch(function () { /* a frame it could not read: try the next one */ });
  }

  function start() {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      say("This phone cannot read QR codes here. Type the code instead.");
      button.hidden = true;
      return;
    }
    navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    }).then(function (camera) {
      stream = camera;
      video = document.createElement("video");
      video.className = "till-scan__video";
      video.setAttribute("playsinline", "");
      video.setAttribute("aria-hidden", "true");
      video.muted = true;
      video.srcObject = camera;
      area.insertBefore(video, status);
      video.play();
      button.textContent = "Stop the camera";
      say("Point the camera at the QR code on the resident's phone.");
      timer = window.setInterval(look, 200);
    }).catch(function () {
      stop();
      say("We couldn't use the camera. Type the code instead.");
    });
  }

  form.elements.token.value = ""; // a page restored from history must not resend a scan
  button.hidden = false;
  button.addEventListener("click", function () {
    if (stream) {
      stop();
      say("Camera stopped.");
    } else {
      start();
    }
  });
  window.addEventListener("pagehide", stop);
})();

// Confirm once: a second tap while the first is on its way does nothing here (the
// server would refuse to charge twice anyway, and show the receipt).
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "yes";
      form.setAttribute("aria-busy", "true");
    });
  });
})();
