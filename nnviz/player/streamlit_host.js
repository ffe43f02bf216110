// The player in the Streamlit app (a custom component v2, no iframe): nnviz_app/player_host.py.
// data = {id, wt (the walk-through, or null once the page said it holds that id), step, view, j, k,
//         projector, assets: {base, v}}.  plotly.js, KaTeX and player.js come once per page
// from the app's static files (cached by the browser).  A step sends nothing to the server.
// The page keeps ?step= (and view, j, k) in the address itself, for a copied link; the
// server learns where the player is with the next thing the user does that reaches it (a
// button, a field, a mode): the component's state "at" is set in the same event, so it
// travels in that widget's own message (Streamlit batches them), never one per step.
const libs = {};

function load(tag, url) {
  if (!libs[url]) {
    libs[url] = new Promise((resolve, reject) => {
      const e = document.createElement(tag);
      if (tag === "link") { e.rel = "stylesheet"; e.href = url; } else { e.src = url; e.async = false; }
      e.onload = resolve;
      e.onerror = () => reject(new Error("could not load " + url));
      document.head.append(e);
    });
  }
  return libs[url];
}

function assetsBase(base) {
  const dir = location.pathname.replace(/[^/]*$/, "");  // the app's own path (behind a proxy too)
  return new URL(base, location.origin + dir).href;
}

function syncAddress(i, info) {
  const u = new URL(location.href), q = u.searchParams;
  const put = (name, value, dflt) => { if (value === dflt) q.delete(name); else q.set(name, String(value)); };
  put("step", i, 0);
  put("view", info.view, "matrix");
  put("j", info.j, 0);
  put("k", info.k, 0);
  if (u.href !== location.href) history.replaceState(history.state, "", u.href);
}

// Walk-throughs this page holds, by id (kept across remounts, e.g. predict mode and back).
const held = new Map();
// The app's one player host while mounted (the interaction listeners below report its position).
let live = null;

const SAME = (a, b) => a && b && a.step === b.step && a.view === b.view && a.j === b.j && a.k === b.k;
const FIELD = "input, textarea, select, [role='combobox'], [role='spinbutton'], [role='slider']";
const WIDGET = "[data-testid='stElementContainer'], [role='option'], [role='listbox'], [data-baseweb='popover']";
const CONTROL = "button, a, label, [role='button'], [role='option'], [role='tab'], [role='checkbox'], " +
                "[role='radio'], [role='switch'], [data-baseweb]";

// Where the player is, into the component's state, if the server does not know it yet.
function report(e) {
  const host = live;
  if (!host || !host.player || !host.pos || SAME(host.pos, host.known)) return;
  const t = e.target;
  if (!t || !t.closest || host.player.element.contains(t)) return;  // the player's own keys and buttons
  if (t.type === "file") return;  // an upload reruns later, on its own (and starts the network at 1)
  // only a widget's own element (or a dropdown's options, drawn at the page's end) runs the
  // script: not the page's header, the sidebar's toggle or an expander's title
  if (!t.closest(WIDGET)) return;
  const field = !!t.closest(FIELD);
  if (e.type === "click" && !field && !t.closest(CONTROL)) return;  // a click on nothing runs nothing
  if (e.type === "focusout" || e.type === "keydown") {
    // a field commits on Enter or on leaving it; inside a form only its submit button runs
    if (!field || t.closest("[data-testid='stForm']")) return;
    if (e.type === "keydown" && e.key !== "Enter") return;
  }
  host.known = {...host.pos};  // the run this causes adopts it: the player stays
  host.reports = (host.reports || 0) + 1;  // each report new, even to a position reported before
  host.setStateValue("at", {id: host.id, ...host.pos, n: host.reports});
}
for (const type of ["click", "change", "focusout", "keydown"]) document.addEventListener(type, report, true);

export default function (component) {
  const {parentElement, data, setStateValue} = component;
  const root = parentElement.querySelector(".nnviz-host");
  const host = root.__nnviz || (root.__nnviz = {});
  host.setStateValue = setStateValue;
  const base = assetsBase(data.assets.base), v = "?v=" + data.assets.v;
  if (data.wt) {
    // A new walk-through at the step the server chose: the address (a copied link) says so
    // at once, never the previous network's step with this network.
    syncAddress(data.step, data);
    held.clear();  // one at a time: the current network's
    held.set(data.id, data.wt);
    setStateValue("have", data.id);  // later runs send the id only
  } else if (!held.has(data.id)) {
    setStateValue("have", "");  // not here (a new page): the next run sends it
    return;
  }
  host.wt = held.get(data.id);
  const ready = Promise.all([
    load("link", base + "katex/katex.min.css" + v), load("link", base + "player.css" + v),
    load("script", base + "plotly.min.js" + v), load("script", base + "katex/katex.min.js" + v),
  ]).then(() => import(base + "player.js" + v));
  ready.then(({render}) => {
    if (host.id !== data.id || host.projector !== data.projector) {
      if (host.player) host.player.destroy();
      host.id = data.id;
      host.projector = data.projector;
      host.pos = {step: data.step, view: data.view, j: data.j, k: data.k};
      host.player = render(root, host.wt, {step: data.step, view: data.view, j: data.j, k: data.k,
                                           projector: data.projector, globalKeys: true});
      host.player.onChange((i, info) => {
        host.pos = {step: i, view: info.view, j: info.j, k: info.k};
        syncAddress(i, info);
      });
      root.dataset.wt = data.id;  // which walk-through is shown (tests wait for a new network's)
      window.nnvizPlayer = host.player;  // for tests and benchmarks
    } else if (data.step !== host.known.step) {  // the server moved the step (e.g. a new example)
      host.player.go(data.step);
    }
    host.known = {step: data.step, view: data.view, j: data.j, k: data.k};  // what the server holds
    live = host;
  }).catch(e => { root.textContent = "The step-by-step player could not start: " + e.message; });
  // Unmounted (e.g. predict mode): let go of the keys and the address.  Streamlit may also
  // call this between two runs that keep the element: then the player stays.
  return () => setTimeout(() => {
    if (root.isConnected || !host.player) return;
    host.player.destroy();
    if (window.nnvizPlayer === host.player) window.nnvizPlayer = null;
    host.player = null;
    host.id = null;
    delete root.dataset.wt;
    if (live === host) live = null;
  }, 0);
}
