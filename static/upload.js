// Upload page: sends each chosen file as the raw request body with a progress bar, then polls the
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
    broken: form.dataset.broken || "The connection broke off; nothing was stored. Try again.",
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

  function send(file) {
    return new Promise(function (resolve) {
      var view = row(file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.uploadUrl + "?filename=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("X-CSRFToken", form.dataset.csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          view.bar.value = Math.round(100 * event.loaded / event.total);
          view.note.textContent = " " + view.bar.value + "%";
        }
      };
      xhr.onload = function () {
        var message = null;
        try { message = JSON.parse(xhr.responseText); } catch (e) { message = null; }
        if (xhr.status === 201) {
          view.bar.value = 100;
          view.note.textContent = " " + say.uploaded;
          view.li.className = "ok";
          if (message && message.id) { uploadedRows[message.id] = view; }
          resolve(true);
        } else {
          view.note.textContent = " " + (message && message.error ? message.error.message : say.failed.replace("STATUS", xhr.status));
          view.li.className = "error";
          resolve(false);
        }
      };
      xhr.onerror = function () {
        view.note.textContent = " " + say.broken;
        view.li.className = "error";
        resolve(false);
      };
      xhr.send(file);
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
      } else if (current.dataset.status !== next.dataset.status || current.dataset.progress !== next.dataset.progress) {
        current.replaceWith(next);
      }
      if (m.status === "queued" || m.status === "running") { pending = true; }
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

  if (box.querySelector('[data-status="queued"], [data-status="running"]')) {
    setTimeout(startPolling, POLL_MS);
  }
})();
