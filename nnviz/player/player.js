// nnviz player: one backprop walk-through (nnviz.export.walkthrough) stepped in the page.
//
//   import { render } from "./player.js";
//   const p = render(el, walkthrough, {step: 0, view: "matrix", j: 0, k: 0, projector: false,
//                                      globalKeys: false, drawAhead: true, saveImages: true,
//                                      Plotly, katex});
//   (every option may be left out: the values above are the defaults; Plotly and katex
//   default to window.Plotly and window.katex; j, k: the neuron shown in the "one neuron"
//   view; saveImages: false hides the "Save this graph: PNG · SVG" links, which projection
//   mode hides too)
//   p.go(i); p.step(+1); p.onChange((i, info) => ...); p.current(); p.destroy();
//   p.drawAhead(false);  // no charts drawn ahead (a page short of memory; a benchmark's baseline)
//
// Positions 0 .. steps.length-1 are the steps; steps.length is the update animation.
// Keys (→ / Page Down / Space next, ← / Page Up previous, Home / End) go to the player
// that has focus; with globalKeys, also to this one when no other player or form field
// has it.  A step redraws the chart in place (Plotly.react) and re-typesets only the
// formulas that changed; a key draws at once (several keys within one frame: the last,
// at the next frame).  Nothing is fetched.
//
// The walk-through (version 2) holds each step's figure as the patch from the step before
// (nnviz/export/patch.py); applyPatch puts it back sharing every unchanged part with the
// step before, so Plotly.react skips what did not change.
//
// Drawn ahead: while the page is idle, the steps next to the one shown are drawn into two
// hidden charts (.nnp-spare, in the same box); a key that goes there only swaps which chart
// is shown (.nnp-fig), so the page paints a chart it already has instead of plotly.js
// redrawing one (a 5 × 8 network's chart takes it ~30 ms).  Any other move redraws the
// chart shown, as before.

const KEYS = {ArrowRight: 1, PageDown: 1, " ": 1, ArrowLeft: -1, PageUp: -1};
const SWIPE_PX = 40;
const AHEAD_AFTER_MS = 120;  // a pause this long after a step before drawing its neighbours

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function formField(t) {
  return !!(t && t.closest && t.closest("input, textarea, select, [contenteditable=''], " +
                                       "[contenteditable='true'], [role='slider'], [role='textbox']"));
}

// name like "w^1_12" as w<sup>1</sup><sub>12</sub> (DOM nodes, no HTML parsing)
function paramName(row) {
  return h("span", {}, row.p, h("sup", {text: String(row.l)}),
           h("sub", {text: String(row.j) + (row.k ? String(row.k) : "")}));
}

// patch: [value] (whole), [] (gone, a dict's key only) or {key or index: patch} (see patch.py)
export function applyPatch(old, patch) {
  if (patch === null || patch === undefined) return old;
  if (Array.isArray(patch)) return patch[0];
  const out = Array.isArray(old) ? old.slice() : Object.assign({}, old);
  for (const [k, p] of Object.entries(patch)) {
    if (Array.isArray(p) && !p.length) delete out[k];
    else out[Array.isArray(out) ? Number(k) : k] = applyPatch(out[Array.isArray(out) ? Number(k) : k], p);
  }
  return out;
}

export function unchain(patches) {
  const out = [];
  let prev = {};
  for (const p of patches) out.push(prev = applyPatch(prev, p));
  return out;
}

function animation(packed) {  // an update figure: frames from their patches
  const {frame_patches, ...fig} = packed;
  fig.frames = unchain(frame_patches || []);
  return fig;
}

export function render(el, wt, options = {}) {
  const Plotly = options.Plotly || window.Plotly;
  const katex = options.katex || window.katex;
  const steps = wt.steps, N = steps.length, last = N;
  const texCache = new Map();
  const listeners = [];
  let cur = -1, want = 0, frame = 0, shownFig = -1, codeMoved = true;
  let drewThisFrame = false, scrollFrame = 0;
  let view = options.view === "scalar" ? "scalar" : "matrix", j = options.j || 0, k = options.k || 0;
  let drawAhead = options.drawAhead !== false;
  const shown = {code: null, expl: null};
  let dir = 1;  // the way the reader last moved: its next step is typeset ahead

  // a position in 0 .. last (a number or a numeric string, rounded and clamped); anything
  // else keeps the position wanted now
  function clamp(i) {
    const n = typeof i === "number" || (typeof i === "string" && i.trim() !== "") ? Number(i) : NaN;
    return isNaN(n) ? want : Math.max(0, Math.min(last, Math.round(n)));
  }
  want = clamp(options.step || 0);

  // ---- DOM ------------------------------------------------------------------------
  el.textContent = "";
  const root = h("div", {class: "nnviz-player" + (options.projector ? " nnp-projector" : ""),
                         tabindex: "0", role: "region", "aria-label": wt.title || "nnviz walk-through"});
  const badge = h("span", {class: "nnp-badge"});
  const label = h("strong", {class: "nnp-label", "aria-live": "polite"});
  const heading = h("span", {class: "nnp-heading"});
  const btn = (name, text, title, extra) =>
    h("button", {type: "button", class: "nnp-btn " + (extra || ""), "data-go": name, title, "aria-label": name}, text);
  const first = btn("First", "First", "First step (Home)"), prev = btn("Previous", "◀ Prev", "Previous (← or Page Up)");
  const next = btn("Next", "Next ▶", "Next (→, Page Down or Space)", "nnp-primary"), end = btn("Last", "Last", "Last (End)");
  const scrub = h("input", {type: "range", class: "nnp-scrub", min: "1", max: String(N + 1), step: "1",
                            "aria-label": "Step", title: "Drag to any step"});
  const nav = h("nav", {class: "nnp-nav", "aria-label": "Steps"}, first, prev, next, end, scrub);
  const head = h("div", {class: "nnp-head"}, h("div", {class: "nnp-title"}, badge, label, " · ", heading), nav);
  const box = h("div", {class: "nnp-figbox", role: "img"});  // the chart shown and the charts drawn ahead
  let fig = h("div", {class: "nnp-fig"});
  const spares = [h("div", {class: "nnp-spare", "aria-hidden": "true"}), h("div", {class: "nnp-spare", "aria-hidden": "true"})];
  box.append(fig, ...spares);
  const holds = new Map();  // chart -> {key, i}: the figure it has drawn, once drawn
  const spareWith = (key, i) => spares.find(g => { const x = holds.get(g); return x && x.key === key && x.i === i; });
  const save = h("div", {class: "nnp-save"}, "Save this graph: ",
                 h("button", {type: "button", class: "nnp-link", "data-format": "png"}, "PNG"), " · ",
                 h("button", {type: "button", class: "nnp-link", "data-format": "svg"}, "SVG"));
  const viewBox = h("div", {class: "nnp-views", role: "group", "aria-label": "Formula view"});
  const vMatrix = h("button", {type: "button", class: "nnp-view", "data-view": "matrix"}, "Matrix (whole layer)");
  const vScalar = h("button", {type: "button", class: "nnp-view", "data-view": "scalar"}, "One neuron");
  const pickJ = h("select", {class: "nnp-pick", "aria-label": "neuron j"});
  const pickK = h("select", {class: "nnp-pick", "aria-label": "input k"});
  viewBox.append(vMatrix, vScalar, pickJ, pickK);
  const sym = texBox("sym"), num = texBox("num");
  const expl = h("p", {class: "nnp-expl"}), code = h("div", {class: "nnp-code"});
  // the update's table (hundreds of rows for a larger network): built ahead and kept laid out,
  // hidden as a layer under nothing (.nnp-ahead in its clipping box) while other steps show
  const table = h("div", {class: "nnp-table nnp-ahead", "aria-hidden": "true"});
  const side = h("div", {class: "nnp-side"}, viewBox, sym.box, num.box, expl, code,
                 h("div", {class: "nnp-tablebox"}, table));
  save.hidden = options.saveImages === false || !!options.projector;
  root.append(head, h("div", {class: "nnp-cols"}, h("div", {class: "nnp-left"}, box, save), side));
  if (wt.code_css && wt.code_css.length) root.prepend(h("style", {text: wt.code_css.join("\n")}));  // the code panel's own CSS
  el.append(root);

  // ---- drawing ----------------------------------------------------------------------
  function typeset(src) {  // KaTeX's HTML of our own LaTeX (null: shown as text), made once
    let html = texCache.get(src);
    if (html === undefined) {
      try {
        html = katex.renderToString(src, {displayMode: true, throwOnError: false, trust: false, strict: "ignore"});
      } catch (e) { html = null; }
      texCache.set(src, html);
    }
    return html;
  }

  function put(el, src) {  // a formula into a layer
    const html = typeset(src);
    if (html === null) el.textContent = src; else el.innerHTML = html;
    fit(el);
  }

  function tex(t, src) {
    if (t.src === src) return;
    if (t.aheadSrc === src) {  // typeset and laid out ahead: the two layers swap their classes
      const old = t.el;
      t.el = t.ahead;
      t.ahead = old;
      t.el.className = layerClass(t.name, false);
      t.el.removeAttribute("aria-hidden");
      t.el.hidden = old.hidden;
      old.className = layerClass(t.name, true);
      old.setAttribute("aria-hidden", "true");
      old.hidden = false;
      t.aheadSrc = t.src;  // what was shown: the step back, already laid out
    } else {
      put(t.el, src);
    }
    t.src = src;
  }

  function texAhead(t, src) {
    if (t.src === src || t.aheadSrc === src) return;
    put(t.ahead, src);
    t.aheadSrc = src;
  }

  // While the page is idle, the formulas of the steps next to step i are typeset ahead
  // (a 5 × 8 network's matrices take KaTeX a few ms each), and the next step's (the way
  // the reader moves) are put in the layers ahead, laid out there (laying out a 5 × 8
  // network's matrix of numbers cost ~20 ms): the next key only swaps two layers.
  // idle time, or soon: a page that is never idle (a busy host page) still gets its work done
  const idle = window.requestIdleCallback ? cb => window.requestIdleCallback(cb, {timeout: 80}) : cb => setTimeout(cb, 50);
  let warmed = -1;
  const texOf = s => s.tex[view === "scalar" ? "scalar" : "matrix"];  // as drawSide picks them
  const numbersOf = s => view === "scalar"
    ? s.numbers.scalar[Math.min(j, s.neurons.j - 1)][Math.min(k, s.neurons.k - 1)] : s.numbers.matrix;
  function warm(i) {
    if (warmed === i) return;
    warmed = i;
    idle(() => {
      for (const n of [i + dir, i - dir]) {
        const s = steps[n];
        if (warmed !== i) continue;
        if (n === last && dir > 0 && drawAhead) {  // the update's formula and table
          texAhead(sym, wt.update.tex);
          buildTable();
        }
        if (!s) continue;
        if (n !== i + dir || !drawAhead) { typeset(texOf(s)); typeset(numbersOf(s)); continue; }
        texAhead(sym, texOf(s));
        texAhead(num, numbersOf(s));
      }
    });
  }

  // A formula's box: the layer shown (.nnp-sym / .nnp-num) and a layer typeset ahead, under
  // it, hidden by opacity (player.css).
  function layerClass(name, ahead) {  // a formula's layer: shown (.nnp-sym) or ahead (.nnp-sym-ahead)
    return ahead ? `nnp-tex nnp-ahead nnp-${name}-ahead` : `nnp-tex nnp-${name}`;
  }
  function texBox(name) {
    const el = h("div", {class: layerClass(name, false)});
    const ahead = h("div", {class: layerClass(name, true), "aria-hidden": "true"});
    return {name, el, ahead, box: h("div", {class: "nnp-texbox"}, el, ahead), src: null, aheadSrc: null};
  }
  function refit() {  // a new width or new fonts: the layers shown fit again, the ones ahead are redone
    for (const t of [sym, num]) { fit(t.el); t.aheadSrc = null; }
  }

  // Projection mode: a formula wider than its column (a mini-batch's three matrices side by
  // side) shrinks until it fits, never below the projector's 16 px floor (then it scrolls).
  function fit(target) {
    const ks = options.projector ? [...target.querySelectorAll(".katex")] : [];
    if (!ks.length) return;
    for (const k of ks) k.style.fontSize = "";
    const wide = () => target.scrollWidth > target.clientWidth + 1 || ks.some(k => k.scrollWidth > k.clientWidth + 1);
    let px = Math.max(...ks.map(k => parseFloat(getComputedStyle(k).fontSize)));
    while (wide() && px > 16) {
      px = Math.max(16, px * 0.94);
      for (const k of ks) k.style.fontSize = px + "px";
    }
  }

  function options_(select, n, value, name) {
    if (select.options.length !== n) {
      select.textContent = "";
      for (let v = 0; v < n; v++) select.append(h("option", {value: String(v)}, `${name} = ${v + 1}`));
    }
    select.value = String(value);
  }

  // a page narrower than 640 px draws the figure laid out for a phone, where there is one
  const narrow = () => root.clientWidth > 0 && root.clientWidth < 640;
  const figs = {};  // "figure" / "figure_phone" -> every position's whole figure, made once
  const figKey = () => isNarrow && wt.update.figure_phone ? "figure_phone" : "figure";
  function figureFor(i) {
    const key = figKey();
    if (!figs[key]) {
      figs[key] = unchain(steps.map(s => s[key + "_patch"]));
      figs[key].push(animation(wt.update[key]));
    }
    return figs[key][i];
  }
  // The width is read when it changes (reading it in a step would lay the page out there)
  let isNarrow = narrow();
  const onResize = () => {  // a phone turned sideways: the other layout
    if (narrow() !== isNarrow) { isNarrow = !isNarrow; if (cur >= 0) { shownFig = -1; draw(cur); } }
    refit();
  };
  window.addEventListener("resize", onResize);
  let observedWidth = -1;  // only a new width matters (the height changes with every step)
  const resized = typeof ResizeObserver === "function" ? new ResizeObserver(entries => {
    const w = entries[entries.length - 1].contentRect.width;
    if (w !== observedWidth) { observedWidth = w; requestAnimationFrame(onResize); }  // next frame: no resize loop
  }) : null;
  if (resized) resized.observe(root);
  if (options.projector && document.fonts) document.fonts.ready.then(refit);  // KaTeX's fonts change widths

  function draw(i) {
    const s = i === last ? wt.update : steps[i];
    root.dataset.step = String(i + 1);
    root.dataset.phase = s.phase;
    badge.className = "nnp-badge " + s.phase;
    badge.textContent = s.phase_name;
    label.textContent = s.label;
    heading.textContent = s.heading;
    first.disabled = prev.disabled = i === 0;
    next.disabled = end.disabled = i === last;
    scrub.value = String(i + 1);
    scrub.setAttribute("aria-valuetext", s.label);
    if (shownFig !== i) {
      shownFig = i;
      box.setAttribute("aria-label", s.title || s.heading);
      root.dataset.drawn = "";
      fitBox(figureFor(i).layout);
      const key = figKey(), ready = spareWith(key, i);
      if (ready) {  // drawn ahead: show it (the formulas and code change in the same frame)
        swap(ready);
        shown_(i);
      } else {
        // The formulas and code follow the chart, in the same task: plotly.js lays the page
        // out as it starts, and would lay out their new content there too, then again.
        plot(fig, i).then(() => { if (shownFig === i) shown_(i); },
                          e => { console.error(e); if (shownFig === i) drawSide(i); });
      }
    } else {
      drawSide(i);
    }
  }

  function plot(gd, i) {  // Plotly.react; gd holds figure i of this layout once it resolves
    const key = figKey(), f = figureFor(i);
    holds.delete(gd);
    // the config once per chart: given again, plotly.js rebuilds its whole context each time
    return Plotly.react(gd, {data: f.data, layout: f.layout, frames: f.frames || [],
                             config: gd._context ? undefined : {displayModeBar: false, responsive: false}})
      .then(() => { holds.set(gd, {key, i}); });
  }

  function shown_(i) {  // chart i is on the page: the side, the events, the charts ahead
    drawSide(i);
    root.dataset.drawn = String(i + 1);
    announce(i);
    warm(i);
    ahead(i);
  }

  // Every chart is placed at the box's top left (player.css), so showing another one only
  // changes what is painted, not the page's layout (laying out a chart's SVG again cost more
  // than plotly.js drawing it); the box takes the size of the figure shown.
  function swap(ready) {  // the chart drawn ahead becomes the one shown; the one shown, a spare
    const old = fig;
    spares[spares.indexOf(ready)] = old;
    old.classList.replace("nnp-fig", "nnp-spare");  // (plotly.js has its own classes there)
    old.setAttribute("aria-hidden", "true");
    ready.classList.replace("nnp-spare", "nnp-fig");
    ready.removeAttribute("aria-hidden");
    fig = ready;
  }

  // The box has the size of the figure shown (the figures set theirs), and nothing outside
  // it lays it out again (contain: strict, player.css): without it, every step's new formula
  // laid out the charts' SVG again, which cost more than drawing one.
  let boxSize = "";
  function fitBox(layout) {
    const size = layout.width && layout.height ? layout.width + "x" + layout.height : "";
    if (size === boxSize) return;
    boxSize = size;
    box.style.width = size ? layout.width + "px" : "";
    box.style.height = size ? layout.height + "px" : "";
    box.classList.toggle("nnp-sized", !!size);
  }

  // After a step is shown and the reader pauses, its neighbours are drawn into the spares
  // when the page is idle: one chart per idle callback (a key in between is served first),
  // into the spare that holds neither neighbour.  Keys pressed faster than the pause (a key
  // held down) draw as before, not waiting behind a chart drawn ahead.
  let aheadFor = -1;
  function ahead(i) {
    aheadFor = i;
    if (!drawAhead) return;
    setTimeout(() => idle(next), AHEAD_AFTER_MS);
    function next() {
      if (aheadFor !== i || shownFig !== i) return;
      const key = figKey(), n = [i + 1, i - 1].find(m => m >= 0 && m <= last && !spareWith(key, m));
      if (n === undefined) return;
      const free = spares.find(g => { const x = holds.get(g); return !x || x.key !== key || Math.abs(x.i - i) !== 1; });
      if (!free) return;
      plot(free, n).then(() => idle(next), e => console.error(e));
    }
  }

  function drawSide(i) {  // the formulas, the explanation, the code or the update's table
    const s = i === last ? wt.update : steps[i];
    if (i === last) {
      viewBox.hidden = true;
      tex(sym, wt.update.tex);
      num.el.hidden = true;
      showTable(true);
      code.hidden = true;
      codeMoved = true;  // shown again later: scrolled again
    } else {
      const n = s.neurons, both = !!(wt.views && wt.views.length > 1);
      viewBox.hidden = !both || !!options.projector;
      vMatrix.classList.toggle("nnp-on", view === "matrix");
      vScalar.classList.toggle("nnp-on", view === "scalar");
      const scalar = view === "scalar" && s.kind !== "input";
      pickJ.hidden = !scalar;
      pickK.hidden = !scalar || n.k < 2;
      const jj = Math.min(j, n.j - 1), kk = Math.min(k, n.k - 1);
      if (scalar) { options_(pickJ, n.j, jj, "j"); options_(pickK, n.k, kk, "k"); }
      tex(sym, texOf(s));
      tex(num, numbersOf(s));
      num.el.hidden = false;
      showTable(false);
      code.hidden = false;
      if (shown.code !== s.code) {
        shown.code = s.code;
        showCode(wt.code[s.code]);
        codeMoved = true;
      }
      // the running line in view, a third down: measured at the frame (where the page is
      // laid out anyway), not here (that would lay it out once more), and only when it moved
      if (codeMoved && !scrollFrame) scrollFrame = requestAnimationFrame(scrollCode);
      codeMoved = false;
    }
    if (shown.expl !== s.explanation) { shown.expl = s.explanation; expl.textContent = s.explanation; }
  }

  // A code panel (nnviz.trace.codeview's HTML: the seed's source, escaped there) replaces
  // only the lines that differ from the panel shown (its marked lines, a note): a step
  // then restyles a few lines, not the whole source (a page with much CSS pays per element).
  let codeLines = null;  // the HTML of each line of the panel shown, when it is one box of lines
  function showCode(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    const box = t.content.firstElementChild, old = code.firstElementChild;
    const lines = box && t.content.childElementCount === 1 ? [...box.children] : null;
    const attrs = e => [...e.attributes].map(a => a.name + "=" + a.value).join(" ");
    const same = lines && old && codeLines && codeLines.length === lines.length &&
      old.tagName === box.tagName && attrs(old) === attrs(box);
    const html_ = lines ? lines.map(e => e.outerHTML) : null;
    if (same) {
      html_.forEach((h_, n) => { if (h_ !== codeLines[n]) old.children[n].replaceWith(lines[n]); });
    } else {
      code.replaceChildren(t.content);
    }
    codeLines = html_;
  }

  function scrollCode() {
    scrollFrame = 0;
    const hl = code.querySelector(".hl"), box = hl && code.querySelector(".nnviz-code");
    if (box && box.scrollHeight > box.clientHeight) {
      box.scrollTop += hl.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
    }
  }

  function buildTable() {  // once: kept laid out, hidden, until the update shows it
    if (!table.firstChild) table.append(updateTable(wt.update.rows));
  }

  function showTable(on) {
    if (on) buildTable();
    table.classList.toggle("nnp-ahead", !on);
    if (on) table.removeAttribute("aria-hidden"); else table.setAttribute("aria-hidden", "true");
  }

  function updateTable(rows) {
    const t = h("table", {class: "nnp-upd"});
    t.append(h("thead", {}, h("tr", {}, ...["parameter", "before", "gradient Σ∂C/∂·", "after"].map(
      x => h("th", {text: x})))));
    const body = h("tbody");
    for (const r of rows) body.append(h("tr", {}, h("td", {}, paramName(r)), h("td", {text: r.before}),
                                         h("td", {text: r.gradient}), h("td", {text: r.after})));
    t.append(body);
    return t;
  }

  function announce(i) {
    root.dispatchEvent(new CustomEvent("nnviz:drawn", {detail: {step: i}, bubbles: true}));
  }

  function flush() {
    frame = 0;
    if (want === cur) return;
    if (cur >= 0) dir = want < cur ? -1 : 1;
    cur = want;
    draw(cur);
    const info = {step: cur, last, view, j, k};
    for (const cb of listeners) { try { cb(cur, info); } catch (e) { console.error(e); } }
  }

  function go(i) {  // the first move of a frame draws at once; later ones at the next frame
    want = clamp(i);
    if (frame) return want;
    if (drewThisFrame) {
      frame = requestAnimationFrame(flush);
    } else {
      drewThisFrame = true;
      requestAnimationFrame(() => { drewThisFrame = false; });
      flush();
    }
    return want;
  }

  function redraw() {  // the view or neuron changed: same step, other formulas
    if (cur >= 0) { draw(cur); warmed = -1; warm(cur); }  // the next step's formulas in this view, ahead
    for (const cb of listeners) { try { cb(cur, {step: cur, last, view, j, k}); } catch (e) { console.error(e); } }
  }

  // ---- input ------------------------------------------------------------------------
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return false;
    let to = null;
    if (e.key in KEYS) to = want + KEYS[e.key];
    else if (e.key === "Home") to = 0;
    else if (e.key === "End") to = last;
    if (to === null) return false;
    e.preventDefault();
    go(to);
    return true;
  }
  root.addEventListener("keydown", e => {
    if (formField(e.target) && e.target !== scrub) return;
    if (e.target.tagName === "BUTTON" && e.key === " ") return;  // Space presses the focused button
    if (onKey(e)) e.stopPropagation();
  });
  function onDocKey(e) {
    if (root.contains(e.target) || formField(e.target)) return;
    const a = document.activeElement;
    if (a && a !== document.body && a.closest && a.closest(".nnviz-player")) return;  // another player has focus
    if (e.target.closest && e.target.closest("button, a, [role='button'], [role='tab']") && e.key === " ") return;
    onKey(e);
  }
  if (options.globalKeys) document.addEventListener("keydown", onDocKey);
  nav.addEventListener("click", e => {
    const b = e.target.closest("button");
    if (!b) return;
    const name = b.dataset.go;
    go(name === "First" ? 0 : name === "Previous" ? want - 1 : name === "Next" ? want + 1 : last);
  });
  save.addEventListener("click", e => {
    const b = e.target.closest("button");
    if (!b || cur < 0) return;
    const name = cur === last ? "update" : "step" + String(cur + 1).padStart(2, "0");
    Plotly.downloadImage(fig, {format: b.dataset.format, filename: "nnviz-" + name, scale: b.dataset.format === "png" ? 2 : 1,
                               width: fig.layout.width, height: fig.layout.height});
  });
  scrub.addEventListener("input", () => go(Number(scrub.value) - 1));
  viewBox.addEventListener("click", e => {
    const b = e.target.closest("button");
    if (b && b.dataset.view && b.dataset.view !== view) { view = b.dataset.view; redraw(); }
  });
  pickJ.addEventListener("change", () => { j = Number(pickJ.value); redraw(); });
  pickK.addEventListener("change", () => { k = Number(pickK.value); redraw(); });
  let touch = null;
  box.addEventListener("touchstart", e => {
    if (e.touches.length === 1) touch = {x: e.touches[0].clientX, y: e.touches[0].clientY};
  }, {passive: true});
  box.addEventListener("touchend", e => {
    if (!touch || !e.changedTouches.length) return;
    const dx = e.changedTouches[0].clientX - touch.x, dy = e.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 1.5 * Math.abs(dy)) go(want + (dx < 0 ? 1 : -1));
  });

  go(want);  // the first step synchronously: the page shows it without waiting a frame
  return {
    go, step: d => go(want + d), current: () => cur, last,
    view: v => { if (v === "matrix" || v === "scalar") { view = v; redraw(); } return view; },
    drawAhead: on => { drawAhead = !!on; if (!drawAhead) holds.clear(); return drawAhead; },
    onChange: cb => { listeners.push(cb); return () => listeners.splice(listeners.indexOf(cb), 1); },
    element: root,
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      if (scrollFrame) cancelAnimationFrame(scrollFrame);
      if (resized) resized.disconnect();
      document.removeEventListener("keydown", onDocKey);
      window.removeEventListener("resize", onResize);
      aheadFor = -1;
      for (const gd of [fig, ...spares]) { try { Plotly.purge(gd); } catch (e) { /* already gone */ } }
      el.textContent = "";
    },
  };
}
