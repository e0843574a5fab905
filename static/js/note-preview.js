// The note-writing page: Enter in a one-line field does not send the whole page, and
// a live preview of the note's Markdown while typing (optional: the Preview button
// does the same without JavaScript). The server renders and sanitises the HTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  // Enter in a title or tags field would save a half-written note with all its rows:
  // the Save button saves. Textareas keep their new lines; an input method still
  // takes Enter to confirm a word.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    if (event.target.tagName === "INPUT") event.preventDefault();
  });
  var section = document.getElementById("note-preview");
  if (!section || !window.fetch) return;
  var body = form.querySelector("textarea[name=body]");
  var target = section.querySelector(".prose");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!body || !target || !token) return;
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    data.append("csrfmiddlewaretoken", token.value);
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (request !== latest) return; // an older answer arriving late
        target.innerHTML = html; // sanitised by the server (nh3 allowlist)
        section.hidden = !html;
      })
      .catch(function () {}); // the Preview button still works
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
