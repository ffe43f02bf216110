"""nnviz — step through one backprop call, operation by operation (the Streamlit page).

Run with ``streamlit run app.py`` in the checkout, or ``nnviz app`` once installed (both run
``main``).  Everything computed comes from ``nnviz``; this file only lays out widgets, keeps
session state and mirrors the view into the URL.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from nnviz.engine.config import ConfigError
from nnviz.engine.functions import get_cost, saturation_note
from nnviz.draw.animation import update_animation_figure
from nnviz.draw.cost_curve import loss_figure
from nnviz.draw.figures import step_figure
from nnviz.draw.frozen import FrozenFigure
from nnviz.draw.layout import SCREENS
from nnviz.engine.presets import PRESETS
from nnviz.export.files import load_trace
from nnviz.trace.record import Trace
from nnviz_app import (checks_ui, depth_ui, editing, export_ui, minibatch_ui, panels, player_host, predict_ui,
                       training_ui)
from nnviz_app import state as ui_state
from nnviz_app.panels import page_css

# The graph is laid out in pixels (node sizes, label room, where each label goes) for the
# space it gets: the left 3/5 of the page at 1280 px, and in projection mode at 1024 × 768
# a column of 600 × 690 px (over half the screen) beside the equation (layout.SCREENS).
FIG_SIZE = {"light": SCREENS["desktop"][1:], "projector": SCREENS["projected"][1:],
            "phone": SCREENS["phone"][1:]}
MODE_LABELS = {"explore": "Explore", "predict": "Predict", "train": "Train"}


# ---- cached, pure computations (immutable inputs: the config as JSON text) ----------
@st.cache_data(max_entries=512, show_spinner=False)
def cached_trace(cfg_json: str) -> Trace:
    """The trace of ``ui_state.trace_key``: a config's one backprop call, or a mini-batch."""
    return load_trace(cfg_json)


# Figures: st.cache_resource, not cache_data: a cache_data hit unpickles the figure, and
# unpickling a plotly Figure re-validates every property (slower than building it; see
# bench/RESULTS.md).  What is cached is shared by every session, so it is a FrozenFigure
# (the figure's JSON text, immutable; st.plotly_chart reads it through to_dict(), a fresh
# copy, faster than a Figure's own).  theme=None keeps Streamlit's front end from
# restyling it (its theme would replace our colour scale).
@st.cache_resource(max_entries=2048, show_spinner=False)
def cached_step_figure(cfg_json: str, i: int, theme: str) -> FrozenFigure:
    w, h = FIG_SIZE[theme]
    return FrozenFigure(step_figure(cached_trace(cfg_json), i, theme=theme, width=w, height=h))


@st.cache_resource(max_entries=256, show_spinner=False)
def cached_update_figure(cfg_json: str, theme: str) -> FrozenFigure:
    w, h = FIG_SIZE[theme]
    return FrozenFigure(update_animation_figure(cached_trace(cfg_json), theme=theme, width=w, height=h))


# ---- session ------------------------------------------------------------------------
def init_session() -> None:
    """First run of a session: read the URL once; later runs keep their own state, but
    for the step, view and neuron the player keeps in the address (explore mode)."""
    ss = st.session_state
    if "ui" in ss:
        player_host.adopt_position(ss)
        return
    ss.ui, ss.notices = ui_state.from_query(st.query_params.to_dict())
    ss.notices_about = _link_view(ss.ui)
    ss.edit_error, ss.editor_version, ss.history, ss.example_index = None, 0, [], 0


def sync_url() -> None:
    """Mirror the state into the address bar, so a copied link reopens this view."""
    query = ui_state.to_query(st.session_state.ui)
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def _link_view(ui: dict) -> dict:
    """What a link's notices are about: the state but for what the player itself moves."""
    return {k: v for k, v in ui.items() if k not in player_host.CLIENT_FIELDS}


def notices_ui() -> None:
    ss = st.session_state
    # The link's notices stay while the view the link opened is shown (the player's own
    # reruns and its steps do not wipe them) and go once the user changes the network, mode
    # or view, or dismisses them.
    if ss.notices and _link_view(ss.ui) != ss.get("notices_about"):
        ss.notices = []
    for note in ss.notices:
        st.warning(panels.md_escape(note), icon="⚠️")
    if ss.notices:
        st.button("Dismiss", key="dismiss_notices", on_click=lambda: ss.update(notices=[]))
    if ss.edit_error:
        st.error(panels.md_escape(f"{ss.edit_error} The last valid network is still shown."), icon="🚫")


def sidebar_ui() -> None:
    ss = st.session_state
    with st.sidebar:
        st.segmented_control("Mode", ["explore", "predict", "train"], key="mode_choice",
                             default=ss.ui["mode"], format_func=MODE_LABELS.get,
                             on_change=lambda: ss.ui.update(mode=ss.mode_choice or ss.ui["mode"]))
        st.subheader("Network")
        editing.preset_ui(ss)
        st.toggle("Projection mode", key="projector_toggle", value=ss.ui["projector"],
                  help="Large type for a projector; step with ←/→ or a clicker (Page Up/Down).",
                  on_change=lambda: ss.ui.update(projector=ss.projector_toggle))
        with st.expander("Architecture", expanded=False):
            editing.architecture_ui(ss)
        editing.parameters_ui(ss)
        st.subheader("Load and export")
        export_ui.upload_ui(ss)


# ---- the explorer -------------------------------------------------------------------
def graph_ui(make, args: tuple, theme: str, key: str) -> None:
    """The graph laid out for its screen.  Outside projection mode a copy laid out for a
    phone comes too, and app.css shows it instead below 640 px (the server does not know
    the screen's width; a phone gets no shrunken desktop figure with 9 px labels)."""
    def chart(t, k):
        st.plotly_chart(make(*args, t), key=k, config={"displayModeBar": False}, theme=None)
    if theme == "projector":
        chart(theme, key)
        return
    with st.container(key=f"{key}_wide"):
        chart(theme, key)
    with st.container(key=f"{key}_phone"):
        chart("phone", f"{key}_small")


def player_explorer_ui() -> None:
    """Explore mode: the client-side player steps in the page (nnviz_app.player_host); a step
    sends nothing to the server, which runs only for a new network, mode or view."""
    ss = st.session_state
    cfg_json = ui_state.trace_key(ss.ui)
    trace = cached_trace(cfg_json)
    projector = ss.ui["projector"]
    player_host.player_ui(ss, cfg_json, trace, projector)
    if not projector:
        with st.sidebar:
            export_ui.export_ui(ss, cfg_json, trace, min(ss.ui["step"], len(trace) - 1),
                                "light", step_images=False)


@st.fragment
def explorer_ui() -> None:
    """Predict mode: steps rerun only this fragment (controls, graph, equation, code), as
    the step's value stays hidden until the student has answered (on the server)."""
    ss = st.session_state
    cfg_json = ui_state.trace_key(ss.ui)
    trace = cached_trace(cfg_json)
    projector = ss.ui["projector"]
    theme = "projector" if projector else "light"
    i = panels.step_controls_ui(ss, len(trace))
    step = trace[i]
    panels.step_heading_ui(trace, i)
    left, right = st.columns([3, 2], gap="medium")
    with right:
        # Predict mode: the step's result stays hidden until the student has answered.
        revealed = ss.ui["mode"] != "predict" or predict_ui.predict_ui(ss, trace, i)
        panels.equation_ui(ss, trace, i, show_numbers=revealed)
        if projector:
            st.markdown(panels.md_escape(step.explanation))
        panels.code_ui(step, font_px=17 if projector else 12)
    with left:
        shown = i if revealed else i - 1  # before the reveal: the values known before step i
        if step.phase == "update" and revealed:
            graph_ui(cached_update_figure, (cfg_json,), theme, "update_fig")
        elif shown >= 0:
            graph_ui(cached_step_figure, (cfg_json, shown), theme, "graph")
        if not projector:
            st.markdown(panels.md_escape(step.explanation))
    if step.phase == "update" and revealed and not projector:
        with st.expander("Every weight and bias, before and after", expanded=True):
            panels.update_numbers_ui(trace)
    if not projector:
        with st.sidebar:
            export_ui.export_ui(ss, cfg_json, trace, i, theme)
    sync_url()


def apply_update(ss, trace: Trace) -> None:
    """The network after this update becomes the next trace's start: the next mini-batch
    (``minibatch_ui.advance``), else the preset's next example, if any."""
    cfg = ui_state.current_config(ss.ui)
    preset = PRESETS[ss.ui["preset"]]
    examples = preset.examples if preset.examples and cfg.sizes == preset.config.sizes else ()
    x, y = cfg.x, cfg.y
    batch = ss.ui.get("batch") if getattr(trace, "m", 1) > 1 else None
    if batch:
        data = tuple(([[v] for v in a], [[v] for v in b]) for a, b in batch)  # the cost is measured on it
    elif examples:
        ss.example_index = (ss.example_index + 1) % len(examples)
        x, y = examples[ss.example_index]
    try:
        new = cfg.replace(weights=[w.tolist() for w in trace.new_weights],
                          biases=[b.tolist() for b in trace.new_biases], x=x, y=y)
    except ConfigError:
        ss.edit_error = ("The update made the parameters too large (training diverged): "
                         "lower the learning rate η and start again.")
        return
    if not batch:
        data = examples or ((cfg.x, cfg.y),)
    net = new.network()
    xs = np.hstack([np.array(a, dtype=float) for a, _ in data])
    ys = np.hstack([np.array(b, dtype=float) for _, b in data])
    if not ss.history:
        ss.history.append({"step": 0, "cost": cfg.network().total_cost(xs, ys), "examples": len(data)})
    ss.history.append({"step": len(ss.history), "cost": net.total_cost(xs, ys), "examples": len(data)})
    editing.set_config(ss, new, reset_editors=True)
    if batch:
        ss.ui["batch"] = minibatch_ui.advance(ss)
    ui_state.set_step(ss, 0)


def repeat_ui() -> None:
    """Apply the update and step through the next example, with the loss so far."""
    ss = st.session_state
    trace = cached_trace(ui_state.trace_key(ss.ui))
    batch = getattr(trace, "m", 1) > 1
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    with c1:
        st.button("Apply update → next mini-batch" if batch else "Apply update → next example",
                  key="apply_update", on_click=apply_update, args=(ss, trace),
                  help="The updated network becomes the start of the next backprop call.")
        if not batch:
            st.caption(f"Cost on this example before the update: C = {trace.cost_value:.6g}")
        note = saturation_note(trace.output, trace.y, get_cost(trace.cost))
        if note:
            st.info(panels.md_escape(note), icon=":material/warning:")
    with c2:
        if ss.history:
            n = ss.history[-1].get("examples", 1)  # total_cost: the mean over the n examples
            label = "cost C on the example" if n == 1 else f"mean cost C over the {n} examples"
            st.plotly_chart(loss_figure(ss.history, cost_label=label), key="loss", config={"displayModeBar": False},
                            theme=None)


def main() -> None:
    st.set_page_config(page_title="nnviz — backprop, step by step", page_icon="🧠", layout="wide",
                       initial_sidebar_state="collapsed")
    init_session()
    projector = st.session_state.ui["projector"]
    st.html(page_css(projector))
    if not projector:
        st.markdown("**nnviz** · one backprop call, one operation at a time · "
                    ":gray[step with ← / → (Home / End: first / last); edit the network, x, y and η "
                    "in the sidebar (› top left)]")
    notices_ui()
    sidebar_ui()
    if st.session_state.ui["mode"] == "train" and not projector:
        training_ui.training_ui(st.session_state)
        sync_url()
        return
    if st.session_state.ui["mode"] == "explore":
        player_explorer_ui()
    else:
        explorer_ui()
    if projector:
        st.button("Exit projection mode", key="exit_projector",
                  on_click=lambda: st.session_state.ui.update(projector=False))
    else:
        repeat_ui()
        minibatch_ui.minibatch_ui(st.session_state, cached_trace(ui_state.trace_key(st.session_state.ui)),
                                  st.session_state.ui["step"])
        cfg = ui_state.current_config(st.session_state.ui)
        checks_ui.checks_ui(st.session_state, cfg, cached_trace(cfg.model_dump_json()),
                            st.session_state.ui["step"])
        depth_ui.depth_ui(st.session_state, cfg, cached_trace(cfg.model_dump_json()))
    sync_url()


if __name__ == "__main__":  # `streamlit run nnviz_app/app.py` (what `nnviz app` does)
    main()
