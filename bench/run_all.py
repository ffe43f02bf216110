"""Run every nnviz benchmark once, print one table, and write bench/RESULTS.md.

    python3 bench/run_all.py            # the whole suite (≈ 8–10 min on 2 cores)
    python3 bench/run_all.py --quick    # a smoke run (fewer steps and sessions; ≈ 3 min)
    python3 bench/run_all.py --no-write # print only
    python3 bench/run_all.py --from-json bench/results.json  # rewrite RESULTS.md from a saved run

Sections (each also runs on its own: see the script named):
  1. engine      bench_engine.py    one SGD epoch, 784-30-10, batch 10 and 100, vs the seed loop
  2. step        bench_step.py      one step, server side, uncached (seed 3-2-1 and 5×8)
  3. browser     bench_browser.py   one step in Chromium: → until graph + equation updated
  4. cold start  bench_browser.py   `streamlit run` → first graph visible
  5. sessions    bench_sessions.py  N concurrent browser sessions (the player), direct and through nginx
     protocol    bench_protocol.py  N concurrent sessions over the websocket protocol (server only)
     (both run on their own since the client-side player, issue 11, and write their own sections
     into RESULTS.md with --write; the rows 5 below are the round trip before the player, kept
     from results.json as the baseline)
  6. export      bench_export.py    offline HTML walk-through and GIF of the seed preset

Needs: the app's requirements, Playwright's Python package and the system Chromium
(/usr/bin/chromium, never a downloaded browser); nginx for the nginx row (Debian's
nginx-light or nginx; the row is skipped without it).  Everything runs on 127.0.0.1.
Budgets are in BUDGETS below; RESULTS.md gets every figure of the run, the load average
beside each, and for each missed budget what was profiled, fixed and what remains.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_engine  # noqa: E402  (first: it pins BLAS threads before numpy is imported)
from common import fmt_load, loadavg  # noqa: E402

RESULTS = HERE / "RESULTS.md"
NOTE5 = ("Before the client-side player (issue 11): every → was a server round trip. The same "
         "measurements with the player, side by side with these, are in \"Many browser sessions with the "
         "player\" and \"Many sessions with the player\" at the end of this file.")
RAW = HERE / "results.json"  # the last run's raw figures (RESULTS.md is made from them)
BUDGETS = {  # ms unless noted
    "engine_vs_floor": 1.2,      # nnviz SGD / update_mini_batch ÷ the numpy floor
    "step_server_p95": 20.0,     # one step, server side, seed 3-2-1
    "step_browser_p95": 150.0,   # key press → graph + equation updated
    "cold_start_s": 5.0,         # streamlit run → first graph visible
    "sessions50_p95": 500.0,     # 50 concurrent sessions, step p95
}


# ---- running ----------------------------------------------------------------------------
def section(name: str, fn, results: dict, timings: dict) -> None:
    print(f"\n=== {name} (load average {fmt_load(loadavg())}) ===", flush=True)
    t0 = time.perf_counter()
    try:
        results[name] = fn()
    except Exception as e:  # noqa: BLE001 - one broken section must not lose the others
        traceback.print_exc()
        results[name] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"}
    timings[name] = time.perf_counter() - t0
    print(f"--- {name}: {timings[name]:.0f} s", flush=True)


def run_all(quick: bool) -> tuple[dict, dict]:
    import bench_browser
    import bench_export
    import bench_step
    results, timings = {}, {}

    def engine():
        rows, info = bench_engine.run(4_000 if quick else 10_000, 3)
        return {"rows": rows, "info": info, "load": loadavg()}

    def browser():
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            return bench_browser.bench_steps(pw, 20 if quick else 50)

    def cold():
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            return bench_browser.bench_cold(pw, 1 if quick else 3)

    section("engine", engine, results, timings)
    section("step", lambda: bench_step.run(6.0 if quick else 12.0), results, timings)
    section("browser", browser, results, timings)
    section("cold", cold, results, timings)
    # protocol() and sessions() are not run here any more (see the docstring)
    section("export", bench_export.run, results, timings)
    return results, timings


# ---- the table --------------------------------------------------------------------------
def ms(v) -> str:
    return f"{v:.0f} ms" if v >= 100 else f"{v:.1f} ms"


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if b else "—"


def status(value, budget) -> str:
    return "met" if value <= budget else "**missed**"


def rows_of(results: dict) -> list[list[str]]:
    """Table rows: #, benchmark, result, budget, result ÷ budget, met?, compared with, ratio, load."""
    out = []

    def add(num, what, result, budget="—", over="—", met="—", base="—", rat="—", load=None):
        out.append([num, what, result, budget, over, met, base, rat, f"{load[0]:.2f}" if load else "—"])

    def err(num, what, r):
        add(num, what, f"error: {r['error']}")

    e = results.get("engine", {})
    if "error" in e:
        err("1", "Engine", e)
    elif e:
        for r in e["rows"]:
            if "floor_sgd" not in r:  # a run saved before the floor column existed
                add("1", f"Engine: SGD epoch, 784-30-10, batch {r['batch']} (nnviz SGD)",
                    f"{r['nnviz_sgd']:.3f} s", base=f"seed loop {r['seed']:.3f} s",
                    rat=f"{r['seed'] / r['nnviz_sgd']:.1f}× faster", load=e["load"])
                continue
            for col, floor, what in (("nnviz_sgd", "floor_sgd", "SGD"), ("nnviz_umb", "floor_umb", "update_mini_batch loop")):
                budget = BUDGETS["engine_vs_floor"] * r[floor]
                add("1", f"Engine: epoch, 784-30-10, batch {r['batch']}, nnviz {what} (CPU s)",
                    f"{r[col]:.3f} s", f"≤ {BUDGETS['engine_vs_floor']}× floor ({budget:.3f} s)",
                    ratio(r[col], budget), status(r[col], budget),
                    f"floor {r[floor]:.3f} s; seed loop {r['seed']:.3f} s",
                    f"{r[col] / r[floor]:.2f}× floor; {r['seed'] / r[col]:.1f}× faster than seed", e["load"])
        add("1", "Engine: torch CPU column", "n/a (torch not installed)" if not e["info"]["torch"]
            else "see engine table", load=e["load"])

    s = results.get("step", {})
    if "error" in s:
        err("2", "Server step", s)
    elif s:
        for name, label in (("seed", "seed 3-2-1"), ("5x8", "5 layers × 8")):
            r = s[name]
            v = r["validated"]["cpu"]["p95"]
            b = BUDGETS["step_server_p95"] if name == "seed" else None
            cpu = r["cpu"]["p95"]
            add("2", f"Server step, {label}: trace+graph_state+figure+formulas+code, uncached, CPU time "
                     f"(p50 {ms(r['cpu']['p50'])}; wall clock p50 {ms(r['total']['p50'])}, "
                     f"p95 {ms(r['total']['p95'])})",
                f"p95 {ms(cpu)}", f"p95 ≤ {b:.0f} ms" if b else "— (seed only)",
                ratio(cpu, b) if b else "—", status(cpu, b) if b else "—",
                f"figure validated (before) p95 {ms(v)}", f"{v / cpu:.1f}× faster", s["load_before"])

    br = results.get("browser", {})
    if "error" in br:
        err("3", "Browser step", br)
    else:
        b = BUDGETS["step_browser_p95"]
        for name, label in (("seed", "seed 3-2-1"), ("5x8", "5 layers × 8")):
            if name not in br:
                continue
            r = br[name]
            add("3", f"Browser step, {label}: → until graph + equation updated, in page "
                     f"(n={r['n']}, p50 {ms(r['inside_p50'])})",
                f"p95 {ms(r['inside_p95'])}", f"p95 ≤ {b:.0f} ms", ratio(r["inside_p95"], b),
                status(r["inside_p95"], b), f"outside: p50 {ms(r['outside_p50'])}, p95 {ms(r['outside_p95'])}",
                ratio(r["outside_p95"], r["inside_p95"]) + " (outside ÷ in page)", r["load"])

    c = results.get("cold", {})
    if "error" in c:
        err("4", "Cold start", c)
    elif c:
        b = BUDGETS["cold_start_s"]
        add("4", f"Cold start: `streamlit run` → first graph visible (median of {c['runs']}, "
                 f"max {c['graph_max']:.1f} s)",
            f"{c['graph_median']:.1f} s", f"≤ {b:.0f} s", ratio(c["graph_median"], b),
            status(c["graph_median"], b), f"server healthy after {c['health_median']:.1f} s",
            ratio(c["graph_median"], c["health_median"]) + " (first graph ÷ healthy)", c["load"])

    ss = results.get("sessions", {})
    if "error" in ss:
        err("5", "Sessions", ss)
    elif ss:
        b = BUDGETS["sessions50_p95"]
        direct50 = next((r for r in ss["rows"] if r["backends"] == 1 and r["n"] == 50), None)
        for r in ss["rows"]:
            budget = r["n"] == 50
            fails = f", {r['failed']} failed" if r["failed"] else ""
            fails += f", {r['unfinished']} cut short" if r.get("unfinished") else ""
            base, rat = "—", "—"
            if r["backends"] > 1 and direct50 and r["n"] == 50:
                base = f"direct N=50 p95 {ms(direct50['inside_p95'])}"
                rat = ratio(direct50["inside_p95"], r["inside_p95"]) + "× (direct ÷ nginx)"
            add("5", f"{r['n']} browser session{'s' if r['n'] != 1 else ''}, {r['label']}: step p95 in page (p50 {ms(r['inside_p50'])}, "
                     f"n={r['steps_timed']}{fails}); server RSS {r['rss_with_sessions'] / 2**20:.0f} MB, "
                     f"{r['per_session_mb']:.2f} MB/session",
                f"p95 {ms(r['inside_p95'])}", f"p95 ≤ {b:.0f} ms" if budget else "—",
                ratio(r["inside_p95"], b) if budget else "—",
                status(r["inside_p95"], b) if budget else "—", base, rat, r["loadavg"])

    pr = results.get("protocol", {})
    if "error" in pr:
        err("5", "Protocol sessions", pr)
    elif pr:
        b = BUDGETS["sessions50_p95"]
        direct = {r["n"]: r for r in pr["rows"] if r["backends"] == 1}
        for r in pr["rows"]:
            budget = r["n"] == 50
            fails = f", {r['failed']} failed" if r["failed"] else ""
            fails += f", {r['unfinished']} cut short" if r.get("unfinished") else ""
            base, rat = "—", "—"
            if r["backends"] > 1 and r["n"] in direct:
                d = direct[r["n"]]
                base = f"direct N={r['n']} p95 {ms(d['p95'])}"
                rat = ratio(d["p95"], r["p95"]) + "× (direct ÷ nginx)"
            add("5", f"{r['n']} protocol session{'s' if r['n'] != 1 else ''} (server only), {r['label']}: click → script_finished "
                     f"(p50 {ms(r['p50'])}, n={r['steps_timed']}{fails}, {r['steps_per_s']:.0f} steps/s); "
                     f"{r['server_cpu_ms_per_step']:.0f} ms server CPU/step; RSS "
                     f"{r['rss_with_sessions'] / 2**20:.0f} MB, {r['per_session_mb']:.2f} MB/session",
                f"p95 {ms(r['p95'])}", f"p95 ≤ {b:.0f} ms" if budget else "—",
                ratio(r["p95"], b) if budget else "—", status(r["p95"], b) if budget else "—",
                base, rat, r["loadavg"])

    x = results.get("export", {})
    if "error" in x:
        err("6", "Export", x)
    elif x.get("status") != "ok":
        add("6", "Export (offline HTML, GIF)", f"pending — {x.get('why', '')}")
    else:
        add("6", "Export: offline HTML walk-through, seed preset (median of 3)",
            f"{x['html_s'] * 1000:.0f} ms, {x['html_bytes'] / 2**20:.2f} MiB", load=x["load_before"])
        if x.get("gif") == "ok":
            add("6", f"Export: GIF, seed preset ({x['steps']} frames, 1280×720, kaleido + Chromium)",
                f"{x['gif_s']:.1f} s, {x['gif_bytes'] / 2**10:.0f} KiB", load=x["load_after"])
        else:
            add("6", "Export: GIF", x.get("gif", "?"), load=x["load_after"])
    return out


HEAD = ["#", "Benchmark", "Result", "Budget", "Result ÷ budget", "Met?", "Compared with", "Ratio",
        "Load (1 min)"]


def markdown_table(rows) -> str:
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def text_table(rows) -> str:
    cols = [0, 2, 3, 4, 5, 7, 8]
    short = [[r[i] for i in cols] + [r[1][:70]] for r in rows]
    head = [HEAD[i] for i in cols] + ["Benchmark"]
    w = [max(len(str(x[i])) for x in short + [head]) for i in range(len(head) - 1)]
    fmt = lambda r: "  ".join(str(c).ljust(w[i]) for i, c in enumerate(r[:-1])) + "  " + r[-1]  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * n for n in w] + ["-" * 9])] + [fmt(r) for r in short])


# ---- RESULTS.md --------------------------------------------------------------------------
def details(results: dict) -> str:
    """Per-section detail tables (every figure of the run)."""
    out = []
    s = results.get("step", {})
    if s and "error" not in s:
        out += ["## 2. One step, server side (uncached)", "",
                "`python3 bench/bench_step.py` — per sample: `Config.from_json` → `trace_backprop` → "
                "`graph_state(i)` → `step_figure(i)` (660 px, the app's column) → `latex` + `latex_numbers` "
                "(matrix and one-neuron views) → `code_html`; nothing cached; every step of the call, repeated. "
                "The plotly JSON that `st.plotly_chart` then sends is timed apart.", "",
                "| network | samples | trace | graph_state | figure | formulas | code | **total p50** | **total p95** "
                "| **CPU p50 / p95** | plotly JSON p50 | validated as before: total p95, CPU p95 |", "|" + "---|" * 12]
        for name in ("seed", "5x8"):
            r = s[name]
            out.append(f"| {name} ({r['steps']} steps) | {r['n']} | " + " | ".join(
                f"{r[k]['p50']:.2f} / {r[k]['p95']:.2f}" for k in ("trace", "graph_state", "figure", "formulas", "code"))
                + f" | **{r['total']['p50']:.2f}** | **{r['total']['p95']:.2f}** | "
                f"**{r['cpu']['p50']:.2f} / {r['cpu']['p95']:.2f}** | {r['json']['p50']:.2f} | "
                f"{r['validated']['total']['p95']:.2f}, {r['validated']['cpu']['p95']:.2f} |")
        f = s["fixes"]
        out += ["", "Parts: p50 / p95 in ms, wall clock; CPU: the thread's CPU time for the whole step "
                "(the budget is judged on it: on this shared machine the wall clock's p95 is mostly "
                "waiting for other processes). Unvalidated and validated figures gave identical JSON for every "
                f"step and the update animation: seed {s['seed']['same_json']}, 5×8 {s['5x8']['same_json']}.",
                f"In the same run: a `st.cache_data` hit on a step figure (a pickle round trip) costs "
                f"{f['unpickle_seed']:.1f} ms (seed) and {f['unpickle_5x8']:.1f} ms (5×8), more than building it; "
                f"one full `gc.collect()` with the app's modules imported ({f['gc_objects']:,} objects) costs "
                f"{f['gc_full']:.1f} ms. Load average {fmt_load(s['load_before'])} → {fmt_load(s['load_after'])}.", ""]
    br = results.get("browser", {})
    if br and "error" not in br:
        out += ["## 3. One step in the browser", "",
                "`python3 bench/bench_browser.py` — Chromium (Playwright, /usr/bin/chromium, headless, 1400×900) "
                "against `streamlit run app.py` on a free loopback port, a fresh server per network. "
                "In page: `performance.now()` from the keydown (capture listener) to the MutationObserver "
                "callback that sees the new step heading, the new numeric equation (KaTeX annotation) and "
                "the new graph title (plotly `.gtitle`). Outside: Python `perf_counter` around "
                "`keyboard.press('ArrowRight')` → the page's promise for that callback resolving. "
                "Forward sweeps (Home between, "
                "untimed); the first sweep builds each figure on the server (uncached).", "",
                "| network | steps timed | in page p50 | in page p95 | max | outside p50 | outside p95 | "
                "p95 1st sweep (uncached) | p95 later sweeps | heading p50 | equation p50 | graph p50 | load |",
                "|" + "---|" * 13]
        for name in ("seed", "5x8"):
            if name in br:
                r = br[name]
                out.append(f"| {name} | {r['n']} | {ms(r['inside_p50'])} | {ms(r['inside_p95'])} | "
                           f"{ms(r['inside_max'])} | {ms(r['outside_p50'])} | {ms(r['outside_p95'])} | "
                           f"{ms(r['uncached_p95'])} | {ms(r['cached_p95'])} | {ms(r['heading_p50'])} | "
                           f"{ms(r['tex_p50'])} | {ms(r['graph_p50'])} | {fmt_load(r['load'])} |")
        out.append("")
    c = results.get("cold", {})
    if c and "error" not in c:
        out += ["## 4. Cold start", "",
                "`streamlit run app.py` launched (Chromium already running) → `/_stcore/health` ok → "
                "first graph visible in a new page. Runs: " + ", ".join(f"{v:.2f} s" for v in c["graph_all"])
                + f"; server healthy after {c['health_median']:.2f} s (median). Load {fmt_load(c['load'])}.", ""]
    ss = results.get("sessions", {})
    if ss and "error" not in ss:
        out += ["## 5. Many sessions (before the player)", "", NOTE5, "",
                "`python3 bench/bench_sessions.py` — one Chromium, one page (one Streamlit session) per "
                "session, up to 10 pages per browser context direct and one context each behind nginx, "
                "seed preset; sessions added level by level on one server (1 → 10 → 25 → 50, each level's "
                "sessions stay open into the next), then 5 through nginx with 2 backends "
                "(`deploy/start.sh`, fresh processes). At each level every session presses → 20 times "
                "with 0.5–1.0 s think time. Memory: server RSS after one warm-up page vs. with the N "
                "sessions connected after stepping. CPU per step: the server process(es)' and this "
                "run's Chromium processes' CPU time over the level's stepping (Home presses included) "
                "÷ timed steps. No new press after 30 s into a level (\"cut short\"). Chromium shares "
                "the 2 cores with the servers.", "",
                "| setup | N | steps timed | failed / cut short | step p50 | step p95 | outside p95 | page load p95 | "
                "RSS base → with N | per session | server CPU per step | Chromium CPU per step | "
                "TCP conns per backend | load (1/5/15) |", "|" + "---|" * 14]
        for r in ss["rows"]:
            out.append(f"| {r['label']} | {r['n']} | {r['steps_timed']} | {r['failed']} / {r.get('unfinished', 0)} | "
                       f"{ms(r['inside_p50'])} | "
                       f"{ms(r['inside_p95'])} | {ms(r['outside_p95'])} | {r['page_load_p95_s']:.1f} s | "
                       f"{r['rss_base'] / 2**20:.0f} → {r['rss_with_sessions'] / 2**20:.0f} MB | "
                       f"{r['per_session_mb']:.2f} MB | {r['server_cpu_ms_per_step']:.0f} ms | "
                       f"{r['browser_cpu_ms_per_step']:.0f} ms | {r['connections_per_backend']} | {fmt_load(r['loadavg'])} |")
        errs = [e for r in ss["rows"] for e in r.get("errors", [])]
        if errs:
            out += ["", "Failures: " + "; ".join(errs[:5])]
        out.append("")
    pr = results.get("protocol", {})
    if pr and "error" not in pr:
        out += ["### 5b. Many sessions, server only (websocket protocol; before the player)", "",
                "`python3 bench/bench_protocol.py` — each client drives a real Streamlit session over "
                "`/_stcore/stream` as the browser does, without rendering: first run, then a click on "
                "the explorer's Next button (its trigger and the fragment id) 15 times, 0.5–1.0 s apart; "
                "timed from the click to `script_finished`, and checked: the heading in the deltas must "
                "show the next step. Sessions added level by level on one server, then through nginx with "
                "2 backends (the first HTTP response's sticky cookie is sent with the websocket).", "",
                "| setup | N | steps timed | failed / cut short | p50 | p95 | max | steps/s | server CPU per step | "
                "RSS base → with N | per session | TCP conns per backend | load (1/5/15) |", "|" + "---|" * 13]
        for r in pr["rows"]:
            out.append(f"| {r['label']} | {r['n']} | {r['steps_timed']} | {r['failed']} / {r['unfinished']} | "
                       f"{ms(r['p50'])} | {ms(r['p95'])} | {ms(r['max'])} | {r['steps_per_s']:.1f} | "
                       f"{r['server_cpu_ms_per_step']:.1f} ms | {r['rss_base'] / 2**20:.0f} → "
                       f"{r['rss_with_sessions'] / 2**20:.0f} MB | {r['per_session_mb']:.2f} MB | "
                       f"{r['connections_per_backend']} | {fmt_load(r['loadavg'])} |")
        errs = [e for r in pr["rows"] for e in r.get("errors", [])]
        if errs:
            out += ["", "Failures: " + "; ".join(errs[:5])]
        out.append("")
    x = results.get("export", {})
    if x and "error" not in x:
        out += ["## 6. Export", ""]
        if x.get("status") != "ok":
            out.append(f"Pending: {x.get('why')}.")
        else:
            gif = (f"`walkthrough_gif(trace)`: {x['gif_s']:.1f} s, {x['gif_bytes'] / 2**10:.0f} KiB "
                   f"({x['steps']} frames, 1280×720)" if x.get("gif") == "ok" else f"GIF: {x.get('gif')}")
            out.append(f"`python3 bench/bench_export.py` — seed preset. `walkthrough_html(trace)`: "
                       f"{x['html_s'] * 1000:.0f} ms (median of 3), {x['html_bytes']:,} bytes "
                       f"({x['html_bytes'] / 2**20:.2f} MiB: plotly.js and KaTeX inlined). {gif}. "
                       f"Load {fmt_load(x['load_before'])} → {fmt_load(x['load_after'])}.")
        out.append("")
    return "\n".join(out)


def write(results: dict, timings: dict, started: str, load0, load1, quick: bool) -> None:
    rows = rows_of(results)
    missed = [r for r in rows if r[5] == "**missed**"]
    e = results.get("engine", {})
    engine_md = bench_engine.section(e["rows"], e["info"]) if e and "error" not in e else (
        "<!-- bench_engine:begin -->\n## Engine\n\nerror: " + e.get("error", "not run") + "\n<!-- bench_engine:end -->")
    parts = [
        "# Benchmarks",
        "",
        f"Every figure below is from one run of `python3 bench/run_all.py`{' --quick' if quick else ''}, "
        f"started {started} on this machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}, shared with other engineers' test runs. Load average (1/5/15 min) "
        f"{fmt_load(load0)} at the start, {fmt_load(load1)} at the end; each row gives the 1-minute "
        f"load when it was measured. The run took {sum(timings.values()) / 60:.1f} min "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}).",
        "",
        "Result ÷ budget ≤ 1 means the budget is met. \"Compared with\" / \"Ratio\": the baseline "
        "the row is measured against (the seed notebook's loop, the figure as built before the fix, "
        "the same sessions without nginx) and the ratio to it.",
        "",
        markdown_table(rows),
        "",
        engine_md,
        "",
        details(results),
        analysis(results),
        "",
        "Missed in this run: " + ("; ".join(f"{r[1]} ({r[2]} vs {r[3]})" for r in missed) if missed else "none") + ".",
        "",
    ]
    RESULTS.write_text("\n".join(parts + kept_sections()), encoding="utf-8")


def kept_sections() -> list[str]:
    """The sections other scripts write into RESULTS.md between their own markers
    (bench_player, bench_protocol, bench_sessions): kept when this script rewrites it."""
    if not RESULTS.exists():
        return []
    text = RESULTS.read_text(encoding="utf-8")
    return [m.group(0) + "\n" for m in re.finditer(r"<!-- (bench_\w+): begin -->.*?<!-- \1: end -->", text, re.S)]


def analysis(results: dict) -> str:
    """What was profiled, fixed, and what remains — with this run's figures."""
    out = ["## What was profiled, what was fixed, what remains", ""]
    st_ = results.get("step", {})
    if st_ and "error" not in st_:
        f, seed, big = st_["fixes"], st_["seed"], st_["5x8"]
        out += [
            "**Fixed, server side** (profiled with cProfile and pyinstrument on `step_figure`, and with "
            "py-spy on `streamlit run` while Chromium stepped):",
            "",
            f"1. *plotly's per-property validation* was two thirds of building a figure. `nnviz/draw/` "
            f"builds figures with `_validate=False` (`marks.VALIDATE = True` restores it) and writes the RdBu "
            f"colour scale out as the validator would (plotly.js has its own, different \"RdBu\"). This run: "
            f"seed step CPU p95 {seed['validated']['cpu']['p95']:.1f} → {seed['cpu']['p95']:.1f} ms, 5×8 "
            f"{big['validated']['cpu']['p95']:.1f} → {big['cpu']['p95']:.1f} ms; figure JSON identical for "
            f"every step (checked in this run: {'yes' if seed['same_json'] and big['same_json'] else 'NO'}).",
            "2. *Edge-label placement* (`nnviz/draw/labels.py`) retried up to 8 orders × several font sizes on "
            "crowded layers and re-ran every order-independent test of a spot each time; those tests are now "
            "computed once per size (same placements: the JSON check above covers it). The seed's slowest "
            "steps (the crowded backward and update steps) went from ≈ 17 to ≈ 11 ms when this was fixed.",
            f"3. *`st.cache_data` on figures*: it pickles its values and unpickling a plotly Figure "
            f"re-validates all of it, so a cache *hit* cost {f['unpickle_seed']:.1f} ms (seed) and "
            f"{f['unpickle_5x8']:.1f} ms (5×8) in this run — more than building the figure. `app.py` caches "
            f"figures with `st.cache_resource` (shared, read-only; a hit is a dict lookup).",
            f"4. *Streamlit's `runner.postScriptGC`* ran a full `gc.collect()` after every script run, fragment "
            f"reruns included: {f['gc_full']:.0f} ms in this run with the app's modules loaded, and the largest "
            f"item in the server's py-spy profile while stepping. `.streamlit/config.toml` sets it off; the "
            f"memory rows below stay flat.",
            "",
        ]
    br = results.get("browser", {})
    if br and "error" not in br and "seed" in br:
        s0, s1 = br["seed"], br.get("5x8")
        out += [
            f"**Browser step — {'met' if s0['inside_p95'] <= BUDGETS['step_browser_p95'] else 'missed'} for the "
            f"seed (p95 {ms(s0['inside_p95'])}; {ms(s0['uncached_p95'])} on the first visit to each step, "
            f"when the server builds the figure, {ms(s0['cached_p95'])} after), missed for 5×8"
            + (f" (p95 {ms(s1['inside_p95'])})" if s1 else "") + ".** "
            f"In the page, the heading and the equation appear together when the fragment run ends "
            f"(seed p50 {ms(s0['heading_p50'])}: key → websocket → script run → deltas), the graph "
            f"{ms(s0['graph_p50'] - s0['tex_p50'])} later" + (f" (5×8: {ms(s1['graph_p50'] - s1['tex_p50'])})" if s1 else "")
            + ". A CPU profile of the page (CDP Profiler) puts most of that in plotly.js: `st.plotly_chart` "
            "derives the element's identity from the figure, so every step remounts the chart (a full "
            "`Plotly.newPlot`, not `Plotly.react`), and plotly's per-trace work grows with the trace count "
            "— the 5×8 figure draws each of its 256 edges as its own trace. Measured outside the app "
            "(plotly.js alone in Chromium, while fixing): `Plotly.react` instead of `newPlot` was ≈ 3× "
            "faster on the seed figure, and grouping the 5×8 edges by style (≈ 26 traces instead of ≈ 270) "
            "≈ 4× faster. Not done here: both change other people's contracts (the figure tests address "
            "each edge trace by name; keeping the chart mounted needs a custom component in place of "
            "`st.plotly_chart`). They are the next steps, in that order.",
            "",
        ]
    c = results.get("cold", {})
    if c and "error" not in c:
        out += [
            f"**Cold start — {'met' if c['graph_median'] <= BUDGETS['cold_start_s'] else 'missed'} "
            f"({c['graph_median']:.1f} s).** `streamlit run` answers its health check after "
            f"{c['health_median']:.1f} s; the rest is the first page: Streamlit's JavaScript, the app's "
            "first full run (importing plotly, pandas, networkx), then plotly.js (its bundle is the largest "
            "single item in a page load's CPU profile). `deploy/start.sh` keeps servers running, so only the "
            "first visitor after a (re)start pays this.",
            "",
        ]
    ss, pr = results.get("sessions", {}), results.get("protocol", {})
    if ss and "error" not in ss and pr and "error" not in pr:
        b50 = next((r for r in ss["rows"] if r["n"] == 50 and r["backends"] == 1), None)
        p50 = next((r for r in pr["rows"] if r["n"] == 50 and r["backends"] == 1), None)
        n50 = next((r for r in pr["rows"] if r["n"] == 50 and r["backends"] > 1), None)
        if b50 and p50:
            out += [
                f"**Many sessions.** With real browsers, 50 sessions give p95 {ms(b50['inside_p95'])}: "
                f"missed, but the browsers are what saturates this machine — Chromium spent "
                f"{b50['browser_cpu_ms_per_step']:.0f} ms of CPU per step (rendering 50 pages, mostly "
                f"plotly.js) against the server's {b50['server_cpu_ms_per_step']:.0f} ms, on the same 2 "
                "cores. Driving the same sessions over Streamlit's websocket protocol without rendering "
                f"(bench_protocol.py) measures the server alone: 50 sessions on one process, p95 "
                f"{ms(p50['p95'])} at {p50['steps_per_s']:.0f} steps/s and {p50['server_cpu_ms_per_step']:.0f} "
                "ms of CPU per step"
                + (f"; through nginx with 2 processes, p95 {ms(n50['p95'])}" if n50 else "") + ". "
                f"The single process was busy for only ≈ {p50['steps_per_s'] * p50['server_cpu_ms_per_step'] / 10:.0f} % "
                "of one core, yet its tail grows quickly past ≈ 25 stepping sessions: every session's script "
                "thread and the websocket event loop share one interpreter lock, and each step sends ≈ 45 "
                "messages (one per element of the explorer fragment) through that loop. More processes "
                "behind nginx (deploy/) is the fix that works here; fewer elements in the fragment would "
                "help each process. Memory is not a limit: each session "
                f"costs ≈ {p50['per_session_mb']:.1f} MB of server RSS (state is a small dict; traces and "
                "figures are shared caches).",
                "",
            ]
    out += ["**Beyond one process** — `deploy/README.md`: K `streamlit run` processes behind nginx "
            "(cookie-sticky sessions, websocket upgrade) and the offline HTML export served as static "
            "files for audiences that only watch.", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a short smoke run")
    p.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    p.add_argument("--from-json", type=Path, help="no run: rewrite RESULTS.md from this saved run")
    a = p.parse_args(argv)
    if a.from_json:
        saved = json.loads(a.from_json.read_text(encoding="utf-8"))
        results, timings, started = saved["results"], saved["timings"], saved["started"]
        load0, load1, a.quick = saved["load_start"], saved["load_end"], saved["quick"]
    else:
        started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        load0 = loadavg()
        results, timings = run_all(a.quick)
        load1 = loadavg()
        if not a.no_write:
            RAW.write_text(json.dumps({"started": started, "quick": a.quick, "load_start": load0,
                                       "load_end": load1, "timings": timings, "results": results},
                                      indent=1, default=str), encoding="utf-8")
    rows = rows_of(results)
    print("\n" + text_table(rows))
    print(f"\nload average {fmt_load(load0)} at the start, {fmt_load(load1)} at the end; "
          f"total {sum(timings.values()) / 60:.1f} min")
    if not a.no_write:
        write(results, timings, started, load0, load1, a.quick)
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
