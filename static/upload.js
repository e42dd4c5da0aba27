// Upload page: sends each chosen file as the raw request body with a progress bar, then polls
// the item's processing status until every file is ready or failed.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var input = document.getElementById("upload-files");
  var list = document.getElementById("upload-list");
  // The page gives the messages in the interface language; English when it does not.
  var say = {
    uploaded: form.dataset.uploaded || "uploaded; processing…",
    failed: form.dataset.failed || "Upload failed (STATUS).",
    broken: form.dataset.broken || "The connection broke off; nothing was stored. Try again.",
    finished: form.dataset.finished || "Processing finished: show the files"
  };

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
        var message = "";
        try { message = JSON.parse(xhr.responseText); } catch (e) { message = null; }
        if (xhr.status === 201) {
          view.bar.value = 100;
          view.note.textContent = " " + say.uploaded;
          view.li.className = "ok";
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

  function poll() {
    fetch(form.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var pending = data.media.some(function (m) { return m.status === "queued" || m.status === "running"; });
        if (pending) {
          setTimeout(poll, 2000);
        } else if (list.querySelector("li.error")) {
          // Keep the reasons for refused files on screen; offer the refreshed list instead.
          var note = document.createElement("p");
          var link = document.createElement("a");
          link.href = window.location.pathname;
          link.textContent = say.finished;
          note.appendChild(link);
          list.parentNode.insertBefore(note, list.nextSibling);
        } else {
          window.location.reload();
        }
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { return; }
    var stored = 0;
    files.reduce(function (chain, file) {
      return chain.then(function () { return send(file); }).then(function (ok) { stored += ok ? 1 : 0; });
    }, Promise.resolve()).then(function () { if (stored) { poll(); } });
  });

  if (document.querySelector("#media-status progress") || document.querySelector('#media-status [data-status="queued"], #media-status [data-status="running"]')) {
    setTimeout(poll, 2000);
  }
})();
