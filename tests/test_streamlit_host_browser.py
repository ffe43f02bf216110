"""The app's player host (nnviz/player/streamlit_host.js) on its own, in Chromium, with a
stand-in for Streamlit's component object: what the address says when the host tells the
server which walk-through it holds.

The bug this pins down: after "Apply update", the new walk-through arrived with step 0 while
the address still had the previous network's ``?step=`` (the server's own address update
comes after the component's data); the host said "have" at once, the rerun that caused read
the stale step, and the player jumped back to it.  The host now writes the server's step
into the address before it says "have".
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from nnviz import player
from nnviz.engine.presets import PRESETS
from nnviz.export.walkthrough import walkthrough
from nnviz.trace.record import trace_backprop
from player_support import wait_step

pytestmark = pytest.mark.browser

ORIGIN = "http://nnviz.test"
ASSETS = {"player.js": player.HERE / "player.js", "player.css": player.HERE / "player.css",
          "plotly.min.js": player.plotly_js_path(), "katex/katex.min.js": player.KATEX / "katex.min.js",
          "katex/katex.min.css": player.KATEX / "katex.min.css"}
TYPES = {"js": "text/javascript", "css": "text/css", "html": "text/html"}
CFG = PRESETS["seed"].config
TRACE = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
WT = json.loads(json.dumps(walkthrough(TRACE)))

MOUNT_JS = """async (data) => {
  const mod = await import('/streamlit_host.js');
  window.__said = window.__said || [];
  const parentElement = document.getElementById('host');
  mod.default({parentElement, data, setStateValue: (name, value) =>
    window.__said.push({name, value, search: location.search})});
  return window.__said.length;
}"""


def _serve(route) -> None:
    path = urlsplit(route.request.url).path
    if path == "/streamlit_host.js":
        body, kind = player.text("streamlit_host.js").encode(), "js"
    elif path.startswith("/app/static/nnviz/") and path.removeprefix("/app/static/nnviz/") in ASSETS:
        src = ASSETS[path.removeprefix("/app/static/nnviz/")]
        body, kind = src.read_bytes(), src.suffix.lstrip(".")
    elif path == "/":
        body, kind = b'<html><body><div id="host"><div class="nnviz-host"></div></div></body></html>', "html"
    else:
        route.fulfill(status=404, body=b"")
        return
    route.fulfill(status=200, body=body, headers={"content-type": TYPES[kind]})


def _data(wt_id: str, step: int, wt=WT) -> dict:
    return {"id": wt_id, "wt": wt, "step": step, "view": "matrix", "j": 0, "k": 0, "projector": False,
            "assets": {"base": "app/static/nnviz/", "v": "test"}}


def test_a_new_walkthrough_puts_the_servers_step_in_the_address_before_saying_have(page):
    page.route(f"{ORIGIN}/**", _serve)
    last = len(TRACE) - 1
    page.goto(f"{ORIGIN}/?preset=xor&step={last}")  # the previous network's step, left by the player
    page.evaluate(MOUNT_JS, _data("first", last))
    wait_step(page, last, timeout_ms=30_000)
    # "Apply update": a new walk-through at the server's step 1, the address still at the old one
    said = page.evaluate(MOUNT_JS, _data("second", 0))
    have = page.evaluate("() => window.__said")[said - 1]
    assert (have["name"], have["value"]) == ("have", "second")
    query = parse_qs(have["search"].lstrip("?"))
    assert "step" not in query, f"the rerun 'have' causes would read the old step: {have['search']}"
    assert query["preset"] == ["xor"]  # the rest of the address is left alone
    assert wait_step(page, 0, timeout_ms=30_000)["label"] == f"Step 1 of {len(TRACE)}"
    # and a server step other than the first is written as it is
    said = page.evaluate(MOUNT_JS, _data("third", 3))
    assert parse_qs(page.evaluate("() => window.__said")[said - 1]["search"].lstrip("?"))["step"] == ["3"]
    assert wait_step(page, 3, timeout_ms=30_000)["label"] == f"Step 4 of {len(TRACE)}"
