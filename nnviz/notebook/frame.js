// nnviz in a notebook, the page around the player: each nnviz frame grows to the height
// its page reports (bridge.js posts it), never shrinks while stepping (so the buttons stay
// under the mouse), and is wired once however many outputs run this script.
(function () {
  "use strict";
  var MAX_PX = 2400;
  var frames = document.querySelectorAll("iframe[data-nnviz-frame]");
  Array.prototype.forEach.call(frames, function (frame) {
    if (frame.nnvizWired) return;
    frame.nnvizWired = true;
    var tallest = 0;
    window.addEventListener("message", function (e) {
      var d = e.data;
      if (e.source !== frame.contentWindow || !d || d.nnviz !== "height") return;
      var px = Math.min(MAX_PX, Math.ceil(Number(d.px) || 0));
      if (px > tallest) { tallest = px; frame.style.height = px + "px"; }
    });
  });
})();
