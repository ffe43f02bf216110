"""The mini-batch view: choose m examples and step through the seed's ``update_mini_batch``.

The chosen examples live in the URL field ``batch`` (``nnviz_app.state``); the explorer
then shows ``nnviz.trace_mini_batch`` (through ``state.trace_key``).  Each example's
backprop call can be stepped into or skipped past (its running sums stay on the way).
Examples come from the preset's own data (XOR's four), the training view's data set (a
built-in one or the learner's CSV), or typed lines ``x1, x2 ; y``.
Session keys: ``mb_m``, ``mb_source``, ``mb_from``, ``mb_text``, ``mb_error``.
"""
from __future__ import annotations

import streamlit as st

from nnviz.engine.presets import PRESETS
from nnviz.trace.minibatch import INSIDE_CALL, call_steps
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import Trace

from . import editing
from . import state as ui_state
from .dataset_ui import run_data
from .panels import md_escape

SOURCES = {"preset": "the preset's examples", "training": "the training view's data", "typed": "typed examples"}


def pools(ss) -> dict[str, tuple]:
    """Example pools that fit the current network: {source: ((x, y), ...)} (tuples of floats)."""
    cfg = ui_state.current_config(ss.ui)
    fits = lambda x, y: len(x) == cfg.sizes[0] and len(y) == cfg.sizes[-1]  # noqa: E731
    out = {}
    preset = PRESETS[ss.ui["preset"]]
    ex = tuple((tuple(v[0] for v in x), tuple(v[0] for v in y)) for x, y in preset.examples)
    if ex and all(fits(x, y) for x, y in ex):
        out["preset"] = ex
    run = ss.get("ss_train")
    if run:
        data = tuple((tuple(x[:, 0].tolist()), tuple(y[:, 0].tolist())) for x, y in run_data(run))
        if data and all(fits(x, y) for x, y in data):
            out["training"] = data
    return out


def parse_typed(text: str, sizes: list[int]) -> tuple[tuple, list[str]]:
    """Lines ``x1, x2 ; y`` -> (examples, [one message per bad line, naming it])."""
    examples, errors = [], []
    lines = [(n, line) for n, line in enumerate(str(text).splitlines(), start=1) if line.strip()]
    for n, line in lines:
        try:
            (x, y), = ui_state.parse_batch(line.replace(" ", ""))
        except ValueError as e:
            errors.append(f"Line {n}: it {str(e).replace(' in example 1', '').rstrip('.')}.")
            continue
        if len(x) != sizes[0] or len(y) != sizes[-1]:
            errors.append(f"Line {n}: {len(x)} inputs and {len(y)} targets; this network takes {sizes[0]} "
                          f"inputs and gives {sizes[-1]} outputs (write x1, …, x{sizes[0]} ; y1, …).")
            continue
        examples.append((x, y))
    if not errors and not 1 <= len(examples) <= ui_state.MAX_BATCH:
        errors.append(f"Type 1 to {ui_state.MAX_BATCH} examples, one per line; got {len(examples)}.")
    return tuple(examples), errors


def _chosen(ss) -> tuple[tuple, list[str]]:
    cfg = ui_state.current_config(ss.ui)
    source, m = ss.get("mb_source"), int(ss.get("mb_m") or 1)
    if source == "typed":
        return parse_typed(ss.get("mb_text") or "", cfg.sizes)
    pool = pools(ss).get(source, ())
    if not pool:
        return (), ["There are no examples from that source for this network."]
    start = int(ss.get("mb_from") or 1) - 1
    return tuple(pool[(start + k) % len(pool)] for k in range(min(m, len(pool)))), []


def _on_use(ss) -> None:
    batch, errors = _chosen(ss)
    ss["mb_error"] = errors
    if errors:
        return  # the current view stays
    if len(batch) == 1:  # a mini-batch of one is one backprop call: that example becomes x, y
        (x, y), = batch
        cfg = ui_state.current_config(ss.ui)
        editing.try_edit(ss, lambda: cfg.replace(x=[[v] for v in x], y=[[v] for v in y]))
        batch = None
    ss.ui["batch"] = batch
    ui_state.set_step(ss, 0)


def _on_single(ss) -> None:
    ss.ui["batch"] = None
    ui_state.set_step(ss, 0)


def advance(ss) -> tuple | None:
    """The next mini-batch after "apply update": the next m examples of the pool it came
    from (cyclic), else the same examples."""
    batch = ss.ui.get("batch")
    pool = pools(ss).get(ss.get("mb_source"), ())
    if batch and pool and ss.get("mb_source") != "typed":
        ss["mb_from"] = (int(ss.get("mb_from") or 1) - 1 + len(batch)) % len(pool) + 1
        batch, _ = _chosen(ss)
    return batch


def _jump(ss, i: int) -> None:
    ui_state.set_step(ss, i)
    ss["mb_went"] = (ui_state.trace_key(ss.ui), i)  # said as an event: the page may step on unseen


def _where(trace: Trace, i: int) -> str:
    here = trace[i]
    if getattr(here, "example", None) is None:
        return "the update (η/m times the sums)"
    return f"example {here.example + 1}: " + ("inside its backprop call" if here.kind in INSIDE_CALL
                                             else "its running sums" if here.kind.startswith("sum")
                                             else "the call backprop(x, y)")


def examples_ui(ss, trace: Trace, i: int) -> None:
    """One row per example, with Step into / Skip past its call; above them where the stepper
    is — in predict mode (the server's step), not in explore mode, where the page steps unseen
    by the server (there only where a button just went)."""
    key, went = ss.get("mb_went") or (None, None)
    if ss.ui.get("mode") == "explore":
        same = key == ui_state.trace_key(ss.ui) and went < len(trace)  # a button of this mini-batch's
        jumped = f" Went to step {went + 1}, in {_where(trace, went)}." if same else ""
        st.markdown(md_escape(f"Mini-batch of m = {trace.m}: each example's backprop call, then its running "
                              "sums Σ∇b, Σ∇w; the update (η/m times the sums) comes once, after the last." + jumped))
    elif i >= len(trace):  # the player's last position, after the last step: the update animation
        st.markdown(md_escape(f"Mini-batch of m = {trace.m}; the player is at the update animation "
                              "(every parameter moved by η/m times its sum)."))
    else:
        st.markdown(md_escape(f"Mini-batch of m = {trace.m}; step {i + 1} is in {_where(trace, i)}."))
    for e, (x, y) in enumerate(trace.examples):
        ops = call_steps(trace, e)[1:]  # the operations inside the call (after the call step)
        sums = [s.index for s in trace.steps if getattr(s, "example", None) == e and s.kind.startswith("sum")]
        c0, c1, c2 = st.columns([3, 1, 1], vertical_alignment="center")
        c0.caption(md_escape(f"Example {e + 1}: x = ({', '.join(fmt(v, 3) for v in x[:, 0])}), "
                             f"y = ({', '.join(fmt(v, 3) for v in y[:, 0])})"))
        c1.button("Step into", key=f"mb_into_{e}", on_click=_jump, args=(ss, ops[0]), disabled=not ops,
                  help="Go to the first operation inside this example's backprop call")
        c2.button("Skip past", key=f"mb_skip_{e}", on_click=_jump, args=(ss, sums[0]), disabled=not sums,
                  help="Collapse the call: go to this example's running sums Σ∇b, Σ∇w")


def minibatch_ui(ss, trace: Trace, i: int) -> None:
    """Choose the mini-batch (below the explorer); with one in use, its examples."""
    problem = ui_state.batch_problem(ss.ui)
    active = getattr(trace, "m", 1) > 1
    with st.expander("Mini-batch: step through update_mini_batch on m examples", expanded=active):
        if problem:
            st.warning(md_escape(problem), icon=":material/warning:")
        available = pools(ss)
        options = [*available, "typed"]
        if ss.get("mb_source") not in options:
            ss["mb_source"] = options[0]
        c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
        ss.setdefault("mb_m", 4)
        ss.setdefault("mb_from", 1)
        c1.number_input("m (examples)", min_value=1, max_value=ui_state.MAX_BATCH, step=1, key="mb_m")
        c2.radio("From", options, key="mb_source", format_func=lambda s: SOURCES.get(s, s), horizontal=True)
        if ss["mb_source"] == "typed":
            st.text_area("One example per line: x1, x2 ; y", key="mb_text", height=110,
                         placeholder="0, 0 ; 0\n0, 1 ; 1\n1, 0 ; 1\n1, 1 ; 0")
        else:
            ss["mb_from"] = min(int(ss["mb_from"]), len(available[ss["mb_source"]]))
            c3.number_input("from example #", min_value=1, max_value=len(available[ss["mb_source"]]),
                            step=1, key="mb_from")
        b1, b2 = st.columns(2)
        b1.button("Step through this mini-batch", key="mb_use", on_click=_on_use, args=(ss,), type="primary",
                  icon=":material/playlist_play:")
        b2.button("One example (no mini-batch)", key="mb_single", on_click=_on_single, args=(ss,),
                  disabled=not ss.ui.get("batch"))
        if ss.get("mb_error"):
            st.error(md_escape("\n".join(f"- {e}" for e in ss["mb_error"])), icon=":material/block:")
        if active:
            examples_ui(ss, trace, i)
