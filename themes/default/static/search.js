/* Search page: Pagefind's UI in the page's language. The index holds Arabic folded the
   way digest/search.py folds it, so the query is folded the same way before searching. */
(function () {
  "use strict";
  var marks = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
  var letters = { "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                  "\u0629": "\u0647", "\u0649": "\u064a" };
  function fold(term) {
    return term.replace(marks, "").replace(/[\u0623\u0625\u0622\u0671\u0629\u0649]/g, function (c) {
      return letters[c];
    });
  }
  window.digestFoldArabic = fold;
  window.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("search");
    if (!el) return;
    if (typeof PagefindUI === "undefined") {
      var note = document.createElement("p");
      note.textContent = el.getAttribute("data-unavailable");
      el.appendChild(note);
      return;
    }
    // Relative to this page, so results link correctly under any base path.
    var root = new URL(el.getAttribute("data-root"), location.href).pathname;
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: root + "pagefind/",
      baseUrl: root,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      processTerm: fold
    });
    // The header's search form sends readers here with ?q=...
    var query = new URLSearchParams(location.search).get("q");
    if (query) ui.triggerSearch(query);
  });
})();
