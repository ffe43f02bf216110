// nnviz's live notebook player (an anywidget ES module): the walk-through page in a sandboxed
// frame, as in the text/html output, with the step it shows shared with Python as the
// model's "step" (0-based; the number of steps is the update animation).  The page's
// bridge.js posts {nnviz: "height" | "step"} and obeys {nnviz: "go", step}.
const MAX_PX = 2400;

function render({ model, el }) {
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts allow-downloads");  // downloads: "Save this graph"
  frame.setAttribute("title", model.get("title"));
  frame.style.cssText = "display:block;width:100%;max-width:1200px;border:1px solid #ddd;" +
                        "border-radius:4px;background:#fff";
  frame.style.height = model.get("frame_height") + "px";
  let tallest = 0, shown = -1, ready = false;

  function go() {
    const i = model.get("step");
    if (ready && i !== shown) frame.contentWindow.postMessage({nnviz: "go", step: i}, "*");
  }
  function onMessage(e) {
    const d = e.data;
    if (e.source !== frame.contentWindow || !d) return;
    if (d.nnviz === "height") {
      const px = Math.min(MAX_PX, Math.ceil(Number(d.px) || 0));
      if (px > tallest) { tallest = px; frame.style.height = px + "px"; }
    } else if (d.nnviz === "step" && ready) {  // before load: the page's first step, not the user's
      shown = d.step;
      if (model.get("step") !== d.step) { model.set("step", d.step); model.save_changes(); }
    }
  }
  window.addEventListener("message", onMessage);
  model.on("change:step", go);
  frame.addEventListener("load", () => { ready = true; go(); });
  frame.srcdoc = model.get("srcdoc");
  el.append(frame);
  return () => { window.removeEventListener("message", onMessage); model.off("change:step", go); };
}

export default { render };
