"""One step in a real browser, and cold start: Chromium (Playwright) against ``streamlit run``.

* **step**: press → (ArrowRight) until the step heading, the numeric equation (KaTeX) and
  the graph (plotly title) all show the next step.  Timed twice: in the page
  (``performance.now()`` from the keydown listener to the MutationObserver callback that
  sees all three; see ``common.INIT_JS``) and from outside (Python ``perf_counter`` around
  ``keyboard.press`` → ``wait_for_function``).  Forward sweeps through the whole call
  (Home between sweeps, not timed) until at least ``--steps`` steps are timed; the first
  sweep of a fresh server is uncached (the server builds each figure), later ones hit
  the cache.  Seed 3-2-1 preset and the largest allowed network (5 layers × 8 neurons).
* **cold start**: ``streamlit run app.py`` → /_stcore/health ok → the first graph
  visible in the page (Chromium already running; the clock starts at process launch).

    python3 bench/bench_browser.py [--steps 50] [--cold 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (FIRST_GRAPH, IDLE, IDLE_JS, INIT_JS, VIEWPORT, WAIT_JS, Server, app_url, big_config,  # noqa: E402
                    expectations, fmt_load, launch_chromium, loadavg, pct)

STEP_TIMEOUT_MS = 15_000


def open_app(browser, url: str):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    page = ctx.new_page()
    page.add_init_script(INIT_JS)
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector(FIRST_GRAPH, timeout=60_000)
    page.wait_for_selector(IDLE, state="attached", timeout=60_000)
    return ctx, page


def time_steps(page, exps: list[dict], min_steps: int) -> dict:
    """Sweep forward through the call until ``min_steps`` steps are timed."""
    inside, outside, parts, first_sweep = [], [], [], []
    sweep = 0
    while len(inside) < min_steps:
        if sweep:
            page.evaluate("exp => window.__nn.arm(exp)", exps[0])
            page.keyboard.press("Home")
            page.evaluate(WAIT_JS)
            page.evaluate(IDLE_JS)
        for i in range(1, len(exps)):
            page.evaluate("exp => window.__nn.arm(exp)", exps[i])
            t0 = time.perf_counter()
            page.keyboard.press("ArrowRight")
            done = page.evaluate(WAIT_JS)
            outside.append((time.perf_counter() - t0) * 1000)
            inside.append(done)
            parts.append(page.evaluate("() => window.__nn.parts"))
            if sweep == 0:
                first_sweep.append(done)
            page.evaluate(IDLE_JS)
        sweep += 1
    return {"n": len(inside), "sweeps": sweep,
            "inside_p50": pct(inside, 50), "inside_p95": pct(inside, 95), "inside_max": max(inside),
            "outside_p50": pct(outside, 50), "outside_p95": pct(outside, 95),
            "uncached_p95": pct(first_sweep, 95), "cached_p95": pct(inside[len(first_sweep):], 95),
            "heading_p50": pct([p["heading"] for p in parts], 50),
            "tex_p50": pct([p["tex"] for p in parts], 50),
            "graph_p50": pct([p["graph"] for p in parts], 50)}


def bench_steps(pw, min_steps: int = 50) -> dict:
    """Per network ("seed", "5x8"): step timings on a fresh server each."""
    out = {}
    browser = launch_chromium(pw)
    try:
        for name, cfg in (("seed", None), ("5x8", big_config())):
            with Server() as srv:
                srv.wait_healthy()
                ctx, page = open_app(browser, app_url(srv.url, cfg))
                load = loadavg()
                out[name] = time_steps(page, expectations(cfg), min_steps)
                out[name]["load"] = load
                ctx.close()
    finally:
        browser.close()
    return out


def bench_cold(pw, runs: int = 3) -> dict:
    """``streamlit run`` → health ok → first graph in the page, ``runs`` times."""
    health, graph = [], []
    browser = launch_chromium(pw)
    try:
        for _ in range(runs):
            srv = Server()
            try:
                health.append(srv.wait_healthy())
                ctx = browser.new_context(viewport=VIEWPORT)
                page = ctx.new_page()
                page.goto(srv.url + "/", wait_until="commit", timeout=60_000)
                page.wait_for_selector(FIRST_GRAPH, state="visible", timeout=60_000)
                graph.append(time.perf_counter() - srv.started)
                ctx.close()
            finally:
                srv.stop()
    finally:
        browser.close()
    return {"runs": runs, "health_median": statistics.median(health), "graph_median": statistics.median(graph),
            "graph_max": max(graph), "graph_all": graph, "load": loadavg()}


def main(argv=None) -> int:
    from playwright.sync_api import sync_playwright
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--cold", type=int, default=3)
    args = p.parse_args(argv)
    with sync_playwright() as pw:
        res = {"steps": bench_steps(pw, args.steps)}
        if args.cold:
            res["cold"] = bench_cold(pw, args.cold)
    print(json.dumps(res, indent=1, default=str))
    print("load average:", fmt_load(loadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
