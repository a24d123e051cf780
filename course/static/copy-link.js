// A "Copy the link" button for a group's join link. Progressive enhancement: without
// JavaScript the button stays hidden and the link is plain text to select and copy.
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector(".copy-status");
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        if (status) { status.textContent = "Copied. Paste it into a message to the families."; }
      }, function () {
        if (status) { status.textContent = "Could not copy. Select the link and copy it instead."; }
      });
    });
  });
})();
