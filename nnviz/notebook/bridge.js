// nnviz in a notebook, inside the player's page (in a sandboxed iframe): tells the page
// around it how tall this page is and which step it shows, and steps when told to.
// Messages out: {nnviz: "height", px}, {nnviz: "step", step} (0-based; steps + 1 positions
// with the update animation last).  In: {nnviz: "go", step}.
(function () {
  "use strict";
  if (window.parent === window) return;
  var body = document.body;
  function post(msg) { window.parent.postMessage(msg, "*"); }
  function height() { post({nnviz: "height", px: body.getBoundingClientRect().height + 2}); }
  function step() {
    var n = parseInt(body.getAttribute("data-slide"), 10);
    if (!isNaN(n)) post({nnviz: "step", step: n - 1});
  }
  new MutationObserver(step).observe(body, {attributes: true, attributeFilter: ["data-slide"]});
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || !d || d.nnviz !== "go") return;
    var i = Math.round(Number(d.step));
    if (isNaN(i)) return;
    if (window.nnvizPlayer && window.nnvizPlayer.go) window.nnvizPlayer.go(i);
    else location.hash = "#" + (i + 1);
  });
  step();
  // the player draws itself in a module script, which runs after this one: measure from load on
  window.addEventListener("load", function () {
    height();
    if (window.ResizeObserver) new ResizeObserver(height).observe(body);
  });
})();
