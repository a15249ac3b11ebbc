// "Invite a friend": select the link at a tap, and offer the phone's own share sheet and
// a copy button where the browser has them. Without JavaScript the link is there to copy.
(function () {
  "use strict";
  var input = document.querySelector("[data-invite-link]");
  if (!input) return;
  var status = document.querySelector("[data-invite-status]");
  var share = document.querySelector("[data-invite-share]");
  var copy = document.querySelector("[data-invite-copy]");

  input.addEventListener("focus", function () {
    input.select();
  });

  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator
        .share({ title: share.getAttribute("data-title") || document.title, url: input.value })
        .catch(function () {}); // closing the share sheet is not an error to show
    });
  }

  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          if (status) status.textContent = "Link copied. Paste it in a message to your friend.";
        },
        function () {
          input.focus();
          if (status) status.textContent = "Select the link above and copy it.";
        }
      );
    });
  }
})();
