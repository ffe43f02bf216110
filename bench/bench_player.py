"""The client-side player (issue 11): key → chart redrawn, messages per step, server CPU, page weight.

* **step**: in Chromium (Playwright), in the app (explore mode) and in the offline HTML
  file: ``performance.now()`` from the keydown (a capture listener) to the moment the frame
  that shows the step has been painted (a message posted from the first animation frame
  after the player's ``nnviz:drawn`` event runs after that frame's style, layout and paint);
  the animation frame itself is kept too ("frame").  → through the whole call (Home between
  sweeps), seed 3-2-1 and 5 layers × 8, at two paces: a reader's (0.4 s between the step on
  screen and the next key) and keys at once (the next key as soon as the step is painted);
  each with the player's drawing ahead on and off (``p.drawAhead(false)``: the baseline).
* **messages**: websocket frames the page sends while stepping (the app's only channel).
* **server CPU**: the Streamlit process's CPU time over the stepping, per step.
* **page weight**: bytes over the network for the first load (HTML, JS, CSS, fonts and the
  websocket's first run) and for a reload in the same browser context (cached files).

    python3 bench/bench_player.py [--steps 60] [--write]   # --write: the section in RESULTS.md
"""
from __future__ import annotations

import argparse
from contextlib import nullcontext
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (VIEWPORT, Server, app_url, big_config, cpu_seconds, launch_chromium, loadavg, pct,  # noqa: E402
                    write_section)

HERE = Path(__file__).resolve().parent
MARK = ("<!-- bench_player: begin -->", "<!-- bench_player: end -->")
# The player before its figure and walk-through were made cheap (issue 11's speed work):
# this script on main, 2026-11-29 ~01:20 UTC, quiet machine (load 0.7–1.4): key → chart
# redrawn p50 / p95 ms, and the 5 × 8 step figure's traces / annotations (one trace per edge).
PLAYER_BEFORE = {"seed": {"app": (42.5, 57.8), "offline": (35.0, 50.3)},
                 "5x8": {"app": (225.6, 289.6), "offline": (133.5, 177.2)}}
BYTES_BEFORE = {"seed": {"ws": 1.01e6, "file": 5.97e6, "wt": 0.96e6}, "5x8": {"ws": 12.8e6, "file": 11.66e6, "wt": 11.42e6}}
FIGURE_BEFORE = {"seed": (16, 20), "5x8": (264, 102)}
TIMER_JS = """() => {
  if (window.__pl) return;
  window.__pl = {t0: 0, times: [], frames: []};
  document.addEventListener('keydown', () => { window.__pl.t0 = performance.now(); }, true);
  document.addEventListener('nnviz:drawn', () => {
    const t0 = window.__pl.t0;
    requestAnimationFrame(() => {
      const frame = performance.now() - t0, mc = new MessageChannel();  // the message: after the paint
      mc.port1.onmessage = () => { window.__pl.frames.push(frame); window.__pl.times.push(performance.now() - t0); };
      mc.port2.postMessage(0);
    });
  });
}"""
PACES = {"reader": 400, "at once": 0}  # ms between a step on screen and the next key


def sweep(page, n_positions: int, min_steps: int, pause_ms: int, ahead: bool) -> dict:
    """→ through every position (Home between sweeps, untimed) until ``min_steps`` are timed."""
    page.evaluate(TIMER_JS)
    page.evaluate("on => window.nnvizPlayer.drawAhead(on)", ahead)
    timed, frames = [], []
    while len(timed) < min_steps:
        page.keyboard.press("Home")
        page.wait_for_function("() => window.nnvizPlayer && window.nnvizPlayer.current() === 0"
                               " && document.querySelector('.nnviz-player').dataset.drawn === '1'")
        page.wait_for_timeout(100)
        for i in range(1, n_positions):
            k = page.evaluate("() => window.__pl.times.length")
            page.wait_for_timeout(pause_ms)
            page.keyboard.press("ArrowRight")
            page.wait_for_function("k => window.__pl.times.length > k", arg=k)
            t, f = page.evaluate("() => [window.__pl.times.at(-1), window.__pl.frames.at(-1)]")
            timed.append(t)
            frames.append(f)
    return {"n": len(timed), "p50": pct(timed, 50), "p95": pct(timed, 95), "max": max(timed),
            "frame_p50": pct(frames, 50), "frame_p95": pct(frames, 95)}


def paces(page, n_positions: int, min_steps: int) -> dict:
    """Each pace with drawing ahead (the player as shipped) and without (the baseline),
    interleaved in one page."""
    out = {}
    for pace, ms in PACES.items():
        for ahead in (True, False):
            load0 = loadavg()
            out[f"{pace}|{'ahead' if ahead else 'baseline'}"] = {
                **sweep(page, n_positions, min_steps, ms, ahead), "load0": load0, "load": loadavg()}
    page.evaluate("() => window.nnvizPlayer.drawAhead(true)")
    return out


def frames_counter(page) -> dict:
    out = {"sent": 0, "received_bytes": 0}

    def on_ws(ws):
        ws.on("framesent", lambda _: out.__setitem__("sent", out["sent"] + 1))
        ws.on("framereceived", lambda p: out.__setitem__("received_bytes", out["received_bytes"] + len(p)))
    page.on("websocket", on_ws)
    return out


def transferred(page) -> int:
    """Bytes over the network for this page load (0 for what came from the browser's cache)."""
    return int(page.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((s, e) => s + (e.transferSize || 0), 0)"""))


def bench_app(browser, name: str, cfg, min_steps: int) -> dict:
    with Server() as srv:
        srv.wait_healthy()
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        ws = frames_counter(page)
        page.goto(app_url(srv.url, cfg), wait_until="load", timeout=90_000)
        page.wait_for_selector(".nnviz-player .nnp-fig .main-svg", timeout=90_000)
        page.wait_for_timeout(1500)
        first = {"http": transferred(page), "ws": ws["received_bytes"]}
        n = page.evaluate("() => window.nnvizPlayer.last") + 1
        sent, cpu0 = ws["sent"], cpu_seconds(srv.proc.pid)
        out = {"paces": paces(page, n, min_steps)}
        steps = sum(x["n"] for x in out["paces"].values())
        cpu = cpu_seconds(srv.proc.pid) - cpu0
        out.update({"sent_per_step": (ws["sent"] - sent) / steps, "server_cpu_ms_per_step": 1000 * cpu / steps,
                    "first_load_http": first["http"], "first_load_ws": first["ws"]})
        ws["received_bytes"] = 0
        page.reload(wait_until="load")
        page.wait_for_selector(".nnviz-player .nnp-fig .main-svg", timeout=90_000)
        page.wait_for_timeout(1500)
        out["reload_http"], out["reload_ws"] = transferred(page), ws["received_bytes"]
        ctx.close()
        return out


def bench_offline(browser, cfg, min_steps: int) -> dict:
    from nnviz.engine.presets import PRESETS
    from nnviz.export.html import walkthrough_html
    from nnviz.trace.record import trace_backprop
    cfg = cfg or PRESETS["seed"].config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    page_html = walkthrough_html(trace)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "walkthrough.html"
        path.write_text(page_html, encoding="utf-8")
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector(".nnviz-player .nnp-fig .main-svg", timeout=60_000)
        n = page.evaluate("() => window.nnvizPlayer.last") + 1
        out = {"paces": paces(page, n, min_steps)}
        ctx.close()
    return {**out, "bytes": len(page_html.encode()), **figure_stats(trace)}


def figure_stats(trace) -> dict:
    """The walk-through's JSON bytes (as the app sends it) and the middle step figure's
    traces and annotations."""
    from nnviz.draw.figures import step_figure
    from nnviz.draw.layout import SCREENS
    from nnviz.export.walkthrough import walkthrough
    _, w, h = SCREENS["desktop"]
    fig = step_figure(trace, len(trace) // 2, width=w, height=h)
    wt = json.dumps(walkthrough(trace), separators=(",", ":"), ensure_ascii=False)
    return {"wt_bytes": len(wt.encode()), "traces": len(fig.data), "annotations": len(fig.layout.annotations)}


def markdown(r: dict) -> str:
    mb = lambda b: f"{b / 1e6:.2f} MB"  # noqa: E731
    nets = (("seed", "seed 3-2-1", (109, 162)), ("5x8", "5 layers × 8", (360, 496)))
    rows, app_rows = [], []
    for name, label, rt in nets:
        for where in ("app", "offline"):
            for pace in PACES:
                x, b = (r[where][name]["paces"][f"{pace}|{k}"] for k in ("ahead", "baseline"))
                rows.append(f"| {label} | {'app (player)' if where == 'app' else 'offline file'} | {pace} | {x['n']} | "
                            f"{x['p50']:.1f} / **{x['p95']:.1f}** | {x['frame_p50']:.1f} / {x['frame_p95']:.1f} | "
                            f"{b['p50']:.1f} / {b['p95']:.1f} | {b['p95'] / x['p95']:.1f}× | "
                            f"{x['load0'][0]:.1f}–{x['load'][0]:.1f} |")
        a_ = r["app"][name]
        old = PLAYER_BEFORE[name]
        app_rows.append(f"| {label} | {rt[0]} / {rt[1]} | {old['app'][0]} / {old['app'][1]} | "
                        f"{old['offline'][0]} / {old['offline'][1]} | {a_['sent_per_step']:.0f} (was 1) | "
                        f"{a_['server_cpu_ms_per_step']:.2f} (was 12–18) |")
    reader = lambda k: max(r[w][k]["paces"]["reader|ahead"]["p95"] for w in ("app", "offline"))  # noqa: E731
    once = lambda k: max(r[w][k]["paces"]["at once|ahead"]["p95"] for w in ("app", "offline"))  # noqa: E731
    verdict = lambda v: "met" if v <= 50 else "missed"  # noqa: E731
    fig_rows = [f"| {lab} | {FIGURE_BEFORE[k][0]} / {FIGURE_BEFORE[k][1]} | {r['offline'][k]['traces']} / "
                f"{r['offline'][k]['annotations']} | {mb(BYTES_BEFORE[k]['wt'])} | {mb(r['offline'][k]['wt_bytes'])} |"
                for k, lab in (("seed", "seed 3-2-1"), ("5x8", "5 layers × 8"))]
    return "\n".join([
        MARK[0], "## Player (issue 11): every step drawn in the page", "",
        f"`python3 bench/bench_player.py` — run {r['when']} on this machine (2 CPUs, shared). Chromium "
        "(Playwright, headless, 1400×900). **Key → step on screen**: `performance.now()` from the keydown "
        "(capture listener) to the moment the frame showing the step has been painted (a message posted "
        "from the first animation frame after the player's `nnviz:drawn` event: it runs after that "
        "frame's style, layout and paint); *frame*: to that animation frame, before its layout and paint "
        "(the measure of earlier runs). → through every position of the call until at least 60 steps "
        "are timed (Home between sweeps, untimed), at two paces: a **reader**'s (0.4 s from a step on "
        "screen to the next key: a lecturer's clicker, a student reading the step) and keys **at once** "
        "(the next key as soon as the step is painted). Side by side, in the same page and run: the same "
        "player with its drawing ahead turned off (`p.drawAhead(false)`: every step redrawn by "
        "`Plotly.react` in the chart shown, as before drawing ahead; the box's containment below stays on).", "",
        "| network | where | pace | steps | on screen p50 / p95 ms | frame p50 / p95 ms | without drawing "
        "ahead: on screen p50 / p95 | without ÷ with (p95) | load (1 min, start–end) |",
        "|---|---|---|---|---|---|---|---|---|", *rows, "",
        f"Target p95 ≤ 50 ms (app and offline file) at a reader's pace: seed {verdict(reader('seed'))}, "
        f"5×8 {verdict(reader('5x8'))} in this run; keys at once: seed {verdict(once('seed'))}, 5×8 "
        f"{verdict(once('5x8'))}. **Read with the load column**: the 2 cores are shared with other "
        "engineers' test suites, and every time here grows with the load.", "",
        "**Drawing ahead** (`nnviz/player/player.js`): 120 ms after a step is shown, when the page is "
        "idle, the player draws the next and the previous step into two hidden charts stacked under the "
        "one shown; a key that goes there swaps which chart is shown, so the page paints a chart it has "
        "instead of plotly.js redrawing one (≈ 30 ms for 5 × 8). The charts are placed at the box's top "
        "left and hidden by opacity (visibility is inherited: restyling every element of two charts "
        "cost ≈ 5 ms), in a box sized from the figure with `contain: strict` (before it, every new "
        "formula laid the charts' SVG out again: 10–25 ms per step, measured in Chromium's trace). "
        "The next step's formulas are typeset into a hidden layer under each formula the same way "
        "(laying out a 5 × 8 network's matrix of numbers cost ≈ 20 ms; showing the layer laid out "
        "ahead swaps two classes), each layer painted into its own compositing layer, and the update's "
        "table (288 rows for 5 × 8, ≈ 20 ms of layout each time it was shown) is built ahead and kept "
        "laid out. Keys faster than the pause (a key held down) are drawn as before, not after a chart "
        "drawn ahead.", "",
        "The app before and after the player (server round trip: section 3, keydown → heading, "
        "equation and graph updated; earlier players: the *frame* measure, before the figure was made "
        "cheap, 2026-11-29 ~01:20 UTC):", "",
        "| network | round trip before the player p50 / p95 | first player, app p50 / p95 | first player, "
        "offline p50 / p95 | websocket frames sent per step | server CPU ms per step |",
        "|---|---|---|---|---|---|", *app_rows, "",
        "What made each redraw cheaper, earlier in this issue (plotly.js redraws the whole chart whenever a data array changes, so its "
        "time grows with traces, annotations and SVG elements; profiled with Chromium's CPU profiler):", "",
        "| network | traces / annotations of a step figure, before | now | walk-through JSON, before | now |",
        "|---|---|---|---|---|", *fig_rows, "",
        "* edges share one trace per line style (colour, dash, width rounded to 0.5 px; plotly.js pays "
        "per trace on every redraw, e.g. `findArrayAttributes` walks the whole trace schema), each "
        "point's customdata naming its edge; the graph's labels (edge values, labels above small nodes, the step's values under "
        "nodes) are one text trace over one trace of white boxes instead of one annotation each; edge "
        "hover points are drawn as nothing (`mode: \"none\"`, still hovered);",
        "* the walk-through (version 2) stores each figure as the patch from the step before "
        "(`nnviz/export/patch.py`); the player puts the figures back sharing every unchanged part;",
        "* the player draws a key at once (not at the next frame), passes plotly.js its config only "
        "once (given again, plotly.js rebuilds its context), reads the page width only when it "
        "changes, scrolls the code panel at the frame and replaces only the code lines that changed "
        "(in the app's page, with Streamlit's CSS, restyling the whole source each step cost more than "
        "the chart's own layout).", "",
        "The app stays slower than the offline file for the same chart: its page is larger and carries "
        "Streamlit's CSS, and plotly.js lays the page out (reads `clientHeight`) at the start of every "
        "redraw. Server CPU per step is the Streamlit process's CPU time over the stepping ÷ steps (its "
        "idle housekeeping included): stepping runs no script.", "",
        "**Page weight** (bytes over the network, from the browser's Resource Timing; websocket: the "
        "first run's messages, which carry the whole walk-through; before: "
        f"{mb(BYTES_BEFORE['seed']['ws'])} and {mb(BYTES_BEFORE['5x8']['ws'])} per session, offline files "
        f"{mb(BYTES_BEFORE['seed']['file'])} and {mb(BYTES_BEFORE['5x8']['file'])}):", "",
        "| network | first load: HTTP | first load: websocket | reload (browser cache): HTTP | reload: websocket | offline file |",
        "|---|---|---|---|---|---|",
        *[f"| {lab} | {mb(r['app'][k]['first_load_http'])} | {mb(r['app'][k]['first_load_ws'])} | "
          f"{mb(r['app'][k]['reload_http'])} | {mb(r['app'][k]['reload_ws'])} | {mb(r['offline'][k]['bytes'])} |"
          for k, lab in (("seed", "seed 3-2-1"), ("5x8", "5 layers × 8"))], "",
        "plotly.js (4.8 MB) and KaTeX come once per browser from the app's static files "
        "(`server.enableStaticServing`) and are revalidated, not downloaded again, on a reload; the "
        "walk-through itself travels in the first run's websocket messages of a session and again only "
        "for a new network or projection, or on returning from predict mode (the page reports which "
        "one it holds, so other runs — a download, a check — send its id only); never per step. The "
        "reload column is a new session, so it carries the walk-through again. The websocket column "
        "counts the messages' bytes as the page receives them, decompressed (on the wire, the websocket "
        "compression the sessions section turns on makes them several times smaller).", MARK[1]])


def main(argv=None) -> int:
    from playwright.sync_api import sync_playwright
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    p.add_argument("--from-json", action="store_true", help="no run: the tables from player_results.json")
    args = p.parse_args(argv)
    out = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "app": {}, "offline": {}}
    if args.from_json:
        out = json.loads((HERE / "player_results.json").read_text())
    with (nullcontext(None) if args.from_json else sync_playwright()) as pw:
        browser = launch_chromium(pw) if pw else None
        try:
            for name, cfg in (() if pw is None else (("seed", None), ("5x8", big_config()))):
                out["app"][name] = bench_app(browser, name, cfg, args.steps)
                out["offline"][name] = bench_offline(browser, cfg, args.steps)
                print(name, json.dumps({k: out[k][name] for k in ("app", "offline")}), flush=True)
        finally:
            if browser:
                browser.close()
    (HERE / "player_results.json").write_text(json.dumps(out, indent=1))
    text = markdown(out)
    print(text)
    if args.write:
        write_section(text, MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
