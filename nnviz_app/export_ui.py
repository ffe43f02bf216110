"""Downloads (HTML walk-through, PNG/SVG/GIF, JSON trace) and JSON upload, in the sidebar.

Every download is made only when its button is clicked (``st.download_button`` with a
callable ``data``, run on a worker thread), so stepping never waits for an export; results
are cached by the config's JSON text.  The upload goes through
``nnviz.export.files.load_network`` (``Config``: JSON only, at most 64 KiB — never pickle); a
bad file leaves the current network as it is.
"""
from __future__ import annotations

import secrets

import streamlit as st

from nnviz.export import files as export_files
from nnviz.export import html as export_html
from nnviz.export import images as render
from nnviz.export.files import ExportError
from nnviz.export.outcomes import ExportBoard
from nnviz.engine.config import MAX_JSON_BYTES, ConfigError
from nnviz.engine.text import excerpt
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import Trace

from . import editing
from . import state as ui_state
from .panels import md_escape


# ---- cached exports (keyed by the validated config's JSON; traces are re-run, ms) --------
@st.cache_data(max_entries=8, show_spinner=False)
def html_bytes(cfg_json: str, title: str) -> bytes:
    return export_html.walkthrough_html(export_files.load_trace(cfg_json), title=title).encode()


@st.cache_data(max_entries=64, show_spinner=False)
def json_bytes(cfg_json: str) -> bytes:
    return export_files.trace_json(export_files.load_trace(cfg_json)).encode()


@st.cache_data(max_entries=128, show_spinner=False)
def step_image_bytes(cfg_json: str, i: int, fmt: str, theme: str) -> bytes:
    return render.step_image(export_files.load_trace(cfg_json), i, fmt, theme=theme)


@st.cache_data(max_entries=16, show_spinner=False)
def gif_bytes(cfg_json: str, which: str, theme: str) -> bytes:
    trace = export_files.load_trace(cfg_json)
    return (render.update_gif if which == "update" else render.walkthrough_gif)(trace, theme=theme)


@st.cache_resource(show_spinner=False)
def export_board() -> ExportBoard:
    """Where each session's download, made on a worker thread, leaves its outcome."""
    return ExportBoard()


def _on_export(ss) -> None:
    ss["export_wait"] = True  # the rerun this click starts waits for the file and reports


def _export_message(ss, token: str) -> None:
    """After a download click: wait for the file (a spinner) and say so if it failed."""
    if not ss.pop("export_wait", False):
        return
    with st.spinner("Making the file…"):
        msg = export_board().wait(token, start_s=3.0, done_s=180.0)
    if msg:
        st.error(md_escape(f"{msg} Nothing was downloaded; try again, or use the HTML walk-through "
                           "or the JSON trace (they need no Chromium)."), icon=":material/error:")


def _names(ss) -> tuple[str, str]:
    """(file-name stem, page title): the preset's (from a fixed list), or 'edited'."""
    if ss.ui.get("cfg") is None:
        return f"nnviz-{ss.ui['preset']}", f"nnviz — {PRESETS[ss.ui['preset']].title}"
    return "nnviz-edited", "nnviz — edited network"


def export_ui(ss, cfg_json: str, trace: Trace, i: int, theme: str, step_images: bool = True) -> None:
    """Download buttons for the current view (each file is made when its button is clicked).

    ``step_images=False`` (explore mode, where the page steps without the server): the
    step's PNG/SVG come from the player's own buttons under the graph, which know the step
    on screen."""
    (stem, title), step = _names(ss), f"step{i + 1:02d}"
    if trace.m > 1:  # the mini-batch in use (cfg_json is ui_state.trace_key: it names the batch)
        stem, title = f"{stem}-batch{trace.m}", f"{title}, a mini-batch of {trace.m}"
    token = ss.setdefault("export_token", secrets.token_hex(16))
    board = export_board()

    def made(make):  # the callable a download button runs, reporting to the board
        return lambda: board.run(token, make, (ExportError,))

    with st.expander("Download", expanded=False, icon=":material/download:"):
        _export_message(ss, token)
        kw = {"on_click": _on_export, "args": (ss,), "width": "stretch"}
        st.download_button(
            "Walk-through (HTML, offline)", data=made(lambda: html_bytes(cfg_json, title)),
            file_name=f"{stem}-walkthrough.html", mime="text/html", key="dl_html", icon=":material/slideshow:",
            help="One self-contained page of every step and the update: open it in any browser, "
                 "no network needed; step with → / ← or Page Down / Page Up.", **kw)
        images = render.images_available()
        if not step_images:
            st.caption("Images of the step on screen: the PNG and SVG buttons under the graph.")
        st.caption(("Animations" if not step_images else f"Images of step {i + 1} of {len(trace)} and animations")
                   + ("" if images else " — unavailable here: image export needs Chromium "
                      "(/usr/bin/chromium)."))
        if step_images:
            c1, c2 = st.columns(2)
            c1.download_button("Step PNG", data=made(lambda: step_image_bytes(cfg_json, i, "png", theme)),
                               file_name=f"{stem}-{step}.png", mime="image/png", key="dl_png",
                               disabled=not images, help="This step's graph, 1280×720", **kw)
            c2.download_button("Step SVG", data=made(lambda: step_image_bytes(cfg_json, i, "svg", theme)),
                               file_name=f"{stem}-{step}.svg", mime="image/svg+xml", key="dl_svg",
                               disabled=not images, help="This step's graph as a vector image", **kw)
        c3, c4 = st.columns(2)
        c3.download_button("Steps GIF", data=made(lambda: gif_bytes(cfg_json, "steps", theme)),
                           file_name=f"{stem}-steps.gif", mime="image/gif", key="dl_gif",
                           disabled=not images, help=f"One frame per step ({len(trace)} frames; "
                                                     "takes a few seconds)", **kw)
        c4.download_button("Update GIF", data=made(lambda: gif_bytes(cfg_json, "update", theme)),
                           file_name=f"{stem}-update.gif", mime="image/gif", key="dl_update_gif",
                           disabled=not images, help="The update animation (takes a few seconds)", **kw)
        st.download_button("Trace (JSON)", data=made(lambda: json_bytes(cfg_json)), file_name=f"{stem}-trace.json",
                           mime="application/json", key="dl_json", icon=":material/data_object:",
                           help="Every step's numbers; load it back with “Load a network” above.", **kw)


# ---- upload -----------------------------------------------------------------------------
def _on_upload(ss) -> None:
    f = ss.get("upload")
    if f is None:
        ss.pop("upload_msg", None)
        return
    name = md_escape(excerpt(f.name, 60))
    try:
        if f.size > MAX_JSON_BYTES:
            raise ConfigError(f"The file is {f.size:,} bytes; at most {MAX_JSON_BYTES:,} bytes (64 KiB) are allowed.")
        raw = f.getvalue()[: MAX_JSON_BYTES + 1]
        cfg, batch = export_files.load_network(raw)  # a saved mini-batch's examples, each checked
    except ConfigError as e:
        ss.upload_msg = ("error", f"Could not load {name}: {md_escape(str(e))} The current network is unchanged.",
                         ui_state.trace_key(ss.ui))
        return
    editing.set_config(ss, cfg, reset_editors=True)
    # the file's mini-batch (a trace saved from one) is what the explorer steps through next
    ss.ui["batch"] = tuple((tuple(x[:, 0].tolist()), tuple(y[:, 0].tolist())) for x, y in batch) if batch else None
    ui_state.set_step(ss, 0)
    ss.history, ss.example_index = [], 0
    of_batch = f", a mini-batch of {len(batch)} examples" if batch else ""
    ss.upload_msg = ("ok", f"Loaded {name}: network {'-'.join(map(str, cfg.sizes))}, {cfg.activation}, "
                           f"{cfg.cost.replace('_', ' ')} cost, η = {cfg.eta:g}{of_batch}.", ui_state.trace_key(ss.ui))


def upload_ui(ss) -> None:
    """Load a JSON config or trace; on success make it the current network (via ui.editing)."""
    st.file_uploader("Load a network (JSON config or trace, ≤ 64 KiB)", type=["json"], key="upload",
                     on_change=_on_upload, args=(ss,),
                     help="A file saved with “Trace (JSON)” or `python -m nnviz export --format json`, "
                          "or a config with sizes, weights, biases, x, y, eta.")
    # The message stays while the network it speaks of is shown (other runs — a step the
    # page reports, a check — keep it) and goes with the next upload or change of network.
    msg = ss.get("upload_msg")
    if msg and msg[2] != ui_state.trace_key(ss.ui):
        msg = ss.upload_msg = None
    if msg:
        (st.success if msg[0] == "ok" else st.error)(msg[1], icon="✅" if msg[0] == "ok" else "🚫")
