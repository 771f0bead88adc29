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

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }

  // The index holds folded Arabic, so Pagefind's own excerpt would show folded spelling
  // (اسعار for أسعار). Show the article's opening in its original spelling instead, with
  // the words that match the query (compared folded) marked.
  var currentTerms = [];
  function originalExcerpt(result) {
    var summary = result.meta && result.meta.summary;
    if (!summary) return result;
    // Pagefind lists every other metadata key under the result as "key: value" (an
    // English "summary:" box repeating the excerpt): the summary is only used here.
    delete result.meta.summary;
    result.excerpt = summary.split(/(\s+)/).map(function (word) {
      var bare = fold(word).replace(/[^\p{L}\p{N}]/gu, "");
      var hit = bare && currentTerms.some(function (t) { return bare.indexOf(t) !== -1; });
      return hit ? "<mark>" + escapeHtml(word) + "</mark>" : escapeHtml(word);
    }).join("");
    return result;
  }
  // Pagefind's own Arabic strings read "1 نتيجة ل النفط"; these agree in number and use
  // quotation marks. Languages not listed keep Pagefind's built-in strings. "searching"
  // ends in "..." as Pagefind's own does: that is how a waiting script tells it apart.
  var labels = {
    ar: {
      placeholder: "ابحث في الأخبار",
      clear_search: "مسح",
      load_more: "عرض المزيد من النتائج",
      search_label: "ابحث في هذا الموقع",
      filters_label: "تصفية",
      zero_results: "لا نتائج عن «[SEARCH_TERM]»",
      many_results: "[COUNT] نتائج عن «[SEARCH_TERM]»",
      one_result: "نتيجة واحدة عن «[SEARCH_TERM]»",
      alt_search: "لا نتائج عن «[SEARCH_TERM]»، وهذه نتائج «[DIFFERENT_TERM]»",
      search_suggestion: "لا نتائج عن «[SEARCH_TERM]». جرّب إحدى هذه العبارات:",
      searching: "جارٍ البحث عن «[SEARCH_TERM]»..."
    },
    en: {
      placeholder: "Search the stories",
      zero_results: "No results for “[SEARCH_TERM]”",
      many_results: "[COUNT] results for “[SEARCH_TERM]”",
      one_result: "1 result for “[SEARCH_TERM]”",
      searching: "Searching for “[SEARCH_TERM]”..."
    }
  };
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
    // The index is in shards of consecutive months (digest/render/shards.py), newest
    // first in shards.json: the UI starts from the newest and merges the others.
    fetch(root + "pagefind/shards.json").then(function (reply) {
      if (!reply.ok) throw new Error(reply.status);
      return reply.json();
    }).then(function (listing) {
      start(el, root, listing.shards);
    }, function () {
      start(el, root, []);
    });
  });

  function start(el, root, shards) {
    var bundle = function (name) { return root + "pagefind/" + (name ? name + "/" : ""); };
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundle(shards[0]),
      mergeIndex: shards.slice(1).map(function (name) { return { bundlePath: bundle(name) }; }),
      baseUrl: root,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      translations: labels[(document.documentElement.lang || "").split("-")[0]] || {},
      processTerm: function (term) {
        var folded = fold(term);
        currentTerms = folded.split(/\s+/).filter(Boolean);
        return folded;
      },
      processResult: originalExcerpt
    });
    // Pagefind labels its box with a title only; screen readers get a real name.
    var box = el.querySelector(".pagefind-ui__search-input");
    if (box) box.setAttribute("aria-label", el.getAttribute("aria-label"));
    // The header's search form sends readers here with ?q=...
    var query = new URLSearchParams(location.search).get("q");
    if (query) ui.triggerSearch(query);
  }
})();
