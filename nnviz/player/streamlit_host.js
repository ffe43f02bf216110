// The player in the Streamlit app (a custom component v2, no iframe): nnviz_app/player_host.py.
// data = {id, wt (the walk-through, or null once the page said it holds that id), step, view, j, k,
//         projector, assets: {base, v}}.  plotly.js, KaTeX and player.js come once per page
// from the app's static files (cached by the browser).  A step sends nothing to the server:
// the page keeps ?step= (and view, j, k) in the address itself, and the server reads them
// on its next run.
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

export default function (component) {
  const {parentElement, data, setStateValue} = component;
  const root = parentElement.querySelector(".nnviz-host");
  const host = root.__nnviz || (root.__nnviz = {});
  const base = assetsBase(data.assets.base), v = "?v=" + data.assets.v;
  if (data.wt) {
    held.clear();  // one at a time: the current network's
    held.set(data.id, data.wt);
    // the address says the server's step before the rerun "have" asks for reads it back
    // (the server's own address change may arrive after that rerun has started)
    syncAddress(data.step, data);
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
      host.serverStep = data.step;
      host.player = render(root, host.wt, {step: data.step, view: data.view, j: data.j, k: data.k,
                                           projector: data.projector, globalKeys: true});
      host.player.onChange(syncAddress);
      window.nnvizPlayer = host.player;  // for tests and benchmarks
    } else if (data.step !== host.serverStep) {  // the server moved the step (e.g. a new example)
      host.serverStep = data.step;
      host.player.go(data.step);
    }
  }).catch(e => { root.textContent = "The step-by-step player could not start: " + e.message; });
  // Unmounted (e.g. predict mode): let go of the keys and the address.  Streamlit may also
  // call this between two runs that keep the element: then the player stays.
  return () => setTimeout(() => {
    if (root.isConnected || !host.player) return;
    host.player.destroy();
    if (window.nnvizPlayer === host.player) window.nnvizPlayer = null;
    host.player = null;
    host.id = null;
  }, 0);
}
