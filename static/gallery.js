// An exhibition's gallery: a thumbnail opens its picture in a lightbox, operated by keyboard
// (arrows step, Escape closes and returns focus to the thumbnail). Without JS each is a plain link.
(function () {
  "use strict";
  var gallery = document.getElementById("gallery");
  if (!gallery) { return; }
  var links = Array.prototype.slice.call(gallery.querySelectorAll("a.gallery-link[data-full]"));
  if (!links.length) { return; }
  var labels = gallery.dataset;
  var opener = null, index = 0;

  function button(text, name) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "lightbox-" + name;
    b.textContent = text;
    return b;
  }
  var box = document.createElement("div");
  box.className = "lightbox";
  box.hidden = true;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-label", labels.labelDialog);
  var figure = document.createElement("figure");
  var img = document.createElement("img");
  var caption = document.createElement("figcaption");
  figure.append(img, caption);
  var controls = document.createElement("div");
  controls.className = "lightbox-controls";
  var previous = button("← " + labels.labelPrevious, "previous");
  var next = button(labels.labelNext + " →", "next");
  var close = button(labels.labelClose, "close");
  controls.append(previous, next, close);
  box.append(figure, controls);
  document.body.append(box);

  function show(i) {
    index = (i + links.length) % links.length;
    var link = links[index];
    var thumb = link.querySelector("img");
    img.src = link.dataset.full;
    img.srcset = link.dataset.srcset || "";
    img.sizes = "100vw";
    img.width = +link.dataset.width;
    img.height = +link.dataset.height;
    // The thumbnail's link is named by its caption (the thumbnail itself has an empty alt, not to say it twice).
    var name = link.querySelector(".caption");
    img.alt = thumb && thumb.alt ? thumb.alt : (name ? name.textContent.trim() : "");
    if (name && name.lang) { img.lang = name.lang; } else { img.removeAttribute("lang"); }
    caption.textContent = "";
    var title = link.querySelector(".caption").cloneNode(true);
    var main = document.createElement("strong");
    main.append(title);
    caption.append(main);
    var others = link.parentElement.querySelector(".gallery-captions");
    if (others) {
      Array.prototype.forEach.call(others.children, function (span) {
        caption.append(document.createElement("br"), span.cloneNode(true));
      });
    }
    var position = document.createElement("span");
    position.className = "lightbox-position";
    position.textContent = labels.labelPosition.replace("{number}", index + 1).replace("{count}", links.length);
    var page = document.createElement("a");
    page.href = link.href;
    page.textContent = labels.labelOpen;
    caption.append(document.createElement("br"), position, document.createTextNode(" · "), page);
    previous.hidden = next.hidden = links.length < 2;
  }
  function open(i) {
    opener = links[i];
    show(i);
    box.hidden = false;
    document.body.classList.add("lightbox-open");
    close.focus();
  }
  function shut() {
    box.hidden = true;
    document.body.classList.remove("lightbox-open");
    if (opener) { links[index].focus(); }
  }
  links.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      open(i);
    });
  });
  previous.addEventListener("click", function () { show(index - 1); });
  next.addEventListener("click", function () { show(index + 1); });
  close.addEventListener("click", shut);
  box.addEventListener("click", function (event) { if (event.target === box) { shut(); } });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); shut(); }
    else if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
    else if (event.key === "Tab") {
      var focusable = Array.prototype.filter.call(box.querySelectorAll("button, a[href]"), function (el) { return !el.hidden; });
      var first = focusable[0], last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });
})();
