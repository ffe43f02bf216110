"""Many sessions, server only: N Streamlit sessions driven over the websocket protocol.

Each client does what the browser does, without rendering: it opens
``/_stcore/stream`` (subprotocol "streamlit"), asks for the first script run, finds the
explorer's "Next" button and its fragment in the deltas, then clicks Next ``--steps``
times (a ``rerun_script`` BackMsg with the button's trigger and the fragment id, as the
frontend sends for → ), with a think time between clicks.  A step is timed from sending
the click to the ``script_finished`` message, and checked: the step heading in the
deltas must say the next step.  Home (the "First" button, untimed) at the end of the call.

So the latency here is the server's share of a step (script run, deltas, websocket);
bench_browser.py gives the browser's share for one session.  Sessions are added level by
level on one server (1 → 10 → 25 → 50 → 100), then through nginx with 2 backends
(deploy/start.sh: a first HTTP request gets the sticky cookie, the websocket sends it).
Memory and CPU as in bench_sessions.py.

    python3 bench/bench_protocol.py [--sessions 1,10,25,50,100] [--nginx 50,100]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, cpu_seconds, established, fmt_load, loadavg, pct, rss_bytes  # noqa: E402

STEP_TIMEOUT_S = 30
STEPPING_S = 100
HEADING = re.compile(r"\*\*Step (\d+) of (\d+)\*\*")


def _msgs():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    return BackMsg, ForwardMsg


class Client:
    """One session over the websocket, as the browser would drive it (no rendering)."""

    def __init__(self, base: str, rng: random.Random):
        self.base, self.rng = base, rng
        self.buttons, self.frag, self.step, self.n = {}, "", None, None

    async def open(self) -> float:
        import websockets
        headers = {}
        with urllib.request.urlopen(self.base + "/", timeout=30) as r:  # nginx sets its cookie here
            cookie = r.headers.get("Set-Cookie")
        if cookie:
            headers["Cookie"] = cookie.split(";", 1)[0]
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.base,
                                           additional_headers=headers, max_size=None)
        t0 = time.perf_counter()
        await self._send()
        await self._until_finished()
        return time.perf_counter() - t0

    async def _send(self, button: str | None = None) -> None:
        BackMsg, _ = _msgs()
        m = BackMsg()
        cs = m.rerun_script
        cs.query_string, cs.page_script_hash = "", ""
        if button:
            w = cs.widget_states.widgets.add()
            w.id, w.trigger_value = self.buttons[button], True
            cs.fragment_id = self.frag
        await self.ws.send(m.SerializeToString())

    async def _until_finished(self) -> None:
        _, ForwardMsg = _msgs()
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), STEP_TIMEOUT_S)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                et = el.WhichOneof("type")
                if et == "button" and el.button.label in ("Next", "First"):
                    self.buttons[el.button.label] = el.button.id
                    self.frag = fm.delta.fragment_id or self.frag
                elif et == "markdown":
                    h = HEADING.search(el.markdown.body)
                    if h:
                        self.step, self.n = int(h.group(1)), int(h.group(2))
            elif kind == "script_finished":
                return

    async def click(self, button: str) -> float:
        t0 = time.perf_counter()
        await self._send(button)
        await self._until_finished()
        return (time.perf_counter() - t0) * 1000

    async def steps(self, k: int, think, out: dict, deadline: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, think[1]))
        try:
            for _ in range(k):
                if time.perf_counter() > deadline:
                    out["unfinished"] += 1
                    return
                if self.step == self.n:
                    await self.click("First")
                before = self.step
                out["ms"].append(await self.click("Next"))
                if self.step != before + 1:
                    raise RuntimeError(f"expected step {before + 1}, the page says {self.step}")
                await asyncio.sleep(self.rng.uniform(*think))
        except Exception as e:  # noqa: BLE001 - counted, not fatal
            out["failed"].append(f"{type(e).__name__}: {str(e)[:120]}")

    async def close(self) -> None:
        try:
            await self.ws.close()
        except Exception:  # noqa: BLE001
            pass


async def levels(url, counts, steps, think, pids, ports, label, seed=1) -> list[dict]:
    rng, clients, rows = random.Random(seed), [], []
    base = sum(rss_bytes(p) for p in pids)
    try:
        for n in counts:
            out = {"ms": [], "failed": [], "unfinished": 0}
            new = [Client(url, random.Random(rng.random())) for _ in range(n - len(clients))]
            t0 = time.perf_counter()
            for c, r in zip(new, await asyncio.gather(*(c.open() for c in new), return_exceptions=True)):
                if isinstance(r, BaseException):
                    out["failed"].append(f"open: {type(r).__name__}: {str(r)[:120]}")
                else:
                    clients.append(c)
            opened = time.perf_counter() - t0
            cpu0 = [cpu_seconds(p) for p in pids]
            load = None
            t0 = time.perf_counter()
            deadline = t0 + STEPPING_S
            tasks = [asyncio.create_task(c.steps(steps, think, out, deadline)) for c in clients]
            while not all(t.done() for t in tasks) and time.perf_counter() - t0 < STEPPING_S + 60:
                await asyncio.sleep(0.2)
                if load is None and time.perf_counter() - t0 > 10:
                    load = loadavg()
            for t in tasks:
                t.cancel()
            stepping = time.perf_counter() - t0
            cpu = [cpu_seconds(p) - c for p, c in zip(pids, cpu0)]
            rss = sum(rss_bytes(p) for p in pids)
            ms = out["ms"]
            row = {"label": label, "n": n, "backends": len(pids), "steps_timed": len(ms),
                   "failed": len(out["failed"]), "errors": out["failed"][:3], "unfinished": out["unfinished"],
                   "p50": pct(ms, 50), "p95": pct(ms, 95), "max": max(ms, default=float("nan")),
                   "open_s": opened, "stepping_s": stepping, "steps_per_s": len(ms) / stepping,
                   "rss_base": base, "rss_with_sessions": rss, "per_session_mb": (rss - base) / n / 2**20,
                   "server_cpu_s": cpu, "server_cpu_ms_per_step": 1000 * sum(cpu) / max(len(ms), 1),
                   "connections_per_backend": [established(p) for p in ports], "loadavg": load or loadavg()}
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "errors"}, default=str), flush=True)
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return rows


def warm_protocol(url: str) -> None:
    """One session's first run (imports the app's modules, caches the seed's trace)."""
    async def go():
        c = Client(url, random.Random(0))
        await c.open()
        for _ in range(c.n - 1):
            await c.click("Next")
        await c.close()
    asyncio.run(go())


def run(sessions=(1, 10, 25, 50, 100), nginx_n=(50, 100), backends=2, steps=15,
        think=(0.5, 1.0)) -> list[dict]:
    import bench_sessions
    rows = []
    if sessions:
        with Server() as srv:
            srv.wait_healthy()
            warm_protocol(srv.url)
            rows += asyncio.run(levels(srv.url, list(sessions), steps, think, [srv.proc.pid], [srv.port],
                                       "direct, 1 process"))
    if nginx_n and bench_sessions.nginx_available():
        d = bench_sessions.Deployment(backends)
        try:
            for p in d.backends:
                warm_protocol(f"http://127.0.0.1:{p}")
            rows += asyncio.run(levels(d.url, list(nginx_n), steps, think, d.pids(), d.backends,
                                       f"nginx, {backends} processes"))
        finally:
            d.stop()
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", default="1,10,25,50,100")
    p.add_argument("--nginx", default="50,100", help="session counts through nginx ('' for none)")
    p.add_argument("--backends", type=int, default=2)
    p.add_argument("--steps", type=int, default=15)
    p.add_argument("--think", default="0.5,1.0", help="think time between clicks: min,max seconds")
    a = p.parse_args(argv)
    think = tuple(float(x) for x in a.think.split(","))
    rows = run([int(x) for x in a.sessions.split(",") if x], [int(x) for x in a.nginx.split(",") if x],
               a.backends, a.steps, think)
    for r in rows:
        print(f"{r['label']:20s} N={r['n']:3d}  step p50 {r['p50']:6.0f} ms  p95 {r['p95']:6.0f} ms  "
              f"{r['steps_per_s']:.1f} steps/s  failed {r['failed']}  unfinished {r['unfinished']}  "
              f"RSS {r['rss_base'] / 2**20:.0f} → {r['rss_with_sessions'] / 2**20:.0f} MB "
              f"({r['per_session_mb']:.2f} MB/session)  server CPU {r['server_cpu_ms_per_step']:.0f} ms/step  "
              f"conns {r['connections_per_backend']}  load {fmt_load(r['loadavg'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
