// Editing in place, served by `digest serve` only (never written to the site): on a parallel
// page, an English paragraph opens an editor on click, or on Enter when focused. Saving posts
// the text as a post-edit; the server writes name.edits.toml and the site rebuilds, and the
// live-reload script reloads the page. "Restore machine text" removes the post-edit.
// Text typed and not saved outlives a reload (another file saved, another paragraph's save):
// kept in sessionStorage as the page goes, the editor opens again with it.
(function () {
  var desk = window.digestDesk;
  var match = location.pathname.match(/^\/articles\/([^\/]+)\/$/);
  if (!desk || !match) return;
  var slug = decodeURIComponent(match[1]);
  var FOCUS = "digest-desk-focus", DRAFT = "digest-desk-draft";
  var editing = null;  // the open editor: {pair, area, original, saving}

  window.addEventListener("pagehide", function () {
    if (editing && !editing.saving && editing.area.value !== editing.original) {
      sessionStorage.setItem(DRAFT, JSON.stringify({ slug: slug, pair: editing.pair.id, text: editing.area.value }));
    }
  });

  function post(body) {
    var headers = { "Content-Type": "application/json" };
    headers[desk.header] = desk.token;
    return fetch("/__digest__/edit", { method: "POST", headers: headers, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }

  function button(text, action) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.className = "digest-desk-" + action;
    return b;
  }

  function note(side, text) {
    var old = side.parentNode.querySelector(".digest-desk-note");
    if (old) old.remove();
    var p = document.createElement("p");
    p.className = "digest-desk-note"; p.lang = "en"; p.dir = "ltr"; p.setAttribute("role", "status");
    p.textContent = text;
    side.parentNode.insertBefore(p, side.nextSibling);
  }

  function open(side, pair, index, draft) {
    if (side.querySelector(".digest-desk-editor")) return;
    fetch("/__digest__/paragraph?slug=" + encodeURIComponent(slug) + "&index=" + index, { cache: "no-store" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (got) {
        if (!got.ok) { note(side, "Cannot be edited here: " + got.data.error); return; }
        var form = document.createElement("form");
        form.className = "digest-desk-editor"; form.lang = "en"; form.dir = "ltr";
        form.style.cssText = "margin:.5em 0;text-align:left";
        var label = document.createElement("label");
        label.textContent = "Post-edit (saved to " + got.data.file + ")";
        label.style.cssText = "display:block;font-size:.85em";
        var area = document.createElement("textarea");
        area.value = got.data.english; area.dir = "ltr"; area.lang = "en"; area.rows = 4;
        area.setAttribute("aria-label", "English of paragraph " + (index + 1));
        area.style.cssText = "width:100%;box-sizing:border-box;font:inherit;direction:ltr;text-align:left";
        label.appendChild(area);
        var status = document.createElement("p");
        status.setAttribute("role", "status"); status.className = "digest-desk-status";
        var save = button("Save", "save"), cancel = button("Cancel", "cancel");
        save.type = "submit";
        form.append(label, save, " ", cancel);
        if (got.data.post_edited) form.append(" ", button("Restore machine text", "undo"));
        form.append(status);
        side.hidden = true;
        side.parentNode.insertBefore(form, side.nextSibling);
        var state = editing = { pair: pair, area: area, original: got.data.english, saving: false };
        if (typeof draft === "string" && draft !== area.value) {
          area.value = draft;
          status.textContent = "Your unsaved text, kept while the page reloaded: not saved yet.";
        }
        area.focus();
        function close() { form.remove(); side.hidden = false; side.focus(); if (editing === state) editing = null; }
        function send(english) {
          status.textContent = "Saving…";
          state.saving = true;
          post({ slug: slug, index: index, english: english }).then(function (res) {
            if (!res.ok) { state.saving = false; status.textContent = "Not saved: " + res.data.error; return; }
            sessionStorage.setItem(FOCUS, pair.id);
            if (!res.data.changed) { close(); return; }
            status.textContent = "Saved to " + res.data.file + "; rebuilding…";
          }, function () { state.saving = false; status.textContent = "Not saved: the preview server did not answer"; });
        }
        form.addEventListener("submit", function (e) { e.preventDefault(); send(area.value); });
        cancel.addEventListener("click", close);
        var undo = form.querySelector(".digest-desk-undo");
        if (undo) undo.addEventListener("click", function () { send(null); });
        form.addEventListener("keydown", function (e) {
          if (e.key === "Escape") { e.preventDefault(); close(); }
          else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(area.value); }
        });
      });
  }

  function setup() {
    var pairs = document.querySelectorAll(".pair[id]");
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(DRAFT) || "null"); } catch (e) { kept = null; }
    sessionStorage.removeItem(DRAFT);
    Array.prototype.forEach.call(pairs, function (pair) {
      var index = parseInt(pair.id.replace(/^p/, ""), 10) - 1;
      var side = pair.querySelector(".side-target");
      if (!side || isNaN(index) || !side.textContent.trim()) return;
      if (kept && kept.slug === slug && kept.pair === pair.id) open(side, pair, index, kept.text);
      side.tabIndex = 0;
      side.title = "Click, or press Enter, to post-edit this paragraph";
      side.dataset.digestEditable = "";
      side.style.cursor = "text";
      side.addEventListener("click", function (e) {
        if (e.target.closest("a")) return;
        open(side, pair, index);
      });
      side.addEventListener("keydown", function (e) {
        if (e.target === side && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); open(side, pair, index); }
      });
    });
    var again = sessionStorage.getItem(FOCUS);
    if (again) {
      sessionStorage.removeItem(FOCUS);
      var target = document.getElementById(again);
      var side = target && target.querySelector(".side-target");
      if (side) side.focus();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
