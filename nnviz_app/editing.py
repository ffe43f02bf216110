"""Sidebar widgets that change the network: preset, architecture, parameters, x, y, eta.

Every change goes through ``nnviz.engine.config.Config``; an invalid edit leaves the last good
network in place and shows one message saying what is wrong and what is allowed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from nnviz.engine.config import MAX_ETA, MAX_LAYERS, MAX_NEURONS, Config, ConfigError, random_config
from nnviz.engine.functions import ACTIVATIONS, COSTS
from nnviz.engine.presets import PRESETS

from .state import current_config


def set_config(ss, cfg: Config | None, preset: str | None = None, reset_editors: bool = False) -> None:
    """Make ``cfg`` (or the preset, when cfg is None) the current network."""
    if preset is not None:
        ss.ui["preset"] = preset
    ss.ui["cfg"] = None if cfg is None or cfg == PRESETS[ss.ui["preset"]].config else cfg
    ss.edit_error = None
    if reset_editors:
        ss.editor_version += 1


def try_edit(ss, make) -> None:
    """Apply ``make()`` -> Config; on ConfigError keep the current network and say why."""
    try:
        set_config(ss, make())
    except (ConfigError, ValueError) as e:
        ss.edit_error = str(e)


def parse_sizes(text: str) -> list[int]:
    """'3, 2, 1' or '3-2-1' -> [3, 2, 1]; ValueError saying what is allowed."""
    if text.strip().startswith("-"):  # a leading dash is a minus sign, not a separator
        parts = ["negative"]
    else:
        parts = [p for p in text.replace("-", ",").replace(" ", ",").split(",") if p]
    allowed = (f"layer sizes are 2 to {MAX_LAYERS} whole numbers from 1 to {MAX_NEURONS}, "
               "separated by commas or dashes, e.g. 3-2-1")
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"Could not read {text[:40]!r} as layer sizes: {allowed}.") from None
    if not 2 <= len(sizes) <= MAX_LAYERS or any(not 1 <= s <= MAX_NEURONS for s in sizes):
        raise ValueError(f"{text[:40]!r} is not allowed: {allowed}.")
    return sizes


def _on_preset(ss) -> None:
    set_config(ss, None, preset=ss.preset_select, reset_editors=True)
    ss.history, ss.example_index = [], 0


def preset_ui(ss) -> None:
    names = list(PRESETS)
    if ss.get("preset_select") != ss.ui["preset"]:
        ss.preset_select = ss.ui["preset"]
    st.selectbox("Preset", names, key="preset_select", format_func=lambda n: PRESETS[n].title,
                 on_change=_on_preset, args=(ss,))
    if ss.ui["cfg"] is not None:
        st.caption("Edited from the preset. Choose the preset again to restore it.")


def architecture_ui(ss) -> None:
    cfg = current_config(ss.ui)
    with st.form(f"arch-{ss.editor_version}", border=False):
        sizes_text = st.text_input("Layer sizes", "-".join(map(str, cfg.sizes)),
                                   help=f"2 to {MAX_LAYERS} layers, 1 to {MAX_NEURONS} neurons each")
        c1, c2 = st.columns(2)
        act = c1.selectbox("Activation", list(ACTIVATIONS), index=list(ACTIVATIONS).index(cfg.activation))
        cost = c2.selectbox("Cost", list(COSTS), index=list(COSTS).index(cfg.cost))
        seed = st.number_input("Random seed", min_value=0, max_value=2**31 - 1, value=0, step=1)
        c3, c4 = st.columns(2)
        apply = c3.form_submit_button("Apply")
        rerandom = c4.form_submit_button(f"Re-randomise (seed {int(seed)})")
    if apply or rerandom:
        def make():
            sizes = parse_sizes(sizes_text)
            if rerandom or sizes != cfg.sizes:
                return random_config(sizes, int(seed), act, cost, cfg.eta)
            return cfg.replace(activation=act, cost=cost)
        try_edit(ss, make)
        ss.editor_version += 1
        st.rerun()


def _matrix_editor(label: str, arr, key: str, row: str, col: str | None):
    df = pd.DataFrame(np.asarray(arr, dtype=float),
                      index=[f"{row}={i + 1}" for i in range(len(arr))],
                      columns=[f"{col}={i + 1}" for i in range(len(arr[0]))] if col else [label])
    st.caption(label)
    out = st.data_editor(df, key=key, width="stretch")
    return out.to_numpy(dtype=float)


def parameters_ui(ss) -> None:
    """x, y, eta and every w^l, b^l, each editable; edits re-trace."""
    cfg = current_config(ss.ui)
    v = ss.editor_version
    # No min/max on the widget: Streamlit would silently clamp or drop an out-of-range value;
    # the check below says what is allowed instead.
    eta = st.number_input("Learning rate η", value=float(cfg.eta), step=0.1, format="%.4g",
                          key=f"eta-{v}", help=f"above 0, at most {MAX_ETA:g}")
    with st.expander("Input x and target y", expanded=False):
        x = _matrix_editor("x", cfg.x, f"x-{v}", "k", None)
        y = _matrix_editor("y", cfg.y, f"y-{v}", "j", None)
    weights, biases = [], []
    for l in range(1, len(cfg.sizes)):
        with st.expander(f"Layer {l}: weights w^{l} and biases b^{l}"):
            st.caption("Row j, column k: w_jk is the weight from neuron k (layer before) to neuron j.")
            weights.append(_matrix_editor(f"w^{l}", cfg.weights[l - 1], f"w{l}-{v}", "j", "k"))
            biases.append(_matrix_editor(f"b^{l}", cfg.biases[l - 1], f"b{l}-{v}", "j", None))
    new = {"eta": eta, "x": x.tolist(), "y": y.tolist(),
           "weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases]}
    old = {k: getattr(cfg, k) for k in new}
    if new != old:
        if eta is None or not 0 < eta <= MAX_ETA:  # (NaN fails the comparison too)
            ss.edit_error = f"The learning rate η must be greater than 0 and at most {MAX_ETA:g}; got {eta}."
        else:
            try_edit(ss, lambda: cfg.replace(**new))
        if ss.edit_error:
            ss.editor_version += 1  # throw away the bad edit; show the last good values
        st.rerun()
