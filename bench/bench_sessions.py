"""Many sessions at once: N pages in one Chromium, each stepping through the seed preset
with the client-side player, against one ``streamlit run`` or K of them behind nginx
(deploy/start.sh).

Sessions are added level by level (N = 1, 10, 25, 50 on one server: the sessions of a
level stay open into the next).  Each is a page of its own (its own Streamlit session);
up to ``PAGES_PER_CONTEXT`` pages share a browser context (and its caches) when going
direct, one context per session behind nginx (each gets its own sticky cookie).  At most
``LOAD_CONCURRENCY`` page loads run at a time; once all N are open, every one presses →
``--steps`` times (Home, untimed, at the end of the call), with a think time drawn
uniformly from ``--think`` seconds between presses (a student reading the step).  A step
is timed as in bench_player.py: in the page, ``performance.now()`` from the keydown
(capture listener) to the first animation frame after the player's ``nnviz:drawn`` event
(and from outside, around press → that frame).  A step sends nothing to the server: the
websocket frames the pages send while stepping are counted (expected: 0).

Server memory: the RSS of the server process(es) after one warm-up page load (modules
imported, the seed's trace and figures cached), and with all N sessions connected after
stepping; (difference) / N is what one session costs.  The nginx run starts K fresh
backends through deploy/start.sh (each warmed up directly).

A level's stepping is bounded: no new press after ``STEPPING_S`` seconds (sessions cut
short are counted as "unfinished").  CPU per step: the server process(es)' and this
run's Chromium processes' CPU time over the level's stepping ÷ timed steps.

Chromium runs on the same 2 cores as the server(s): at large N the browser's own work
for N pages (plotly.js redrawing each step, in every page) is what saturates the machine,
not the server; bench_protocol.py measures the server alone (see RESULTS.md).

    python3 bench/bench_sessions.py [--sessions 1,10,25] [--nginx 5] [--backends 2] [--write]
    python3 bench/bench_sessions.py --from-json bench/sessions_results.json --write
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (HERE, REPO, VIEWPORT, CHROMIUM, CHROMIUM_ARGS, Server, chromium_pids, cpu_seconds,  # noqa: E402
                    established, fmt_load, free_port, loadavg, pct, rss_bytes, write_section)

LOAD_CONCURRENCY = 5
STEP_TIMEOUT_MS = 30_000
STEPPING_S = 30  # no new press after this long into a level's stepping
PAGES_PER_CONTEXT = 10  # direct: sessions (pages) per browser context
DEPLOY = REPO / "deploy" / "start.sh"
DRAWN = ".nnviz-player .nnp-fig .main-svg"  # the player's chart, drawn
AT_JS = ("i => window.nnvizPlayer && window.nnvizPlayer.current() === i"
         " && document.querySelector('.nnviz-player').dataset.drawn === String(i + 1)")
# As bench_player.py: keydown (capture) → the first animation frame after the player's
# nnviz:drawn event, noted with the step drawn (so a late redraw of another step is not taken).
TIMER_JS = """() => {
  const pl = window.__pl = {t0: 0, drawn: []};
  document.addEventListener('keydown', () => { pl.t0 = performance.now(); }, true);
  document.addEventListener('nnviz:drawn', e => {
    const t0 = pl.t0;
    requestAnimationFrame(() => { pl.drawn.push([e.detail.step, performance.now() - t0]); });
  });
}"""
DRAWN_JS = "i => { const d = window.__pl.drawn; return d.length > 0 && d[d.length - 1][0] === i; }"


class Session:
    """One page (its own Streamlit session) on the app: opens, then steps with the player."""

    def __init__(self, browser, url, rng, ctx=None):
        self.browser, self.url, self.rng = browser, url, rng
        self.ctx, self.own_ctx = ctx, ctx is None  # a shared context: its own page, own session
        self.i, self.last, self.sent = 0, None, 0  # the step on screen; frames sent to the server

    async def open(self, gate: asyncio.Semaphore) -> float:
        if self.ctx is None:
            self.ctx = await self.browser.new_context(viewport=VIEWPORT)
        self.page = await self.ctx.new_page()
        self.page.on("websocket", lambda ws: ws.on("framesent", self._sent))
        async with gate:  # bounded concurrent page loads
            t0 = time.perf_counter()
            self.page.set_default_timeout(120_000)
            await self.page.goto(self.url, wait_until="domcontentloaded", timeout=120_000)
            await self.page.wait_for_selector(DRAWN, timeout=120_000)
            await self.page.wait_for_function(AT_JS, arg=0, timeout=120_000)
            elapsed = time.perf_counter() - t0
        self.last = await self.page.evaluate("() => window.nnvizPlayer.last")
        await self.page.evaluate(TIMER_JS)
        return elapsed

    def _sent(self, _payload) -> None:
        self.sent += 1

    async def _press(self, key: str, i: int) -> tuple[float, float]:
        """Press ``key``; wait until step ``i`` is drawn; (in page, outside) ms."""
        page = self.page
        t0 = time.perf_counter()
        await page.keyboard.press(key)
        await page.wait_for_function(DRAWN_JS, arg=i, timeout=STEP_TIMEOUT_MS, polling=50)
        outside = (time.perf_counter() - t0) * 1000
        return await page.evaluate("() => window.__pl.drawn[window.__pl.drawn.length - 1][1]"), outside

    async def steps(self, n: int, think, out: dict, deadline: float) -> None:
        """``n`` timed presses of →, with think time; Home (untimed) after the last step.
        No new press after ``deadline`` (perf_counter): the level's time is bounded."""
        await asyncio.sleep(self.rng.uniform(0, think[1]))  # spread the first presses
        try:
            for k in range(n):
                if time.perf_counter() > deadline:
                    out["unfinished"] += 1
                    return
                if self.i == self.last:
                    await self._press("Home", 0)
                    self.i = 0
                self.i += 1
                inside, outside = await self._press("ArrowRight", self.i)
                if not await self.page.evaluate(AT_JS, self.i):
                    raise RuntimeError(f"expected step {self.i} on screen")
                out["inside"].append(inside)
                out["outside"].append(outside)
                await asyncio.sleep(self.rng.uniform(*think))
        except Exception as e:  # noqa: BLE001 - a failed session is counted, not fatal
            out["failed"].append(f"{type(e).__name__}: {str(e)[:120]}")

    async def close(self) -> None:
        await (self.ctx.close() if self.own_ctx else self.page.close())


async def levels(browser, url, counts, steps, think, pids, ports, base_rss, label, seed=0,
                 per_context=1) -> list[dict]:
    """Sessions added level by level (1, 10, 25, 50 ...); at each level all of them step.
    ``per_context`` > 1: that many pages (each its own Streamlit session) share a browser
    context, and so its HTTP and code caches: page loads cost the harness less CPU.  Behind
    nginx every session needs its own context (its own sticky cookie)."""
    rng, gate = random.Random(seed), asyncio.Semaphore(LOAD_CONCURRENCY)
    sessions, rows, contexts = [], [], []

    async def context_for(k: int):
        if per_context <= 1:
            return None
        while len(contexts) <= k // per_context:
            contexts.append(await browser.new_context(viewport=VIEWPORT))
        return contexts[k // per_context]

    try:
        for n in counts:
            new = [Session(browser, url, random.Random(rng.random()), await context_for(k))
                   for k in range(len(sessions), n)]
            out = {"inside": [], "outside": [], "failed": [], "unfinished": 0}
            t0 = time.perf_counter()
            loads = []
            for s, r in zip(new, await asyncio.gather(*(s.open(gate) for s in new), return_exceptions=True)):
                if isinstance(r, BaseException):
                    out["failed"].append(f"open: {type(r).__name__}: {str(r)[:120]}")
                else:
                    loads.append(r)
                    sessions.append(s)
            opened = time.perf_counter() - t0
            t0 = time.perf_counter()
            browsers = chromium_pids()
            cpu0 = ([cpu_seconds(p) for p in pids], sum(cpu_seconds(p) for p in browsers))
            sampler = asyncio.create_task(_sample_load(10))
            sent0 = sum(s.sent for s in sessions)
            deadline = time.perf_counter() + STEPPING_S
            tasks = [asyncio.create_task(s.steps(steps, think, out, deadline)) for s in sessions]
            _, late = await asyncio.wait(tasks, timeout=STEPPING_S + 60)
            for t in late:
                t.cancel()
            out["failed"] += ["stepping did not finish in time"] * len(late)
            stepping = time.perf_counter() - t0
            load = sampler.result() if sampler.done() else loadavg()
            sampler.cancel()
            cpu_server = [cpu_seconds(p) - c for p, c in zip(pids, cpu0[0])]
            cpu_browser = sum(cpu_seconds(p) for p in browsers) - cpu0[1]
            rss = sum(rss_bytes(p) for p in pids)
            per_backend = [established(port) for port in ports]
            ins, outs = out["inside"], out["outside"]
            row = {"label": label, "n": n, "backends": len(pids), "steps_timed": len(ins),
                   "frames_sent": sum(s.sent for s in sessions) - sent0,
                   "failed": len(out["failed"]), "errors": out["failed"][:3],
                   "unfinished": out["unfinished"],
                   "inside_p50": pct(ins, 50), "inside_p95": pct(ins, 95),
                   "outside_p50": pct(outs, 50), "outside_p95": pct(outs, 95),
                   "page_load_p95_s": pct(loads, 95), "open_s": opened, "stepping_s": stepping,
                   "rss_base": base_rss, "rss_with_sessions": rss,
                   "per_session_mb": (rss - base_rss) / n / 2**20, "loadavg": load,
                   "connections_per_backend": per_backend,
                   "server_cpu_s": cpu_server, "browser_cpu_s": cpu_browser,
                   "server_cpu_ms_per_step": 1000 * sum(cpu_server) / max(len(ins), 1),
                   "browser_cpu_ms_per_step": 1000 * cpu_browser / max(len(ins), 1)}
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "errors"}, default=str), flush=True)
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
        await asyncio.gather(*(c.close() for c in contexts), return_exceptions=True)
    return rows


async def _sample_load(after: float):
    """The load average ``after`` seconds into the stepping (the 1-minute figure lags)."""
    await asyncio.sleep(after)
    return loadavg()


def warm(url: str) -> None:
    """One page load in its own browser: imports the app's modules, caches the seed."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = b.new_page(viewport=VIEWPORT)
            page.goto(url, wait_until="domcontentloaded", timeout=120_000)
            page.wait_for_selector(DRAWN, timeout=120_000)
        finally:
            b.close()


class Deployment:
    """deploy/start.sh: K streamlit backends + nginx on loopback ports, in a temp run dir."""

    def __init__(self, backends: int):
        import tempfile
        self.run_dir = tempfile.mkdtemp(prefix="nnviz-deploy-")
        self.port = free_port()
        self.backends = [free_port() for _ in range(backends)]
        env = dict(os.environ, NNVIZ_RUN_DIR=self.run_dir, NNVIZ_PORT=str(self.port),
                   NNVIZ_BACKEND_PORTS=" ".join(map(str, self.backends)))
        self.env = env
        r = subprocess.run(["bash", str(DEPLOY), "start"], env=env, capture_output=True, text=True,
                           timeout=120)
        if r.returncode:
            self.stop()
            raise RuntimeError(f"deploy/start.sh start failed:\n{r.stdout}\n{r.stderr}")
        self.url = f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        pids = []
        for f in sorted(Path(self.run_dir).glob("streamlit-*.pid")):
            pids.append(int(f.read_text().strip()))
        return pids

    def stop(self) -> None:
        import shutil
        subprocess.run(["bash", str(DEPLOY), "stop"], env=self.env, capture_output=True, text=True,
                       timeout=60)
        shutil.rmtree(self.run_dir, ignore_errors=True)


async def run_targets(targets, steps, think) -> list[dict]:
    """targets: (label, [session counts], make) with make() -> server description."""
    from playwright.async_api import async_playwright
    rows = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for label, counts, make in targets:
                srv = make()
                try:
                    for u in srv["warm_urls"]:
                        await asyncio.to_thread(warm, u)
                    base = sum(rss_bytes(p) for p in srv["pids"])
                    rows += await levels(browser, srv["url"], counts, steps, think, srv["pids"], srv["ports"],
                                         base, label, per_context=srv["per_context"])
                finally:
                    srv["stop"]()
        finally:
            await browser.close()
    return rows


def direct():
    s = Server()
    s.wait_healthy()
    return {"url": s.url + "/", "warm_urls": [s.url + "/"], "pids": [s.proc.pid], "ports": [s.port],
            "stop": s.stop, "per_context": PAGES_PER_CONTEXT}


def via_nginx(k: int):
    def make():
        d = Deployment(k)
        return {"url": d.url + "/", "warm_urls": [f"http://127.0.0.1:{p}/" for p in d.backends],
                "pids": d.pids(), "ports": d.backends, "stop": d.stop, "per_context": 1}
    return make


def nginx_available() -> bool:
    from shutil import which
    return which("nginx") is not None or Path("/usr/sbin/nginx").exists()


def run(sessions=(1, 10, 25), nginx_n=(5,), backends=2, steps=20, think=(0.5, 1.0)) -> list[dict]:
    targets = [("direct, 1 process", list(sessions), direct)] if sessions else []
    if nginx_n and nginx_available():
        targets.append((f"nginx, {backends} processes", list(nginx_n), via_nginx(backends)))
    return asyncio.run(run_targets(targets, steps, think))


MARK = ("<!-- bench_sessions: begin -->", "<!-- bench_sessions: end -->")
# Before the player (RESULTS.md section 5, 2026-11-24): N: (step p50, p95 ms in page, cut short,
# server CPU ms per step, Chromium CPU ms per step, 1-minute load)
BEFORE = {1: (137, 213, 0, 26, 264, 3.71), 10: (813, 1895, 9, 14, 255, 7.71), 25: (4367, 7055, 25, 14, 367, 15.09),
          50: (9625, 13359, 50, 14, 412, 23.05)}


def markdown(data: dict) -> str:
    out = [MARK[0], "## Many browser sessions with the player (issue 11)", "",
           f"`python3 bench/bench_sessions.py` — run {data['when']} on commit `{data.get('commit', '?')}`, this "
           "machine (2 CPUs, shared). One Chromium (headless), one page per session (10 pages per browser "
           "context), the seed preset, sessions added level by level on one `streamlit run`; every page "
           f"presses → {data['steps']} times, 0.5–1.0 s apart (Home after the last step), no new press after "
           f"{STEPPING_S} s (\"cut short\"). A step: keydown (capture listener) → the first animation frame "
           "after the player's `nnviz:drawn` for that step, in the page; outside: Python around the press → "
           "that frame. Before: section 5 above (the server round trip: keydown → heading, equation and "
           "graph updated).", "",
           "| setup | N | steps timed | failed / cut short | step p50 / p95 in page | before p50 / p95 | "
           "before p95 ÷ now p95 | outside p95 | page load p95 | frames sent while stepping | server CPU per "
           "step (before) | Chromium CPU per step (before) | RSS base → with N (per session) | load (1 min) "
           "now · before |", "|" + "---|" * 14]
    for r in data["rows"]:
        b = BEFORE.get(r["n"]) if r["backends"] == 1 else None
        out.append(
            f"| {r['label']} | {r['n']} | {r['steps_timed']} | {r['failed']} / {r['unfinished']} | "
            f"{r['inside_p50']:.0f} / **{r['inside_p95']:.0f} ms** | " + (f"{b[0]} / {b[1]} ms | {b[1] / r['inside_p95']:.1f}× | "
                                                                          if b else "— | — | ")
            + f"{r['outside_p95']:.0f} ms | {r['page_load_p95_s']:.1f} s | {r['frames_sent']} | "
            f"{r['server_cpu_ms_per_step']:.1f} ms" + (f" ({b[3]} ms)" if b else "") + f" | {r['browser_cpu_ms_per_step']:.0f} ms"
            + (f" ({b[4]} ms)" if b else "") + f" | {r['rss_base'] / 2**20:.0f} → {r['rss_with_sessions'] / 2**20:.0f} MB "
            f"({r['per_session_mb']:.2f} MB) | {r['loadavg'][0]:.1f}" + (f" · {b[5]}" if b else "") + " |")
    rows = [r for r in data["rows"] if r["backends"] == 1]
    if rows:
        t = max(rows, key=lambda r: r["n"])
        cores = os.cpu_count() or 2
        demand = t["n"] / 0.75  # presses a second: one per 0.5–1.0 s in each page
        supply = 1000 * cores / max(t["browser_cpu_ms_per_step"], 1)
        out += ["", f"**Chromium saturates first.** The pages sent {sum(r['frames_sent'] for r in rows)} websocket "
                f"frames while stepping, and the server spent {t['server_cpu_ms_per_step']:.1f} ms of CPU per step "
                f"at {t['n']} pages (its idle housekeeping spread over the steps; before the player: 14 ms). "
                f"Chromium spent {t['browser_cpu_ms_per_step']:.0f} ms per step drawing it (plotly.js in each "
                f"page): {cores} cores, were they Chromium's alone, would draw at most ≈ {supply:.0f} steps a second "
                f"for all pages together; {t['n']} pages pressing every 0.5–1.0 s ask for up to ≈ {demand:.0f}, "
                f"and it drew {t['steps_timed'] / t['stepping_s']:.1f} a second, sharing the cores with the "
                "other engineers' work (see the load column). The presses queue in the browser: that is what "
                "the step times above measure. The server's side of many sessions is measured without browsers "
                "in the next section; a real class has one browser per student, on its own machine."]
    out.append(MARK[1])
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", default="1,10,25")
    p.add_argument("--nginx", default="5", help="session counts to run through nginx ('' for none)")
    p.add_argument("--backends", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--think", default="0.5,1.0", help="think time between presses: min,max seconds")
    p.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    p.add_argument("--from-json", help="no run: the rows from this file")
    a = p.parse_args(argv)
    if a.from_json:
        text = markdown(json.loads(Path(a.from_json).read_text()))
        print(text)
        if a.write:
            write_section(text, MARK)
        return 0
    think = tuple(float(x) for x in a.think.split(","))
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = run([int(x) for x in a.sessions.split(",") if x], [int(x) for x in a.nginx.split(",") if x],
               a.backends, a.steps, think)
    for r in rows:
        print(f"{r['label']:22s} N={r['n']:3d}  step p50 {r['inside_p50']:7.0f} ms  p95 {r['inside_p95']:7.0f} ms"
              f"  (outside p95 {r['outside_p95']:7.0f})  failed sessions {r['failed']} {r['errors'][:2]}  "
              f"frames sent {r['frames_sent']}  "
              f"RSS {r['rss_base'] / 2**20:.0f} → {r['rss_with_sessions'] / 2**20:.0f} MB "
              f"({r['per_session_mb']:.2f} MB/session)  CPU/step server {r['server_cpu_ms_per_step']:.0f} ms "
              f"browser {r['browser_cpu_ms_per_step']:.0f} ms  connections per backend "
              f"{r['connections_per_backend']}  load {fmt_load(r['loadavg'])}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                            text=True).stdout.strip()
    data = json.loads(json.dumps({"when": when, "commit": commit, "steps": a.steps, "rows": rows}, default=str))
    (HERE / "sessions_results.json").write_text(json.dumps(data, indent=1))
    if a.write:
        write_section(markdown(data), MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
