// Shown with the message confirming that a note was saved: the text the writing page
// kept in this browser, in case the save did not arrive, is no longer needed.
(function () {
  "use strict";
  var SENT = "notesite:sent-note-draft";
  try {
    var key = window.sessionStorage.getItem(SENT);
    if (key) window.localStorage.removeItem(key);
    window.sessionStorage.removeItem(SENT);
  } catch (error) {} // storage blocked by the browser: nothing was kept
})();
