// Adaptive playback: a film with an HLS ladder plays through hls.js over Media Source Extensions
// where the browser has them, else natively where it plays HLS itself (older iPhones); without either, the single-file web version in the
// <source> element plays as before. The <track> subtitles and the storyboard belong to the <video>
// element, so they work the same on every path. Runs before player.js, which opens the film at #t=.
(function () {
  "use strict";
  var WORKER = document.currentScript && document.currentScript.dataset.worker;

  function height(hls, level) {
    var details = hls.levels[level];
    return details ? String(details.height) : "";
  }

  function attach(video) {
    var master = video.dataset.hls;
    // Media Source Extensions first (hls.js: the same rendition choice and recovery everywhere); native
    // HLS where there is none (iPhones before iOS 17.1); else the single file in <source>.
    if (!(window.Hls && window.Hls.isSupported())) {
      if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = master;
        video.dataset.playback = "native-hls";
      } else {
        video.dataset.playback = "file";
      }
      return;
    }
    // Our own worker file (from /static), so the page needs no blob: workers; a few seconds ahead
    // suffice on a weak link and keep a throttled phone from fetching what it may never watch.
    var hls = new window.Hls({ workerPath: WORKER, enableWorker: Boolean(WORKER), maxBufferLength: 12,
                               startLevel: -1, capLevelToPlayerSize: false });
    var recovered = 0;
    // Which rendition plays now and which one is being fetched (the player's latest choice).
    hls.on(window.Hls.Events.LEVEL_SWITCHED, function (event, data) { video.dataset.rendition = height(hls, data.level); });
    hls.on(window.Hls.Events.FRAG_LOADED, function (event, data) {
      if (data.frag.sn !== "initSegment") { video.dataset.fetching = height(hls, data.frag.level); }
    });
    hls.on(window.Hls.Events.ERROR, function (event, data) {
      if (!data.fatal) { return; }
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR && recovered < 3) {
        // Segment links are short-lived: after a long pause fetch the playlists (fresh links) again.
        recovered += 1;
        var at = video.currentTime;
        hls.loadSource(master);
        hls.startLoad(at);
      } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && recovered < 3) {
        recovered += 1;
        hls.recoverMediaError();
      } else {
        // Give up on streaming: the single-file web version still plays.
        hls.destroy();
        video.removeAttribute("src");
        video.dataset.playback = "file";
        video.load();
      }
    });
    hls.loadSource(master);
    hls.attachMedia(video);
    video.hlsPlayer = hls;  // for the page's own scripts and the browser tests: the player behind this element
    video.dataset.playback = "hls.js";
  }

  Array.prototype.forEach.call(document.querySelectorAll("video[data-hls]"), attach);
})();
