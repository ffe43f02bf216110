"""Checks below the explorer: gradient check, reference check (Mazur) and common mistakes.

Computed by ``nnviz.engine.gradcheck``, ``nnviz.engine.presets`` (Mazur's published figures) and
``nnviz.lessons.mistakes``; session keys ``ss_mistake_<name>`` (the mistake toggles).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from nnviz.engine.config import Config
from nnviz.trace.explain import weight_names
from nnviz.engine.functions import get_cost
from nnviz.engine.gradcheck import ATOL, MAX_H, MIN_H, RTOL, gradient_check, gradient_check_batch
from nnviz.export.files import load_trace
from nnviz.lessons.conventions import conventions
from nnviz.lessons.mistakes import MISTAKES, mistake_label
from nnviz.trace.numfmt import bmatrix, fmt
from nnviz.engine.presets import MAZUR_PUBLISHED, PRESETS
from nnviz.trace.record import Trace

from . import state as ui_state
from .panels import md_escape



@st.cache_data(max_entries=128, show_spinner=False)
def gradient_check_tables(key_json: str) -> dict:
    """The gradient check of what the explorer shows (``ui_state.trace_key``: a config, or a
    mini-batch of its examples), as plain tables (one per layer) and a verdict."""
    cfg, trace = Config.from_json(key_json), load_trace(key_json)
    if trace.m > 1:  # the summed cost of the m examples, against the running sums after the last
        gc = gradient_check_batch(cfg.network(), trace.examples)
    else:
        gc = gradient_check(cfg.network(), cfg.x_array, cfg.y_array)
    layers, column = [], "backprop ∂C/∂p" if gc.m == 1 else "backprop Σₓ ∂Cₓ/∂p"
    for l in range(1, len(cfg.sizes)):
        rows = []
        for p, grads, nums, errs, oks, kinks, rounds, steps in (
                ("w", gc.nabla_w, gc.numeric_w, gc.rel_error_w, gc.passed_w, gc.kink_w, gc.rounding_w, gc.steps_w),
                ("b", gc.nabla_b, gc.numeric_b, gc.rel_error_b, gc.passed_b, gc.kink_b, gc.rounding_b, gc.steps_b)):
            g, n, e, ok = grads[l - 1], nums[l - 1], errs[l - 1], oks[l - 1]
            kink, rnd, hs = kinks[l - 1], rounds[l - 1], steps[l - 1]
            for j, k in np.ndindex(g.shape):
                name = f"w^{l}_{j + 1}{k + 1}" if p == "w" else f"b^{l}_{j + 1}"
                rows.append({"parameter": name, column: fmt(g[j, k], 8),
                             "finite difference": fmt(n[j, k], 8),
                             "|difference|": f"{abs(g[j, k] - n[j, k]):.1e}",
                             "relative error": f"{e[j, k]:.1e}", "h": f"{hs[j, k]:g}",
                             "ok": ("✓" if ok[j, k] else "kink" if kink[j, k] else
                                    "unresolved" if rnd[j, k] else "✗")})
        layers.append(rows)
    n_params = sum(len(r) for r in layers)
    return {"layers": layers, "passed": gc.passed, "n": n_params, "failed": gc.failed,
            "kink": gc.n_kink, "rounding": gc.n_rounding,
            "max_rel_error": gc.max_rel_error, "h": gc.h, "m": gc.m, "cost": get_cost(cfg.cost).text,
            "eta": cfg.eta}


def what_is_checked(res: dict) -> str:
    """Which cost is differentiated, over which examples, and which backprop numbers it meets."""
    m = res["m"]
    if m == 1:
        return (f"The cost differentiated is {res['cost']} of the network's one example (its x and y); "
                "backprop's side is ∂C/∂w and ∂C/∂b from that one backprop call.")
    terms = " + ".join(f"C{_sub(e)}" for e in range(1, m + 1)) if m <= 4 else f"C₁ + C₂ + … + C{_sub(m)}"
    return (f"The mini-batch in use has m = {m} examples, so the cost differentiated is their sum, "
            f"C = {terms}, each Cₓ = {res['cost'].removeprefix('C = ')} at its own x and y. "
            f"Backprop's side is the running sums after example {m}, nabla_w = Σₓ ∂Cₓ/∂w and "
            "nabla_b = Σₓ ∂Cₓ/∂b (one backprop call per example, added in turn, as the mini-batch "
            f"view steps them); the update then subtracts η/m = {fmt(res['eta'], 6)}/{m} times these sums, "
            "which is η times the gradient of the mean cost C/m.")


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def gradient_check_ui(key_json: str) -> None:
    res = gradient_check_tables(key_json)
    st.markdown(md_escape(what_is_checked(res)))
    rule = (f"central differences (C(p + h) − C(p − h)) / 2h at h and 2h, combined to cancel the h² error "
            f"(Richardson), starting from h = {res['h']:g}; a "
            f"derivative passes when |backprop − estimate| ≤ {ATOL:g} + {RTOL:g} · max(|backprop|, |estimate|)")
    unchecked = []
    if res["kink"]:
        unchecked.append(f"{res['kink']} could not be checked at ReLU's kink: every step h down to "
                         f"{MIN_H:g} moves some z across 0, where the finite difference averages "
                         "ReLU's two slopes (0 and 1) while backprop takes the slope at z (0 at z ≤ 0) — "
                         "the check, not backprop, is what fails there")
    if res["rounding"]:
        unchecked.append(f"{res['rounding']} differ by less than the estimate's own error bound (its "
                         "truncation and rounding: a huge cost leaves C(p + h) − C(p − h) mostly rounding, "
                         f"for every h from {MAX_H:g} down to {MIN_H:g} that stays where the cost is smooth) — "
                         "the check cannot resolve them; backprop is not the suspect")
    note = (" Of the rest, " + "; ".join(unchecked) + ".") if unchecked else ""
    cost, sums = ("the cost", "") if res["m"] == 1 else (f"the summed cost of the {res['m']} examples",
                                                           "'s running sums")
    if res["passed"]:
        checked = res["n"] - res["kink"] - res["rounding"]
        st.success(md_escape(f"Gradient check passed: {checked} of {res['n']} derivatives of {cost} agree "
                             f"with backprop{sums} (largest relative error {res['max_rel_error']:.1e}; "
                             f"{rule}).{note}"), icon=":material/check_circle:")
    else:
        st.error(md_escape(f"Gradient check FAILED for {res['failed']} of {res['n']} derivatives of {cost}: "
                           f"backprop{sums} disagree{'s' if res['m'] == 1 else ''} with the finite difference "
                           "by more than the estimate's own error bound, so "
                           f"backprop is wrong there (largest relative error {res['max_rel_error']:.1e}; "
                           f"{rule}).{note}"), icon=":material/cancel:")
    st.caption("Each step h is chosen per parameter: the one whose estimate has the smallest error bound "
               "(truncation from comparing h, 2h and 4h, plus rounding), never one that crosses a ReLU kink "
               "or moves a z by more than 0.1. A tiny relative error between two "
               "numbers that are both almost 0 is rounding noise: the absolute floor in the rule covers it.")
    for l, rows in enumerate(res["layers"], start=1):
        st.markdown(f"**Layer {l}**: its weights $w^{{{l}}}$ and biases $b^{{{l}}}$")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     height=min(35 * len(rows) + 38, 330))


def published_tolerance(value: float) -> tuple[int, float]:
    """(decimals, half a unit in the last published decimal place, plus float slack)."""
    decimals = len(repr(value).split(".")[1])
    return decimals, 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def mazur_rows(trace: Trace) -> list[dict]:
    """Mazur's published figures next to nnviz's values from ``trace``."""
    ours = {"out_o1": float(trace.output[0, 0]), "out_o2": float(trace.output[1, 0]),
            "E_total": float(trace.cost_value)}
    for (l, j, k), name in weight_names(trace.sizes).items():
        ours[name] = float(trace.new_weights[l - 1][j, k])
    what = {"out_o1": "output o1 (forward pass)", "out_o2": "output o2 (forward pass)",
            "E_total": "total error E = ½Σ(target − out)²"}
    rows = []
    for name, pub in MAZUR_PUBLISHED.items():
        decimals, tol = published_tolerance(pub)
        v = ours[name]
        what_name = what.get(name) or f"{name} after the update"
        rows.append({"figure": name, "what": what_name, "Mazur (published)": f"{pub:.{decimals}f}",
                     "nnviz": f"{v:.{decimals + 3}f}", "agree": "✓" if abs(v - pub) <= tol else "✗"})
    return rows


def reference_check_ui(trace: Trace) -> None:
    rows = mazur_rows(trace)
    ok = sum(r["agree"] == "✓" for r in rows)
    st.caption("Matt Mazur, “A Step by Step Backpropagation Example” (2015): the 2-2-2 network "
               "with inputs 0.05, 0.10, targets 0.01, 0.99 and η = 0.5. Each figure agrees when it "
               "matches to the precision it was published with (half a unit in its last decimal).")
    if ok == len(rows):
        st.success(f"All {len(rows)} published figures reproduced.", icon=":material/check_circle:")
    else:
        st.error(f"{len(rows) - ok} of {len(rows)} published figures differ.", icon=":material/cancel:")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=35 * len(rows) + 38)


def _right_values(trace: Trace) -> tuple[list, list]:
    """δ and nabla_w per layer, from the explorer's own trace (the right path)."""
    deltas = [s.value for s in sorted((s for s in trace.steps if s.kind == "delta"),
                                      key=lambda s: s.layer)]
    return deltas, trace.nabla_w


def _marked_matrix(a, ref) -> str:
    """``a`` as a LaTeX bmatrix, entries that differ from ``ref`` in red (all of them when
    the shapes differ)."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    ref = np.atleast_2d(np.asarray(ref, dtype=float))
    same_shape = a.shape == ref.shape
    rows = []
    for idx_row in range(a.shape[0]):
        cells = []
        for idx_col in range(a.shape[1]):
            v = a[idx_row, idx_col]
            text = fmt(v, 4, latex=True)
            if not same_shape or not np.isclose(v, ref[idx_row, idx_col], rtol=1e-12, atol=0.0):
                text = rf"\color{{#d62728}}{{{text}}}"
            cells.append(text)
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _layers_latex(deltas, nablas, ref_deltas=None, ref_nablas=None) -> str:
    """δ^l and ∂C/∂w^l per layer; with a reference, the entries that differ from it in red."""
    lines = []
    for l, (d, w) in enumerate(zip(deltas, nablas), start=1):
        if ref_deltas is None:
            md, mw = bmatrix(d), bmatrix(w)
        else:
            md, mw = _marked_matrix(d, ref_deltas[l - 1]), _marked_matrix(w, ref_nablas[l - 1])
        lines.append(rf"\delta^{{{l}}} = {md} \quad \frac{{\partial C}}{{\partial w^{{{l}}}}} = {mw}")
    return r"\begin{gathered}" + r" \\[4pt] ".join(lines) + r"\end{gathered}"


def mistake_ui(name: str, cfg: Config, trace: Trace) -> None:
    fn = MISTAKES[name]
    on = st.toggle(mistake_label(name, cfg.activation), key=f"ss_mistake_{name}")
    if not on:
        return
    m = fn(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)  # a fresh copy: the explorer's is untouched
    right_d, right_w = _right_values(trace)
    st.markdown(md_escape(m.description))
    c1, c2 = st.columns(2, gap="medium")
    c1.markdown(":red[**The wrong way**] (entries that differ in red)")
    c1.code(m.wrong_code, language="python", wrap_lines=True)
    c2.markdown(":green[**The right way**] (the explorer's values)")
    c2.code(m.right_code, language="python", wrap_lines=True)
    c1, c2 = st.columns(2, gap="medium")  # a second row, so the values line up
    c1.latex(_layers_latex(m.wrong_delta, m.wrong_nabla_w, right_d, right_w))
    c2.latex(_layers_latex(right_d, right_w))
    per_layer = ", ".join(f"layer {l}: {fmt(d, 3)}" for l, d in enumerate(m.layer_diffs, start=1))
    st.markdown(md_escape(f"Largest |wrong − right| over δ, ∂C/∂b and ∂C/∂w: {fmt(m.max_abs_diff, 4)} "
                          f"({per_layer})."))
    for problem in m.shape_problems:
        st.warning(md_escape(problem), icon=":material/straighten:")
    for note in m.notes:
        st.caption(md_escape(note))
    st.info(md_escape("What you would see: " + m.symptom), icon=":material/search:")


def checks_ui(ss, cfg, trace: Trace, i: int) -> None:
    """Gradient check, reference check (Mazur preset) and common mistakes, below the explorer."""
    with st.expander("Gradient check: backprop against finite differences", expanded=False):
        gradient_check_ui(ui_state.trace_key(ss.ui))
    if ss.ui.get("preset") == "mazur" and cfg == PRESETS["mazur"].config:
        with st.expander("Reference check (Mazur's published example)", expanded=False):
            reference_check_ui(trace)
    with st.expander("Common mistakes: the wrong way next to the right way", expanded=False):
        st.caption(md_escape(conventions(cfg.cost)))
        if ui_state.trace_key(ss.ui) != cfg.model_dump_json():  # a mini-batch is in use
            st.caption("These take the network's own example (its x and y) through one backprop call, "
                       "not the mini-batch in use.")
        for name in MISTAKES:
            mistake_ui(name, cfg, trace)
