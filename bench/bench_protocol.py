"""Many sessions, server only: N Streamlit sessions driven over the websocket protocol, as
the player's page drives them (issue 11: "200 concurrent stepping sessions on one process").

Each client does what the browser does since the client-side player (nnviz_app/player_host.py,
nnviz/player/streamlit_host.js), without rendering:

1. **open**: ``/_stcore/stream`` (subprotocol "streamlit", permessage-deflate offered as a
   browser does), the first script run — it carries the walk-through as the player
   component's data (≈ 0.4 MB of JSON for the seed preset) — timed from the ``rerun_script``
   BackMsg to ``script_finished``; then **have**: the page's ``setStateValue("have", id)``,
   i.e. a rerun with the component's JSON state ``{"have": id}`` (the component's
   ``on_have_change`` callback), whose run must send the id only (``"wt": null``), timed too.
2. **stepping**: every session "steps" (→ every 0.5–1.0 s: only its own ``?step=`` moves;
   nothing is sent, as in the page).  The server's CPU time and RSS are sampled every second
   over this window: they should stay flat, whatever N.
3. **mixed**: stepping goes on, and a share of the sessions do what makes the server work
   (``ACTIONS``): switch preset (the preset selectbox: a new walk-through, then "have"),
   go to Predict mode and back to Explore (the walk-through again: the component was not on
   the page in between), or reload the page (a new session: a first run).  Each action is
   timed until its last run's ``script_finished``; every rerun sends the page's query string
   (with its ``?step=``), as the browser does.

Levels add sessions on ONE ``streamlit run`` (1 → 50 → 100 → 200 by default; a level's
sessions stay open into the next), arriving at ``--rate`` sessions a second.  Bytes: the
websocket's payload (after decompression) and what came over the socket (the wire, measured
by counting the bytes the client's transport receives), so ``--compression on`` (the server
started with ``server.enableWebsocketCompression``) shows what permessage-deflate saves.

    python3 bench/bench_protocol.py [--sessions 1,50,100,200] [--compression off|on|both]
        [--rate 10] [--stepping 20] [--mixed 20] [--json out.json] [--write]
    python3 bench/bench_protocol.py --from-json out.json --write   # RESULTS.md's section only
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, cpu_seconds, fmt_load, loadavg, pct, rss_bytes, write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
MARK = ("<!-- bench_protocol: begin -->", "<!-- bench_protocol: end -->")
RUN_TIMEOUT_S = 120
THINK_S = (0.5, 1.0)  # between two → presses (a student reading the step)
ACTIONS = {"preset": 0.10, "predict": 0.05, "reload": 0.05}  # share of sessions, once per mixed window
WT_ID = re.compile(r'^\{"id": "([0-9a-f]+)", "wt": (null|\{)')


def _msgs():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    return BackMsg, ForwardMsg


class Run:
    """What one script run sent: payload bytes, and the player component's data, if any."""

    def __init__(self):
        self.payload, self.wt_bytes, self.player_id, self.has_wt = 0, 0, None, None


class Client:
    """One page's session over the websocket (no rendering)."""

    def __init__(self, base: str, rng: random.Random, compression: str | None = "deflate"):
        self.base, self.rng, self.compression = base, rng, compression  # None: offer no compression
        self.widgets, self.ids, self.query, self.step, self.preset = {}, {}, {}, 0, None
        self.wire, self.payload = 0, 0

    async def connect(self) -> None:
        import websockets
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.base,
                                           max_size=None, compression=self.compression)
        received = self.ws.data_received  # every byte the socket delivers (compressed or not)

        def counting(data, _received=received):
            self.wire += len(data)
            _received(data)
        self.ws.data_received = counting

    async def rerun(self) -> tuple[float, Run]:
        """One script run, as the page asks for it: every widget state it holds, its query string."""
        BackMsg, _ = _msgs()
        m = BackMsg()
        rs = m.rerun_script
        rs.query_string, rs.page_script_hash = urlencode(self.query), ""
        for ws in self.widgets.values():
            rs.widget_states.widgets.add().CopyFrom(ws)
        t0 = time.perf_counter()
        await self.ws.send(m.SerializeToString())
        run = await self._until_finished()
        return (time.perf_counter() - t0) * 1000, run

    async def _until_finished(self) -> Run:
        _, ForwardMsg = _msgs()
        run, seen = Run(), set()
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT_S)
            run.payload += len(raw)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                et = el.WhichOneof("type")
                if et == "bidi_component":
                    seen.add(el.bidi_component.id)
                    self.ids["player"] = el.bidi_component.id
                    m = WT_ID.match(el.bidi_component.json[:200])
                    if m:
                        run.player_id, run.has_wt = m.group(1), m.group(2) == "{"
                        run.wt_bytes = len(el.bidi_component.json) if run.has_wt else 0
                elif et in ("selectbox", "button_group"):
                    w = getattr(el, et)
                    seen.add(w.id)
                    self.ids[w.label] = w.id
            elif kind == "page_info_changed":
                self.query = dict(parse_qsl(fm.page_info_changed.query_string))
            elif kind == "script_finished":
                self.payload += run.payload
                # the page drops the states of widgets the run did not show (removeInactive)
                self.widgets = {k: v for k, v in self.widgets.items() if k in seen}
                return run

    def _set(self, key: str, **value) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        wid = self.ids[key]
        self.widgets[wid] = WidgetState(id=wid, **value)

    async def _have(self, run: Run) -> float:
        """The page mounts the walk-through and says it holds it: one more run, id only."""
        if not run.has_wt:
            raise RuntimeError(f"expected the walk-through in the run, got {run.player_id=} {run.has_wt=}")
        self._set("player", json_value=json.dumps({"have": run.player_id}))
        ms, again = await self.rerun()
        if again.has_wt is not False or again.player_id != run.player_id:
            raise RuntimeError(f"after 'have' the run sent the walk-through again ({again.wt_bytes} bytes)")
        return ms

    async def open(self) -> dict:
        await self.connect()
        first_ms, run = await self.rerun()
        return {"first_ms": first_ms, "have_ms": await self._have(run), "wt_bytes": run.wt_bytes,
                "first_payload": run.payload}

    def press(self) -> None:
        """→ in the page: the player moves and writes ?step= into the address; nothing sent."""
        self.step = (self.step + 1) % 17
        if self.step:
            self.query["step"] = str(self.step)
        else:
            self.query.pop("step", None)

    async def act(self, kind: str, presets: list[str]) -> float:
        """One action that makes the server work: the sum of its runs' round trips (ms; a
        student's think time between them is not the server's)."""
        from streamlit.proto.Common_pb2 import StringArray
        if kind == "reload":
            await self.close()
            self.widgets = {}  # a new page: the same address (its ?step=, its preset)
            r = await self.open()
            return r["first_ms"] + r["have_ms"]
        if kind == "preset":
            self.preset = self.rng.choice([t for t in presets if t != (self.preset or presets[0])])  # another one
            self._set("Preset", string_value=self.preset)
            ms, run = await self.rerun()
            return ms + await self._have(run)
        self._set("Mode", string_array_value=StringArray(data=["Predict"]))
        ms, run = await self.rerun()
        if run.player_id is not None:
            raise RuntimeError("predict mode still showed the player")
        await asyncio.sleep(self.rng.uniform(2, 4))  # a prediction or two, then back
        self._set("Mode", string_array_value=StringArray(data=["Explore"]))
        ms2, run = await self.rerun()
        return ms + ms2 + await self._have(run)

    async def close(self) -> None:
        try:
            await self.ws.close()
        except Exception:  # noqa: BLE001
            pass


async def _stepping(c: Client, stop: asyncio.Event, count: list) -> None:
    while not stop.is_set():
        await asyncio.sleep(c.rng.uniform(*THINK_S))
        c.press()
        count[0] += 1


async def _sample(pid: int, seconds: float) -> dict:
    """The server's CPU time per second and its RSS, sampled each second for ``seconds``."""
    cpu, rss, t = [], [rss_bytes(pid)], time.perf_counter()
    c0, me0 = cpu_seconds(pid), time.process_time()
    for _ in range(max(1, round(seconds))):
        await asyncio.sleep(1.0)
        c1, t1 = cpu_seconds(pid), time.perf_counter()
        cpu.append((c1 - c0) / (t1 - t))
        c0, t = c1, t1
        rss.append(rss_bytes(pid))
    return {"cpu_ms_per_s": [1000 * x for x in cpu], "rss": rss, "harness_cpu_s": time.process_time() - me0,
            "load": loadavg()}


async def _open(c: Client, delay: float) -> dict:
    await asyncio.sleep(delay)
    wire0 = c.wire
    r = await c.open()
    return dict(r, wire=c.wire - wire0)


async def _act(c: Client, kind: str, delay: float, presets: list[str]) -> float:
    await asyncio.sleep(delay)
    return await c.act(kind, presets)


async def level(url: str, pid: int, clients: list, n: int, a, rng: random.Random, base_rss: int) -> dict:
    from nnviz.engine.presets import PRESETS
    presets = [p.title for p in PRESETS.values()]
    errors, row = [], {"n": n}
    # 1. open: the level's new sessions arrive at a.rate a second
    new = [Client(url, random.Random(rng.random())) for _ in range(n - len(clients))]
    cpu0, me0, t0 = cpu_seconds(pid), time.process_time(), time.perf_counter()
    opened = []
    for c, r in zip(new, await asyncio.gather(*(_open(c, k / a.rate) for k, c in enumerate(new)),
                                              return_exceptions=True), strict=True):
        if isinstance(r, BaseException):
            errors.append(f"open: {type(r).__name__}: {str(r)[:160]}")
        else:
            clients.append(c)
            opened.append(r)
    row.update(new=len(new), open_s=time.perf_counter() - t0, open_server_cpu_s=cpu_seconds(pid) - cpu0,
               open_harness_cpu_s=time.process_time() - me0, open_load=loadavg(),
               first_p50=pct([o["first_ms"] for o in opened], 50), first_p95=pct([o["first_ms"] for o in opened], 95),
               first_max=max((o["first_ms"] for o in opened), default=float("nan")),
               have_p50=pct([o["have_ms"] for o in opened], 50), have_p95=pct([o["have_ms"] for o in opened], 95),
               wt_bytes=max((o["wt_bytes"] for o in opened), default=0),
               payload_per_open=sum(o["first_payload"] for o in opened) / max(len(opened), 1),
               wire_per_open=sum(o["wire"] for o in opened) / max(len(opened), 1))
    # 2. stepping: nothing is sent
    stop, presses = asyncio.Event(), [0]
    steppers = [asyncio.create_task(_stepping(c, stop, presses)) for c in clients]
    wire0 = sum(c.wire for c in clients)
    s = await _sample(pid, a.stepping)
    row.update(stepping=s, stepping_presses=presses[0], stepping_wire=sum(c.wire for c in clients) - wire0)
    # 3. mixed: stepping goes on; a share of the sessions make the server work, once each
    order = rng.sample(range(len(clients)), len(clients))
    jobs, start = [], 0
    for kind, share in ACTIONS.items():
        k = round(share * len(clients))
        for i in order[start:start + k]:
            jobs.append((kind, asyncio.create_task(_act(clients[i], kind, rng.uniform(0, a.mixed * 0.6), presets))))
        start += k
    presses[0] = 0
    m = await _sample(pid, a.mixed)
    done, late = await asyncio.wait([t for _, t in jobs], timeout=RUN_TIMEOUT_S) if jobs else (set(), set())
    acted = {}
    for kind, t in jobs:
        if t in late:
            t.cancel()
            errors.append(f"{kind}: not finished")
        elif t.exception() is not None:
            errors.append(f"{kind}: {type(t.exception()).__name__}: {str(t.exception())[:160]}")
        else:
            acted.setdefault(kind, []).append(t.result())
    stop.set()
    await asyncio.gather(*steppers, return_exceptions=True)
    every = [x for v in acted.values() for x in v]
    row.update(mixed=m, mixed_presses=presses[0], actions={k: len(v) for k, v in acted.items()},
               action_p50=pct(every, 50), action_p95=pct(every, 95),
               action_by_kind={k: (pct(v, 50), pct(v, 95)) for k, v in acted.items()},
               rss_base=base_rss, rss=rss_bytes(pid), sessions=len(clients), errors=errors)
    row["per_session_mb"] = (row["rss"] - base_rss) / max(len(clients), 1) / 2**20
    return row


async def warm(url: str) -> None:
    """One session through every preset and predict mode (imports, traces, walk-throughs cached)."""
    from nnviz.engine.presets import PRESETS
    c = Client(url, random.Random(0))
    await c.open()
    for title in [p.title for p in PRESETS.values()][1:] + [next(iter(PRESETS.values())).title]:
        c._set("Preset", string_value=title)
        _, run = await c.rerun()
        await c._have(run)
    await c.act("predict", [])
    await c.close()


async def serial_costs(url: str, pid: int, k: int = 10) -> dict:
    """Server CPU ms per run, one session at a time (no queueing): a first run (with the
    walk-through), the "have" rerun, and a plain rerun (the id only)."""
    clients, out = [Client(url, random.Random(i)) for i in range(k)], {}
    runs, c0 = [], cpu_seconds(pid)
    for c in clients:
        await c.connect()
        runs.append((await c.rerun())[1])
    out["first"], c0 = 1000 * (cpu_seconds(pid) - c0) / k, cpu_seconds(pid)
    for c, run in zip(clients, runs, strict=True):
        await c._have(run)
    out["have"], c0 = 1000 * (cpu_seconds(pid) - c0) / k, cpu_seconds(pid)
    for c in clients:
        await c.rerun()
    out["plain"] = 1000 * (cpu_seconds(pid) - c0) / k
    await asyncio.gather(*(c.close() for c in clients))
    return out


async def run_server(compression: bool, a) -> list[dict]:
    rows = []
    with Server(extra=("--server.enableWebsocketCompression", "true" if compression else "false")) as srv:
        srv.wait_healthy()
        await warm(srv.url)
        pid, clients, rng = srv.proc.pid, [], random.Random(1)
        serial = await serial_costs(srv.url, pid)
        print(f"compression {compression}: server CPU per run, one at a time: {serial}", flush=True)
        base = rss_bytes(pid)
        try:
            for n in a.sessions:
                r = await level(srv.url, pid, clients, n, a, rng, base)
                r["compression"], r["serial"] = compression, serial
                rows.append(r)
                print(summary(r), flush=True)
        finally:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return rows


def summary(r: dict) -> str:
    s, m = r["stepping"], r["mixed"]
    return (f"compression {'on ' if r['compression'] else 'off'} N={r['n']:3d} (+{r['new']}) "
            f"first p50 {r['first_p50']:.0f} p95 {r['first_p95']:.0f} ms, have p50 {r['have_p50']:.0f} "
            f"p95 {r['have_p95']:.0f} ms; wt {r['wt_bytes'] / 1e6:.2f} MB, wire/open "
            f"{r['wire_per_open'] / 1e6:.3f} MB; open CPU {r['open_server_cpu_s']:.1f} s "
            f"(harness {r['open_harness_cpu_s']:.1f} s) | stepping {r['stepping_presses']} presses, server "
            f"{sum(s['cpu_ms_per_s']) / len(s['cpu_ms_per_s']):.0f} ms CPU/s (max {max(s['cpu_ms_per_s']):.0f}), "
            f"RSS {s['rss'][0] / 2**20:.0f}→{s['rss'][-1] / 2**20:.0f} MB, wire {r['stepping_wire']} B | "
            f"mixed {r['actions']} p50 {r['action_p50']:.0f} p95 {r['action_p95']:.0f} ms, "
            f"{sum(m['cpu_ms_per_s']) / len(m['cpu_ms_per_s']):.0f} ms CPU/s | RSS {r['rss_base'] / 2**20:.0f}→"
            f"{r['rss'] / 2**20:.0f} MB ({r['per_session_mb']:.2f} MB/session) | errors {len(r['errors'])} "
            f"{r['errors'][:2]} | load {fmt_load(m['load'])}")


# Before the player (RESULTS.md section 5b, 2026-11-24, bench_protocol.py of then): each step
# was a click on the explorer's Next button rerunning its fragment; the same think time.
# N: (step p50 ms, p95 ms, steps/s, server CPU ms per step)
BEFORE = {1: (24.8, 46.1, 1.2, 18.0), 10: (22.2, 64.2, 11.1, 13.8), 25: (25.3, 163, 26.6, 12.8),
          50: (135, 1049, 41.2, 12.4), 100: (948, 1921, 51.6, 11.8)}


def _ms(v: float) -> str:
    return "—" if v != v else f"{v:.0f} ms"  # NaN: nothing measured


def _mean(xs) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def markdown(data: dict) -> str:
    rows, mb = data["rows"], (lambda b: f"{b / 2**20:.0f}")  # noqa: E731
    a = data["args"]
    out = [MARK[0], "## Many sessions with the player (issue 11): one process, server only", "",
           f"`python3 bench/bench_protocol.py --sessions {','.join(map(str, a['sessions']))} --compression "
           f"{a['compression']}` — run {data['when']} on commit `{data.get('commit', '?')}`, on this machine "
           "(2 CPUs, shared: see the load column). Each client is a page's session over "
           "`/_stcore/stream`, no rendering: the first run (it carries the walk-through as the player "
           "component's data), the page's `setStateValue(\"have\", id)` (a rerun whose output must "
           "carry the id only, checked), then → every 0.5–1.0 s, which sends **nothing** (the page "
           f"keeps `?step=` itself). Sessions arrive at {a['rate']:g} a second and stay into the next "
           f"level, all on ONE `streamlit run`. Per level: {a['stepping']:g} s of stepping only, "
           f"then {a['mixed']:g} s of stepping with the server-work mix: "
           + ", ".join(f"{round(100 * v)} % of the sessions {k}" for k, v in ACTIONS.items())
           + " (preset: the Preset selectbox → a new walk-through → \"have\"; predict: Predict mode "
           "and back to Explore 2–4 s later → the walk-through again → \"have\"; reload: a new "
           "session's first run and \"have\"), each timed as the sum of its runs' round trips. "
           "Server CPU: the process's CPU time, sampled every second. Wire: bytes the client's socket "
           "received (with compression on, the server's permessage-deflate frames); while stepping the "
           "clients send nothing, as the page (bench_sessions.py counts the frames Chromium sends: 0), "
           "and receive only the server's keep-alive pings.", "",
           "| compression | N (new) | first run p50 / p95 / max | \"have\" run p50 / p95 | walk-through · "
           "payload · wire per open | server CPU per open (first run + \"have\") | **stepping: server CPU** mean "
           "(max 1 s) | stepping: RSS start → end | stepping: bytes received | mix: actions | mix: p50 / p95 | "
           "mix: server CPU | RSS after warm-up → with N (per session) | errors | load (1 min) open · step · mix |",
           "|" + "---|" * 15]
    for r in rows:
        s, m = r["stepping"], r["mixed"]
        acts = ", ".join(f"{v} {k}" for k, v in r["actions"].items()) or "—"
        opened = r["new"] - sum(1 for e in r["errors"] if e.startswith("open"))
        out.append(
            f"| {'on' if r['compression'] else 'off'} | {r['n']} (+{r['new']}) | {r['first_p50']:.0f} / "
            f"{r['first_p95']:.0f} / {r['first_max']:.0f} ms | {r['have_p50']:.0f} / {r['have_p95']:.0f} ms | "
            f"{r['wt_bytes'] / 1e6:.2f} · {r['payload_per_open'] / 1e6:.2f} · **{r['wire_per_open'] / 1e6:.2f} MB** | "
            f"{1000 * r['open_server_cpu_s'] / max(opened, 1):.0f} ms | **{_mean(s['cpu_ms_per_s']):.0f} ms/s** "
            f"({max(s['cpu_ms_per_s']):.0f}) | {mb(s['rss'][0])} → {mb(s['rss'][-1])} MB | "
            f"{r['stepping_wire']} B | {acts} | {_ms(r['action_p50'])} / {_ms(r['action_p95'])} | "
            f"{_mean(m['cpu_ms_per_s']):.0f} ms/s | {mb(r['rss_base'])} → {mb(r['rss'])} MB "
            f"({r['per_session_mb']:.2f} MB) | {len(r['errors'])} | {r['open_load'][0]:.1f} · "
            f"{s['load'][0]:.1f} · {m['load'][0]:.1f} |")
    out += ["", "**Side by side with the server round trip before the player** (section 5b above: every → "
            "was a click rerunning the explorer's fragment, same think time; server CPU per second = "
            "steps/s × CPU per step). Now → costs the server nothing; the column \"now\" is the "
            "stepping window's mean, compression off:", "",
            "| N | before: step p50 / p95 | before: server CPU while stepping | now: step round trip | now: "
            "server CPU while stepping | before ÷ now |", "|---|---|---|---|---|---|"]
    now = {r["n"]: r for r in rows if not r["compression"]} or {r["n"]: r for r in rows}
    for n, r in sorted(now.items()):
        b = BEFORE.get(n)
        cpu = _mean(r["stepping"]["cpu_ms_per_s"])
        if b:
            out.append(f"| {n} | {b[0]:g} / {b[1]:g} ms | {b[2] * b[3]:.0f} ms/s ({b[2]:g} steps/s × "
                       f"{b[3]:g} ms) | none (0 messages) | {cpu:.0f} ms/s | {b[2] * b[3] / max(cpu, 1):.0f}× |")
        else:
            out.append(f"| {n} | not measured (100 already saturated: p95 1.9 s) | — | none (0 messages) | "
                       f"{cpu:.0f} ms/s | — |")
    out += ["", *analysis(rows, a)]
    out.append(MARK[1])
    return "\n".join(out)


def analysis(rows: list[dict], a: dict) -> list[str]:
    """What the rows say: what one process holds, compression, where a first run's time goes."""
    by = {(r["compression"], r["n"]): r for r in rows}
    comp = [c for c in (False, True) if any(r["compression"] == c for r in rows)]
    c = comp[-1]  # the configured setting when both ran
    top, low = max(a["sessions"]), min(a["sessions"])
    t, b = by[(c, top)], by[(c, low)]
    step = lambda r: _mean(r["stepping"]["cpu_ms_per_s"])  # noqa: E731
    ser = t.get("serial", {"first": float("nan"), "have": float("nan"), "plain": float("nan")})
    per_open = ser["first"] + ser["have"]
    errs = sum(len(r["errors"]) for r in rows)
    out = [f"**What one process holds.** With {top} sessions on one process (compression {'on' if c else 'off'}), "
           f"stepping cost the server {step(t):.0f} ms of CPU per second ({low} session{'s' * (low != 1)}: "
           f"{step(b):.0f} ms/s): flat, the process's own housekeeping; its RSS did not move while they "
           f"stepped ({t['stepping']['rss'][0] / 2**20:.0f} → {t['stepping']['rss'][-1] / 2**20:.0f} MB), and a "
           f"session costs ≈ {t['per_session_mb']:.1f} MB. Errors in the whole run: {errs}"
           + (f" ({'; '.join(sorted({e[:60] + '…' for r in rows for e in r['errors']}))})" if errs else "")
           + (f" — {a['note']}" if a.get("note") else "") + ". So stepping no longer "
           f"limits a process; the server work around it does. A new session costs ≈ {per_open:.0f} ms of server "
           f"CPU (measured one at a time: its first run {ser['first']:.0f} ms, the \"have\" rerun "
           f"{ser['have']:.0f} ms; a rerun without the walk-through {ser['plain']:.0f} ms), and a process runs "
           f"its scripts on one core (one interpreter lock): it admits at most ≈ {1000 / per_open:.0f} new "
           f"sessions a second. Arriving at {a['rate']:g} a second, the {t['new']} sessions that took the level "
           f"to {top} had their first run in p50 {t['first_p50']:.0f} ms, p95 {t['first_p95']:.0f} ms; a whole "
           f"class opening the link in the same second queues instead (the last of 200 waits ≈ "
           f"{200 * per_open / 1000:.0f} s). The mix of preset and mode switches and reloads at {top}: p95 "
           f"{_ms(t['action_p95'])}. One process holds {top} stepping sessions; what it does not hold is "
           f"{top} sessions *starting* at once — more processes behind nginx (deploy/) divide that queue."]
    other = by.get((not c, top))
    if other:
        out[-1] += (f" The same level with compression {'off' if c else 'on'} ran at a 1-minute load of "
                    f"{other['open_load'][0]:.0f} (other engineers' work; {t['open_load'][0]:.0f} for the row "
                    f"above): first runs p50 {other['first_p50']:.0f} ms, p95 {other['first_p95']:.0f} ms — the "
                    "queue grows as soon as the process gets less than its core.")
    if len(comp) == 2:
        on, off = by[(True, top)], by[(False, top)]
        s_on, s_off = on.get("serial", {}), off.get("serial", {})
        mb_on, mb_off = on["wire_per_open"] / 1e6, off["wire_per_open"] / 1e6
        link = lambda mb: 200 * mb * 8 / 50  # noqa: E731  (s for 200 sessions at 50 Mbit/s)
        out += ["", f"**Websocket compression** (`server.enableWebsocketCompression`, permessage-deflate). Per "
                f"new session the wire carried {mb_off:.2f} MB without it and {mb_on:.2f} MB with it "
                f"({mb_off / mb_on:.1f}× less), for ≈ {s_on.get('first', 0) - s_off.get('first', 0):.0f} ms more "
                f"server CPU per first run (one at a time: {s_off.get('first', 0):.0f} → "
                f"{s_on.get('first', 0):.0f} ms). On loopback there is no bandwidth to save, so the latencies "
                "here show only the extra CPU and the machine's load at the time (see the load column: the two "
                "servers ran one after the other, not side by side). In a classroom the shared link is the "
                f"tighter limit: 200 first runs are {200 * mb_off:.0f} MB against {200 * mb_on:.0f} MB — at "
                f"50 Mbit/s, {link(mb_off):.0f} s of the link's time against {link(mb_on):.0f} s. So it is on "
                "in `.streamlit/config.toml`. Every browser offers permessage-deflate (Chromium agreed "
                "`permessage-deflate; server_max_window_bits=12; client_max_window_bits=12` with this app) "
                "and nginx passes it through (tests/test_deploy_nginx.py)."
                + (f" {a['note_compression']}" if a.get("note_compression") else "")]
        out += ["", f"**Where a first run's time goes, and what is left.** One at a time, a first run costs "
                f"{s_off.get('first', 0):.0f} ms of server CPU against {s_off.get('plain', 0):.0f} ms for a "
                f"rerun that sends the id only: ≈ {s_off.get('first', 0) - s_off.get('plain', 0):.0f} ms per "
                "session is the walk-through itself — Streamlit serialises a component's data for every "
                "session (`json.dumps` of the dict, again with `sort_keys` for the element's identity, then a "
                "hash of the message) — plus, with compression, "
                f"≈ {s_on.get('first', 0) - s_off.get('first', 0):.0f} ms to deflate it for each connection. "
                "Sending the cached walk-through as bytes (serialised, or compressed, once per network; "
                "decoded in the page) would take most of that off every session after the first. The "
                f"\"have\" rerun is a whole script run ({s_off.get('have', 0):.0f} ms) that only records "
                "which walk-through the page holds: over a third of a new session's server CPU. Both change "
                "nnviz_app/player_host.py and streamlit_host.js, not done in this round."]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", default="1,50,100,200")
    p.add_argument("--compression", choices=("off", "on", "both"), default="off")
    p.add_argument("--rate", type=float, default=10.0, help="new sessions a second")
    p.add_argument("--stepping", type=float, default=20.0, help="seconds of stepping only")
    p.add_argument("--mixed", type=float, default=20.0, help="seconds of stepping with server actions")
    p.add_argument("--json", help="write the rows here")
    p.add_argument("--from-json", help="no run: the rows from this file")
    p.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    a = p.parse_args(argv)
    if a.from_json:
        data = json.loads(Path(a.from_json).read_text())
        text = markdown(data)
        print(text)
        if a.write:
            write_section(text, MARK)
        return 0
    a.sessions = [int(x) for x in a.sessions.split(",") if x]
    modes = {"off": [False], "on": [True], "both": [False, True]}[a.compression]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    for comp in modes:
        rows += asyncio.run(run_server(comp, a))
    import subprocess
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                            text=True).stdout.strip()
    data = json.loads(json.dumps({"when": when, "commit": commit, "args": vars(a), "rows": rows}, default=str))
    if a.json:
        Path(a.json).write_text(json.dumps(data, indent=1))
    if a.write:
        write_section(markdown(data), MARK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
