// Parallel page: pointing at (or focusing) a sentence highlights it and its translation.
(function () {
  "use strict";
  function mark(event, on) {
    var span = event.target.closest && event.target.closest(".s[data-s]");
    if (!span) return;
    var key = span.getAttribute("data-s");
    document.querySelectorAll('.s[data-s="' + key + '"]').forEach(function (el) {
      el.classList.toggle("s-active", on);
    });
  }
  document.addEventListener("mouseover", function (e) { mark(e, true); });
  document.addEventListener("mouseout", function (e) { mark(e, false); });
})();
