// "Copy" buttons beside read-only addresses: shown only where the browser can copy, they put the
// address on the clipboard and say so. Without JS the address can still be selected by hand.
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
    if (button.dataset.ready) { return; }
    button.dataset.ready = "1";
    var field = document.getElementById(button.dataset.copy);
    if (!field) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { field.select(); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("input.copyable"), function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
}());
