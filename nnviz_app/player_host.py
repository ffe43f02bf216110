"""The client-side player (nnviz/player) mounted in the app: a Streamlit custom component v2.

Explore mode steps entirely in the page: the server sends the walk-through once per network
(the page then reports it holds it; later runs send its id only; no run for a step), the page
keeps ``?step=`` (and ``view``, ``j``, ``k``) in the address itself for a copied link, and
tells the server where it is with the user's next action that reaches the server
(``adopt_position``: Streamlit's own rerun message carries the address it last set, not the
page's, so the address cannot be that channel).  plotly.js, KaTeX and player.js are served as the
app's static files (``server.enableStaticServing``), copied into ``static/nnviz/`` next to
the page's main script from the installed packages when the server starts, so the browser
loads and caches them once.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import streamlit as st

from nnviz import player
from nnviz.export.walkthrough import walkthrough
from nnviz.trace.record import Trace

from . import state as ui_state

URL_BASE = "app/static/nnviz/"  # Streamlit serves <app dir>/static/ under app/static/
CLIENT_FIELDS = ("step", "view", "j", "k")  # what the page itself keeps in the address


def _asset_sources() -> dict[str, Path]:
    """Each static file (path under static/nnviz/) and where it comes from."""
    files = {"player.js": player.HERE / "player.js", "player.css": player.HERE / "player.css",
             "plotly.min.js": player.plotly_js_path(), "katex/katex.min.js": player.KATEX / "katex.min.js",
             "katex/katex.min.css": player.KATEX / "katex.min.css"}
    files.update({f"katex/fonts/{f.name}": f for f in sorted((player.KATEX / "fonts").glob("*.woff2"))})
    return files


def _write_if_changed(target: Path, data: bytes) -> None:
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)  # atomic: another server process never sees half a file


def static_dir() -> Path:
    """Where Streamlit serves app/static/ from: ``static/`` beside the main script, then ours."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    main = Path(ctx.main_script_path) if ctx and ctx.main_script_path else Path("app.py")
    return main.absolute().parent / "static" / "nnviz"


@cache
def install_assets(target: Path) -> str:
    """Copy the player's files into ``target`` (once per process; atomic, idempotent);
    returns their version (a hash of their contents) for the URLs."""
    h = hashlib.blake2b(digest_size=8)
    for name, src in _asset_sources().items():
        data = src.read_bytes()
        h.update(name.encode() + data)
        _write_if_changed(target / name, data)
    return h.hexdigest()


@cache
def _component():
    return st.components.v2.component(
        "nnviz_player", html='<div class="nnviz-host"></div>',
        js=player.text("streamlit_host.js"), isolate_styles=False)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_walkthrough(cfg_json: str, theme: str, _trace: Trace) -> dict:
    """The walk-through of the config's trace ``_trace`` (not hashed: the config's JSON
    determines it).  Shared read-only between sessions; serialised for each page."""
    return walkthrough(_trace, theme=theme)


def adopt_position(ss) -> None:
    """Take where the page's player is: its state ``at`` = {id, step, view, j, k, n}, which the
    page sets with the user's next action that reaches the server (so it comes with that
    action's run, not as a message per step).  Ignored when it is about another walk-through
    than the one last sent, or already taken; a field this run's callbacks changed (e.g.
    "apply update" goes back to step 1) keeps the server's value."""
    at, sent = (ss.get("player") or {}).get("at"), ss.get("position_sent")
    server_step = ss.pop("step_set_by_server", False)
    if not isinstance(at, dict) or sent is None or at.get("id") != sent["id"] or at == ss.get("position_taken"):
        return
    ss.position_taken = at
    for f in ui_state.FIELDS:
        if f.name not in CLIENT_FIELDS or ss.ui[f.name] != sent[f.name] or (f.name == "step" and server_step):
            continue
        try:
            ss.ui[f.name] = f.parse(str(at[f.name]))
        except (KeyError, ValueError):
            pass  # the page sends only valid values; anything else keeps the last good state


def player_ui(ss, cfg_json: str, trace: Trace, projector: bool) -> None:
    """The player for the current network, at the step in the address."""
    theme = "projector" if projector else "light"
    n = len(trace)
    try:
        version = install_assets(static_dir())
    except OSError as e:
        st.error(f"The step-by-step player cannot start: its files could not be written to "
                 f"{static_dir()} ({e.strerror or e}). Run the app from a folder it may write to.")
        return
    ss.ui["step"] = min(ss.ui["step"], n)  # n: the update animation, after the last step
    wt_id = hashlib.blake2b(f"{cfg_json}|{theme}".encode(), digest_size=8).hexdigest()
    # The page says which walk-through it holds (state "have", set once per new one): later
    # runs (a download, a check, a mode switch) then send its id only, not the JSON again.
    have = (ss.get("player") or {}).get("have")
    ss.position_sent = {"id": wt_id, **{name: ss.ui[name] for name in CLIENT_FIELDS}}
    _component()(key="player", data={
        "id": wt_id, "wt": None if have == wt_id else cached_walkthrough(cfg_json, theme, trace),
        "step": ss.ui["step"], "view": ss.ui["view"], "j": ss.ui["j"], "k": ss.ui["k"],
        "projector": projector, "assets": {"base": URL_BASE, "v": version}},
        default={"have": ""}, on_have_change=lambda: None, height="content")
