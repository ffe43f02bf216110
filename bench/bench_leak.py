"""1,000 sessions opened and closed: does the server's memory come back?

Protocol level (bench_protocol.Client: the websocket, as the browser drives it): a warm-up
of ``--warm`` sessions fills the caches, they close and expire, and the server's resident
memory is the baseline.  Then ``--sessions`` sessions, ``--batch`` at a time: each opens,
waits for its first script run, steps once (Next) and closes.  After the last one the
disconnected sessions are left to expire (``--ttl``: Streamlit keeps a closed session
``server.disconnectedSessionTTL`` seconds, 120 by default, for a reconnect) and the resident
memory is measured again.  Passes when it is within ``--tolerance`` of the baseline.

    python3 bench/bench_leak.py [--sessions 1000] [--batch 50] [--ttl 10]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_protocol import Client  # noqa: E402
from common import Server, rss_bytes  # noqa: E402

MB = 1024 * 1024


async def one(url: str, rng: random.Random) -> None:
    c = Client(url, rng)
    try:
        await c.open()
        await c.click("Next")
    finally:
        await c.close()


async def wave(url: str, n: int, batch: int, rng: random.Random, pid: int, samples: list) -> None:
    for start in range(0, n, batch):
        await asyncio.gather(*(one(url, rng) for _ in range(min(batch, n - start))))
        samples.append(rss_bytes(pid))


def settle(pid: int, seconds: float) -> int:
    """Resident memory after ``seconds`` (sessions expire; the lowest of the last samples)."""
    end, low = time.time() + seconds, None
    while time.time() < end:
        rss = rss_bytes(pid)
        low = rss if low is None else min(low, rss)
        time.sleep(1)
    return low


def run(sessions: int, batch: int, ttl: int, warm: int, tolerance: float) -> dict:
    srv = Server(extra=("--server.disconnectedSessionTTL", str(ttl)))
    try:
        srv.wait_healthy(90)
        rng, samples = random.Random(1), []
        asyncio.run(wave(srv.url, warm, min(batch, warm), rng, srv.proc.pid, []))
        base = settle(srv.proc.pid, ttl + 15)
        t0 = time.time()
        asyncio.run(wave(srv.url, sessions, batch, rng, srv.proc.pid, samples))
        seconds = time.time() - t0
        after = settle(srv.proc.pid, ttl + 15)
        return {"sessions": sessions, "batch": batch, "ttl_s": ttl, "warm": warm,
                "baseline_mb": round(base / MB, 1), "peak_mb": round(max(samples) / MB, 1),
                "after_mb": round(after / MB, 1), "ratio": round(after / base, 3),
                "within": after <= base * (1 + tolerance), "seconds": round(seconds)}
    finally:
        srv.stop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--ttl", type=int, default=10)
    p.add_argument("--warm", type=int, default=50)
    p.add_argument("--tolerance", type=float, default=0.10)
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    r = run(a.sessions, a.batch, a.ttl, a.warm, a.tolerance)
    print(json.dumps(r, indent=1))
    if a.json:
        a.json.write_text(json.dumps(r, indent=1))
    return 0 if r["within"] else 1


if __name__ == "__main__":
    sys.exit(main())
