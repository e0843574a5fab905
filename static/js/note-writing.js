// The note-writing page, all optional (the page works without it): Enter in a one-line
// field does not send the page; a live preview of the note, its takeaways and action
// points (rendered and checked by the server, beside the editor on wide screens, behind
// a Write / Preview tab on narrow ones); what is typed is kept in this browser until it
// is saved, and offered back after a reload or a crash; leaving with unsaved text asks
// first.
(function () {
  "use strict";
  var form = document.querySelector("form.note-writing[data-preview-url]");
  if (!form) return;

  // Enter in a title or tags field would save a half-written note with all its rows:
  // the Save button saves. Textareas keep their new lines; an input method still
  // takes Enter to confirm a word.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    if (event.target.tagName === "INPUT") event.preventDefault();
  });

  var section = document.getElementById("note-preview");
  var editor = document.getElementById("note-editor");
  var previewBody = section && section.querySelector(".preview-body");
  var status = section && section.querySelector(".preview-status");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var body = form.querySelector("textarea[name=body]");
  if (!section || !editor || !previewBody || !status || !token || !body) return;

  // --- The form's values ---------------------------------------------------------
  // What the person types: not the hidden management fields, the CSRF token or the
  // one-time submission token, which belong to this copy of the page.
  function typedFields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.disabled && field.type !== "hidden" &&
        field.type !== "submit" && field.type !== "button" && field.type !== "file";
    });
  }
  function valuesOf() {
    var values = {};
    typedFields().forEach(function (field) {
      values[field.name] = field.type === "checkbox" ? field.checked : field.value;
    });
    return values;
  }
  function apply(values) {
    typedFields().forEach(function (field) {
      if (!(field.name in values)) return;
      if (field.type === "checkbox") field.checked = values[field.name];
      else field.value = values[field.name];
    });
  }
  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // --- Live preview ---------------------------------------------------------------
  var timer = null;
  var latest = 0;
  var stale = true;
  var lastSummary = "";

  function refresh() {
    clearTimeout(timer);
    if (!window.fetch) return;
    var request = ++latest;
    stale = false;
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, status: response.status, text: text };
        });
      })
      .then(function (answer) {
        if (request !== latest) return; // an older answer arriving late
        if (answer.ok) {
          previewBody.innerHTML = answer.text; // sanitised by the server (nh3 allowlist)
        } else {
          // A refusal the server explains in plain text (a note over the length limit).
          var problem = document.createElement("p");
          problem.className = "preview-problems";
          problem.textContent = answer.status === 400 ? answer.text : "The preview is not available just now; the Preview button still works.";
          previewBody.replaceChildren(problem);
        }
        var summary = previewBody.querySelector(".preview-summary");
        var said = summary ? summary.textContent : previewBody.textContent;
        // Said once per change, not on every pause in typing.
        if (said !== lastSummary) status.textContent = lastSummary = said;
      })
      .catch(function () {}); // offline for a moment: the next pause tries again
  }
  function previewShown() {
    return wide.matches || chosen === "note-preview";
  }
  function refreshSoon() {
    stale = true;
    clearTimeout(timer);
    // Behind its tab, the preview waits until it is asked for.
    if (previewShown()) timer = setTimeout(refresh, 400);
  }

  // --- Side by side, or Write / Preview tabs ---------------------------------------
  var tabs = document.querySelector("[data-writing-tabs]");
  var tabButtons = tabs ? Array.prototype.slice.call(tabs.querySelectorAll("button[data-panel]")) : [];
  var wide = window.matchMedia("(min-width: 56.25rem)");
  var chosen = location.hash === "#note-preview" ? "note-preview" : "note-editor";

  function panelOf(button) {
    return document.getElementById(button.dataset.panel);
  }
  function layOut() {
    section.hidden = false;
    if (!tabs || tabButtons.length !== 2) return;
    if (wide.matches) {
      // Both in view: no tabs, and nothing that says there are.
      tabs.hidden = true;
      tabs.removeAttribute("role");
      tabButtons.forEach(function (button) {
        var panel = panelOf(button);
        ["role", "aria-selected", "aria-controls", "tabindex"].forEach(function (name) {
          button.removeAttribute(name);
        });
        ["role", "aria-labelledby"].forEach(function (name) { panel.removeAttribute(name); });
        panel.hidden = false;
      });
      return;
    }
    tabs.hidden = false;
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", "Write or preview the note");
    tabButtons.forEach(function (button) {
      var panel = panelOf(button);
      var selected = button.dataset.panel === chosen;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      button.setAttribute("aria-selected", selected ? "true" : "false");
      button.tabIndex = selected ? 0 : -1;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      panel.hidden = !selected;
    });
  }
  function choose(button, focus) {
    chosen = button.dataset.panel;
    layOut();
    if (focus) button.focus();
    if (chosen === "note-preview" && stale) refresh();
  }
  tabButtons.forEach(function (button, index) {
    button.addEventListener("click", function () { choose(button, false); });
    button.addEventListener("keydown", function (event) {
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabButtons.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      choose(tabButtons[(next + tabButtons.length) % tabButtons.length], true);
    });
  });
  if (wide.addEventListener) wide.addEventListener("change", layOut);
  layOut();

  // --- Kept in this browser until saved ---------------------------------------------
  var notice = document.getElementById("draft-notice");
  var key = "notesite:note-draft:" + form.dataset.draftKey;
  var version = form.dataset.savedVersion || "";
  var bound = form.hasAttribute("data-bound");
  var initial = valuesOf(); // as the server sent them
  var submitting = false;
  var saveTimer = null;
  var SENT = "notesite:sent-note-draft"; // the copy a Save sent, read by note-saved.js

  function storage() {
    try { return window.localStorage; } catch (error) { return null; } // blocked by the browser
  }
  function readDraft() {
    var store = storage();
    try { return store && JSON.parse(store.getItem(key)); } catch (error) { return null; }
  }
  function forget() {
    var store = storage();
    if (store) store.removeItem(key);
  }
  function keep() {
    clearTimeout(saveTimer);
    var store = storage();
    if (!store || submitting) return;
    var values = valuesOf();
    if (!bound && same(values, initial)) { forget(); return; }
    try {
      store.setItem(key, JSON.stringify({ at: Date.now(), version: version, values: values }));
    } catch (error) {} // storage full: the page still works, without the safety net
  }
  function keepSoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(keep, 300);
  }
  function when(at) {
    var date = new Date(at);
    var time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (date.toDateString() === new Date().toDateString()) return time;
    return date.toLocaleDateString([], { day: "numeric", month: "short" }) + ", " + time;
  }
  function hideNotice() {
    notice.hidden = true;
    body.focus();
  }
  function offer(draft) {
    if (!notice) return;
    var text = notice.querySelector(".draft-notice-text");
    var restore = notice.querySelector("[data-draft=restore]");
    var discard = notice.querySelector("[data-draft=discard]");
    if (draft.version === version) {
      apply(draft.values);
      text.textContent = "Restored unsaved text from " + when(draft.at) + ".";
      restore.hidden = true;
    } else {
      // The note was saved after this text was typed (here or elsewhere): the saved
      // note is shown, and the older text only on request.
      text.textContent = "You have unsaved text from " + when(draft.at) +
        ", typed before this note was last saved. The page shows the saved note.";
      restore.hidden = false;
    }
    restore.addEventListener("click", function () {
      apply(draft.values);
      keep();
      refreshSoon();
      hideNotice();
    });
    discard.addEventListener("click", function () {
      apply(initial);
      forget();
      refreshSoon();
      hideNotice();
    });
    notice.hidden = false;
  }

  if (bound) {
    keep(); // the page came back with what was sent: that is the newest text
  } else {
    var draft = readDraft();
    if (draft && draft.values && !same(draft.values, initial)) offer(draft);
    else forget();
  }

  form.addEventListener("input", function () {
    keepSoon();
    refreshSoon();
  });
  form.addEventListener("change", function () {
    keepSoon();
    refreshSoon();
  });
  window.addEventListener("pagehide", keep);

  // --- Leaving with unsaved text ------------------------------------------------------
  form.addEventListener("submit", function (event) {
    // The kept copy goes when the page after the save confirms it (note-saved.js): a
    // save that fails on the way (a lost connection) must not lose the text.
    if (event.submitter && event.submitter.name === "save") {
      keep();
      try { window.sessionStorage.setItem(SENT, key); } catch (error) {}
    }
    submitting = true;
    clearTimeout(saveTimer);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) submitting = false; // back from the next page
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || (!bound && same(valuesOf(), initial))) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });

  if (previewShown() && !previewBody.querySelector(".preview-summary") && body.value.trim()) refresh();
})();
