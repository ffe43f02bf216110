"""The server compresses its websocket messages (``server.enableWebsocketCompression`` in
.streamlit/config.toml): a session's first run carries the whole walk-through (≈ 0.4 MB
of JSON for the seed preset), and permessage-deflate sends it ≈ 5× smaller (bench/RESULTS.md,
"Many sessions with the player").  Checked over Streamlit's real protocol with the
benchmark's client (bench/bench_protocol.py), which offers compression as browsers do:
the page still works (first run, then the page's "have" rerun gets the id only), with and
without a client that accepts compression.
"""
from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_protocol import Client  # noqa: E402


def open_session(url: str, compression: str | None) -> tuple[dict, str, int]:
    """A page's first run and its "have" rerun; (what open() measured, the negotiated
    extensions, the bytes the socket received)."""
    async def go():
        c = Client(url, random.Random(0), compression=compression)
        try:
            r = await c.open()  # raises unless the first run carries the walk-through and "have" gets the id only
            return r, c.ws.response.headers.get("Sec-WebSocket-Extensions", ""), c.wire
        finally:
            await c.close()
    # its own thread and event loop: after a browser test, Playwright's sync API keeps a loop
    # running in this thread, where asyncio.run refuses to start
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def test_the_first_run_crosses_the_wire_compressed(streamlit_server):
    r, extensions, wire = open_session(streamlit_server, "deflate")
    assert extensions.startswith("permessage-deflate"), extensions
    assert r["wt_bytes"] > 100_000  # the walk-through itself came in the first run
    payload = r["first_payload"]
    assert wire < payload / 3, (wire, payload)  # two runs' frames, compressed, vs the first run alone


def test_a_client_that_offers_no_compression_gets_it_uncompressed(streamlit_server):
    r, extensions, wire = open_session(streamlit_server, None)
    assert extensions == ""
    assert r["wt_bytes"] > 100_000
    assert wire >= r["first_payload"]  # every byte of the first run crossed as it is
