// Upload page: sends each chosen file with a progress bar (resumable, over tus), then polls the
// item's processing status (status.json) and puts each file's row in place as it changes: the
// percent and stage while it is processed, the reason and a Retry button when it failed, "ready"
// when done. Rows come from the server in the interface language; without JavaScript the page
// still lists the files and retries through a plain form.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var input = document.getElementById("upload-files");
  var list = document.getElementById("upload-list");
  var box = document.getElementById("media-status");
  var table = box.querySelector("table");
  var body = table.querySelector("tbody");
  var POLL_MS = 1000;
  var polling = false;
  // The page gives the messages in the interface language; English when it does not.
  var say = {
    uploaded: form.dataset.uploaded || "uploaded; processing…",
    failed: form.dataset.failed || "Upload failed (STATUS).",
    broken: form.dataset.broken || "The connection broke off. Choose the file again to go on where it stopped.",
    resuming: form.dataset.resuming || "going on where it stopped…",
    finished: form.dataset.finished || "Processing finished: show the files"
  };
  var uploadedRows = {};  // media id -> the upload list's line for it

  function row(file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name + " ";
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    var note = document.createElement("span");
    note.className = "note";
    li.appendChild(name); li.appendChild(bar); li.appendChild(note);
    list.appendChild(li);
    return { bar: bar, note: note, li: li };
  }

  // Each file goes through tus (static/vendor/tus-js-client): in chunks the server keeps as they
  // arrive, so a cut connection, a restarted server or a closed tab costs only what was in flight.
  // The upload's address is kept in localStorage under the item, the file's name, size and date:
  // choosing the same file again (after reopening the tab too) goes on from the server's offset.
  function fingerprint(file) {
    return Promise.resolve(["archive", form.dataset.itemId, file.name, file.type, file.size, file.lastModified].join("/"));
  }

  function errorOf(error) {
    var response = error && error.originalResponse;
    if (!response) { return null; }
    try {
      var body = JSON.parse(response.getBody());
      return body && body.error ? body.error : null;
    } catch (e) { return null; }
  }

  function send(file) {
    return new Promise(function (resolve) {
      var view = row(file);
      var upload = new tus.Upload(file, {
        endpoint: form.dataset.tusUrl,
        chunkSize: Number(form.dataset.chunkSize) || Infinity,
        retryDelays: [1000, 3000, 5000, 10000, 20000, 30000],
        metadata: { item_id: form.dataset.itemId, filename: file.name },
        headers: { "X-CSRFToken": form.dataset.csrf, Accept: "application/json" },
        fingerprint: fingerprint,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onShouldRetry: function (error) {
          var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
          var problem = errorOf(error);
          // The connection, a restart or a busy upload: try again. A refusal that says what to fix: stop.
          if (!status || status >= 500 || status === 423) { return true; }
          return status === 409 && !(problem && problem.code === "duplicate");
        },
        onProgress: function (sent, total) {
          view.bar.value = Math.floor(100 * sent / total);
          view.note.textContent = " " + view.bar.value + "%";
        },
        onSuccess: function (payload) {
          view.bar.value = 100;
          view.note.textContent = " " + say.uploaded;
          view.li.className = "ok";
          var media = payload && payload.lastResponse ? payload.lastResponse.getHeader("Upload-Media-Id") : null;
          if (media) { uploadedRows[media] = view; }
          resolve(true);
        },
        onError: function (error) {
          var problem = errorOf(error);
          var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
          view.note.textContent = " " + (problem ? problem.message : (status ? say.failed.replace("STATUS", status) : say.broken));
          view.li.className = "error";
          resolve(false);
        }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          upload.resumeFromPreviousUpload(previous[0]);
          view.note.textContent = " " + say.resuming;
        }
        upload.start();
      });
    });
  }

  function fromHtml(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  // Put each file's fresh row in place (only when it changed, so a focused button keeps its focus).
  function show(data) {
    var pending = false;
    data.media.forEach(function (m) {
      var fresh = data.rows && data.rows[String(m.id)];
      if (!fresh) { return; }
      var next = fromHtml(fresh);
      var current = body.querySelector('tr[data-media="' + m.id + '"]');
      if (!current) {
        body.appendChild(next);
      } else if (current.dataset.status !== next.dataset.status || current.dataset.progress !== next.dataset.progress ||
                 current.dataset.streaming !== next.dataset.streaming ||
                 current.dataset.streamingProgress !== next.dataset.streamingProgress) {
        current.replaceWith(next);
      }
      if (m.status === "queued" || m.status === "running") { pending = true; }
      // The streaming versions are made after the web version: follow them too, so a failure shows with its Retry.
      var ladder = m.streaming;
      if (ladder && (ladder.status === "queued" || ladder.status === "running")) { pending = true; }
      var line = uploadedRows[m.id];
      if (line && !(m.status === "queued" || m.status === "running")) {
        var state = next.querySelector(".media-state");
        line.note.textContent = " " + (state ? state.textContent.trim() : "");
        line.li.className = m.status === "failed" ? "error" : "ok";
        delete uploadedRows[m.id];
      }
    });
    if (data.media.length) {
      table.hidden = false;
      var empty = box.querySelector(".empty");
      if (empty) { empty.remove(); }
    }
    return pending;
  }

  function poll() {
    polling = true;
    fetch(form.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (show(data)) {
          setTimeout(poll, POLL_MS);
        } else {
          polling = false;
        }
      })
      .catch(function () { setTimeout(poll, POLL_MS * 5); });
  }

  function startPolling() {
    if (!polling) { poll(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { return; }
    var stored = 0;
    files.reduce(function (chain, file) {
      return chain.then(function () { return send(file); }).then(function (ok) {
        stored += ok ? 1 : 0;
        if (ok) { startPolling(); }
      });
    }, Promise.resolve()).then(function () { if (stored) { startPolling(); } });
  });

  // Retry in place: queue the job again and follow it, without leaving the page.
  box.addEventListener("submit", function (event) {
    var retry = event.target.closest("form.retry");
    if (!retry) { return; }
    event.preventDefault();
    var button = retry.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(retry.action, {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": form.dataset.csrf }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok) {
        var note = document.createElement("p");
        note.className = "error";
        note.textContent = answer.data && answer.data.error ? answer.data.error.message : say.failed.replace("STATUS", "");
        retry.after(note);
        if (button) { button.disabled = false; }
      }
      startPolling();
    }).catch(function () {
      if (button) { button.disabled = false; }
    });
  });

  if (box.querySelector('[data-status="queued"], [data-status="running"], [data-streaming="queued"], [data-streaming="running"]')) {
    setTimeout(startPolling, POLL_MS);
  }
})();
