"""Below the explorer: how δ changes layer by layer (vanishing gradients), with a one-click
switch between the sigmoid and ReLU versions of the same network.

Computed by ``nnviz.lessons.vanishing``; shown for networks with at least two hidden layers.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from nnviz.engine.config import Config
from nnviz.engine.presets import CONTRAST
from nnviz.lessons.vanishing import delta_profile, vanishing_explanation
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import Trace

from . import editing
from . import state as ui_state
from . import state as ui_state
from .panels import md_escape

OTHER = {"sigmoid": "relu", "relu": "sigmoid", "tanh": "sigmoid"}


def _switch(ss, cfg: Config) -> None:
    """The same network under the other activation (a callback): the contrast preset if
    this is a deep preset as shipped, else the edited network with its activation changed."""
    preset = ss.ui["preset"]
    if ss.ui.get("cfg") is None and preset in CONTRAST:
        editing.set_config(ss, None, preset=CONTRAST[preset], reset_editors=True)
    else:
        editing.try_edit(ss, lambda: cfg.replace(activation=OTHER[cfg.activation]))
    ui_state.set_step(ss, 0)


def depth_ui(ss, cfg: Config, trace: Trace) -> None:
    if len(cfg.sizes) < 4:  # fewer than two hidden layers: nothing to compare
        return
    deep = ss.ui["preset"] in CONTRAST and ss.ui.get("cfg") is None
    with st.expander("Vanishing gradients: how δ changes layer by layer", expanded=deep):
        st.markdown(md_escape(vanishing_explanation(trace)))
        rows = [{"layer l": r.layer, "‖δ^l‖": fmt(r.norm, 4),
                 "‖δ^l‖ / ‖δ^(l+1)‖": "—" if r.ratio is None else fmt(r.ratio, 3),
                 "max f′(z^l)": "—" if r.slope_max is None else fmt(r.slope_max, 3),
                 "‖w^(l+1)‖₂": "—" if r.w_norm is None else fmt(r.w_norm, 3)}
                for r in delta_profile(trace)]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="content")
        other = OTHER[cfg.activation]
        can = cfg.cost == "quadratic"
        st.button(f"Same network under {other}", key="depth_switch", on_click=_switch, args=(ss, cfg),
                  disabled=not can, icon=":material/swap_horiz:",
                  help=("Same weights, x, y and η; only the activation changes" if can else
                        "The cross-entropy cost needs the sigmoid: switch the cost to quadratic first"))
