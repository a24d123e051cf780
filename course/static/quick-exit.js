// Quick exit: leave at once and replace this page in the history, so the back
// button does not bring the course back. Without JavaScript the link still leaves.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("a.quick-exit").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      document.body.hidden = true;
      window.location.replace(link.href);
    });
  });
  // Pressing Escape three times quickly also leaves.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1500; });
    presses.push(now);
    var link = document.querySelector("a.quick-exit");
    if (presses.length >= 3 && link) {
      document.body.hidden = true;
      window.location.replace(link.href);
    }
  });
});
