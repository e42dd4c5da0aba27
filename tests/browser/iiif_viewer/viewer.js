// Opens the manifest named by ?manifest= in Mirador, one window, as a site embedding a viewer would.
(function () {
  "use strict";
  var manifest = new URLSearchParams(window.location.search).get("manifest");
  window.viewer = Mirador.viewer({
    id: "viewer",
    windows: [{ manifestId: manifest }],
    window: { allowClose: false, defaultSideBarPanel: "info", sideBarOpenByDefault: true },
    workspaceControlPanel: { enabled: false }
  });
}());
