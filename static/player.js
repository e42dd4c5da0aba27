// The film page: opens at #t=SECONDS with the ?sub= language on (playing when the browser allows it,
// else asking to press play), shows storyboard thumbnails while hovering or dragging the timeline, and
// follows playback in the transcript (the current line highlighted and kept in view; a click seeks).
(function () {
  "use strict";
  function parseTime(text) {
    return text.split(":").map(Number).reduce(function (total, part) { return total * 60 + part; }, 0);
  }
  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(r).padStart(2, "0");
  }
  function hashTime() {
    var match = window.location.hash.match(/^#(?:.*&)?t=(\d+(?:\.\d+)?)/);
    return match ? parseFloat(match[1]) : null;
  }

  function loadStoryboard(video, preview) {
    var label = preview.querySelector(".storyboard-time");
    fetch(video.dataset.storyboard, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        var cues = [];
        text.split(/\r?\n\r?\n/).forEach(function (block) {
          var match = block.match(/([\d:.]+) --> ([\d:.]+)\s*\n(.+)#xywh=(\d+),(\d+),(\d+),(\d+)/);
          if (match) {
            cues.push({ start: parseTime(match[1]), end: parseTime(match[2]), url: match[3].trim(),
                        x: +match[4], y: +match[5], w: +match[6], h: +match[7] });
          }
        });
        if (!cues.length) { return; }
        var dragging = false;
        function showAt(time, fraction) {
          var box = video.getBoundingClientRect();
          var cue = cues.find(function (c) { return time >= c.start && time < c.end; }) || cues[cues.length - 1];
          preview.style.width = cue.w + "px";
          preview.style.height = cue.h + "px";
          preview.style.backgroundImage = "url('" + cue.url + "')";
          preview.style.backgroundPosition = "-" + cue.x + "px -" + cue.y + "px";
          preview.style.insetInlineStart = Math.max(0, Math.min(box.width - cue.w, fraction * box.width - cue.w / 2)) + "px";
          if (label) { label.textContent = clock(time); }
          preview.hidden = false;
        }
        function onTimeline(event) {
          var box = video.getBoundingClientRect();
          return event.clientY >= box.bottom - 48 && event.clientY <= box.bottom;
        }
        video.addEventListener("pointermove", function (event) {
          if (!video.duration || (!dragging && !onTimeline(event))) { preview.hidden = true; return; }
          var box = video.getBoundingClientRect();
          var fraction = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
          showAt(video.duration * fraction, fraction);
        });
        video.addEventListener("pointerdown", function (event) { dragging = onTimeline(event); });
        window.addEventListener("pointerup", function () { if (dragging) { dragging = false; preview.hidden = true; } });
        video.addEventListener("pointerleave", function () { if (!dragging) { preview.hidden = true; } });
        // Dragging with a finger or the keyboard moves the playhead: show where it is.
        video.addEventListener("seeking", function () {
          if (video.duration && (dragging || !preview.hidden)) { showAt(video.currentTime, video.currentTime / video.duration); }
        });
        video.addEventListener("seeked", function () { if (!dragging) { window.setTimeout(function () { preview.hidden = true; }, 600); } });
      });
  }

  function turnOnSubtitles(video, lang) {
    if (!lang) { return; }
    Array.prototype.forEach.call(video.textTracks, function (track) {
      if (track.language === lang) { track.mode = "showing"; }
      else if (track.mode === "showing") { track.mode = "disabled"; }
    });
  }

  // Every language at this moment, under the player and transcript: the columns of the moment page,
  // with a link to that page to share. If it cannot be fetched, the link opens the page itself.
  // While it is open it follows playback: the page says for which span of the film it holds
  // (data-from, data-until), and it is fetched again only once playback leaves that span.
  var momentLoading = false;
  var momentRecheck = null;  // once a fetch is done, whether playback has left the span meanwhile
  function momentPanel(link, film) {
    var panel = document.getElementById("moment-panel");
    if (panel) { return panel; }
    panel = document.createElement("section");
    panel.id = "moment-panel";
    panel.className = "moment-panel";
    panel.hidden = true;
    panel.setAttribute("aria-labelledby", "moment-panel-title");
    var title = document.createElement("h2");
    title.id = "moment-panel-title";
    title.tabIndex = -1;
    var columns = document.createElement("div");
    var actions = document.createElement("p");
    actions.className = "moment-panel-actions";
    var page = document.createElement("a");
    page.className = "moment-page";
    page.textContent = link.dataset.labelPage;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = link.dataset.labelClose;
    close.addEventListener("click", function () { panel.hidden = true; link.focus(); });
    actions.append(page, " · ", close);
    panel.append(title, columns, actions);
    film.after(panel);
    return panel;
  }
  function showMoment(link, film, following) {
    var panel = momentPanel(link, film);
    momentLoading = true;
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var columns = doc.querySelector(".moment-columns"), heading = doc.querySelector(".moment-view h1");
        if (!columns || !heading) { return Promise.reject("no columns"); }
        var title = panel.querySelector("#moment-panel-title");
        title.textContent = heading.textContent;
        panel.replaceChild(document.importNode(columns, true), title.nextElementSibling);
        panel.querySelector("a.moment-page").href = link.href;
        panel.dataset.from = columns.dataset.from || "";
        panel.dataset.until = columns.dataset.until || "";
        if (following) { return; }
        panel.hidden = false;
        title.focus({ preventScroll: true });
        panel.scrollIntoView({ block: "nearest" });
      })
      .catch(function () {
        if (!following) { window.location.href = link.href; return; }
        var now = parseFloat(new URL(link.href, window.location.href).searchParams.get("t")) || 0;
        panel.dataset.from = String(now);  // not fetched: try again five seconds of film later, not at once
        panel.dataset.until = String(now + 5);
      })
      .finally(function () {
        momentLoading = false;
        if (following && momentRecheck) { momentRecheck(); }
      });
  }

  function setupTranscript(video, transcript) {
    var list = transcript.querySelector("ol.cues");
    var momentLink = transcript.querySelector("#moment-link");
    function pointAtNow() {
      var url = new URL(momentLink.dataset.base, window.location.href);
      url.searchParams.set("t", video.currentTime.toFixed(3));
      url.searchParams.set("sub", momentLink.dataset.sub);
      momentLink.href = url.pathname + url.search;
    }
    function followMoment() {
      var panel = document.getElementById("moment-panel");
      if (!panel || panel.hidden || momentLoading || panel.dataset.from === undefined) { return; }
      var time = video.currentTime, from = parseFloat(panel.dataset.from);
      var until = panel.dataset.until ? parseFloat(panel.dataset.until) : Infinity;
      if (time >= from && time < until) { return; }
      pointAtNow();
      showMoment(momentLink, transcript.closest(".film"), true);
    }
    momentRecheck = followMoment;
    if (momentLink) {
      momentLink.addEventListener("click", function (event) {
        pointAtNow();
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        showMoment(momentLink, transcript.closest(".film"), false);
      });
      video.addEventListener("timeupdate", followMoment);
      video.addEventListener("seeked", followMoment);
    }
    if (!list) { return; }
    var lines = Array.prototype.slice.call(list.children);
    var starts = lines.map(function (li) { return parseFloat(li.dataset.start); });
    var current = null;
    function lineAt(time) {
      var low = 0, high = starts.length - 1, found = -1;
      while (low <= high) {
        var mid = (low + high) >> 1;
        if (starts[mid] <= time + 0.05) { found = mid; low = mid + 1; } else { high = mid - 1; }
      }
      return found < 0 ? null : lines[found];
    }
    function keepInView(li) {
      var top = li.offsetTop - list.offsetTop, bottom = top + li.offsetHeight;
      if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
        list.scrollTop = Math.max(0, top - list.clientHeight / 3);
      }
    }
    function follow() {
      var li = lineAt(video.currentTime);
      if (li && video.currentTime >= parseFloat(li.dataset.end) + 5) { li = null; }
      if (li === current) { return; }
      if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
      current = li;
      if (li) { li.classList.add("current"); li.setAttribute("aria-current", "true"); keepInView(li); }
    }
    video.addEventListener("timeupdate", follow);
    video.addEventListener("seeked", follow);
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a.cue-time");
      var li = event.target.closest("li");
      if (!li || (!link && window.getSelection().toString())) { return; }
      event.preventDefault();
      video.currentTime = parseFloat(li.dataset.start);
      history.replaceState(null, "", (link || li.querySelector("a.cue-time")).getAttribute("href"));
      var playing = video.play();
      if (playing) { playing.catch(function () {}); }
    });
    follow();
  }

  function goToMoment(video, seconds) {
    var note = document.getElementById("moment-note");
    var main = video.closest(".film-main");
    if (note && main && note.parentElement !== main) {  // say it under the player, where the eyes are
      note.setAttribute("role", "status");
      main.append(note);
    }
    function say(template) {
      if (!note || !template) { return; }
      note.textContent = template.replace("{time}", clock(seconds));
      note.hidden = false;
    }
    function go() {
      video.currentTime = seconds;
      var playing = video.play();
      if (playing && playing.then) {
        playing.then(function () { say(video.dataset.notePlaying); }, function () { say(video.dataset.notePaused); });
      } else {
        say(video.dataset.notePlaying);
      }
    }
    if (video.readyState >= 1) { go(); } else { video.addEventListener("loadedmetadata", go, { once: true }); }
    video.scrollIntoView({ block: "center" });
  }

  var video = document.querySelector(".player video");
  if (!video) { return; }
  // The poster in the width the browser chose from the srcset for this screen (already fetched, or on its way).
  var posterChoice = video.parentElement.querySelector("img.poster-choice");
  if (posterChoice && !video.poster) {
    var usePoster = function () { video.poster = posterChoice.currentSrc || posterChoice.src; };
    if (posterChoice.currentSrc) { usePoster(); } else { posterChoice.addEventListener("load", usePoster, { once: true }); }
  }
  var preview = video.parentElement.querySelector(".storyboard-preview");
  if (video.dataset.storyboard && preview) { loadStoryboard(video, preview); }
  var sub = new URLSearchParams(window.location.search).get("sub");
  turnOnSubtitles(video, sub);
  video.textTracks.addEventListener("addtrack", function () { turnOnSubtitles(video, sub); });
  var transcript = document.getElementById("transcript");
  if (transcript) { setupTranscript(video, transcript); }
  var start = hashTime();
  if (start !== null) { goToMoment(video, start); }
  window.addEventListener("hashchange", function () {
    var seconds = hashTime();
    if (seconds !== null) { goToMoment(video, seconds); }
  });
})();
