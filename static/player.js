// Film player: opens at #t=SECONDS, and shows storyboard thumbnails while hovering the seek area.
(function () {
  "use strict";
  function parseTime(text) {
    var parts = text.split(":").map(Number);
    return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
  }

  function loadStoryboard(video, preview) {
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
        video.addEventListener("mousemove", function (event) {
          var box = video.getBoundingClientRect();
          if (!video.duration || event.clientY < box.bottom - 48) { preview.hidden = true; return; }
          var time = video.duration * (event.clientX - box.left) / box.width;
          var cue = cues.find(function (c) { return time >= c.start && time < c.end; }) || cues[cues.length - 1];
          preview.style.width = cue.w + "px";
          preview.style.height = cue.h + "px";
          preview.style.backgroundImage = "url('" + cue.url + "')";
          preview.style.backgroundPosition = "-" + cue.x + "px -" + cue.y + "px";
          preview.style.left = Math.max(0, Math.min(box.width - cue.w, event.clientX - box.left - cue.w / 2)) + "px";
          preview.hidden = false;
        });
        video.addEventListener("mouseleave", function () { preview.hidden = true; });
      });
  }

  document.querySelectorAll(".player video").forEach(function (video) {
    var match = window.location.hash.match(/t=([\d.]+)/);
    if (match) {
      video.addEventListener("loadedmetadata", function () { video.currentTime = parseFloat(match[1]); }, { once: true });
    }
    var preview = video.parentElement.querySelector(".storyboard-preview");
    if (video.dataset.storyboard && preview) { loadStoryboard(video, preview); }
  });
})();
