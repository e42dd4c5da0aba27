// Item page: a link to #t=SECONDS (from a search hit) seeks the film's player there; when the film
// has no player yet, the moment's time is shown instead. Also follows hash changes on the same page.
// With a player on the page, player.js does this (seeking, playing, the note in the interface language).
(function () {
  "use strict";
  if (document.querySelector(".player video")) { return; }
  function momentFromHash() {
    var match = window.location.hash.match(/t=([\d.]+)/);
    return match ? parseFloat(match[1]) : null;
  }
  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }
  function show() {
    var seconds = momentFromHash();
    if (seconds === null) { return; }
    var note = document.getElementById("moment-note");
    if (note) {
      note.textContent = (note.dataset.noteUnplayable || "{time}").replace("{time}", clock(seconds));
      note.hidden = false;
    }
  }
  window.addEventListener("hashchange", show);
  show();
})();
