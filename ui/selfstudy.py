"""Self-study panels: predict-then-reveal, gradient check, reference check, mistakes, training.

Everything computed comes from ``nnviz`` (predict, gradcheck, mistakes, training,
training_figures); this module only lays out widgets and keeps its own session keys,
all prefixed ``ss_`` and holding plain data (numbers, strings, lists, dicts):

* ``ss_score``    — {"attempted", "correct"}: the walk-through score (``nnviz.predict.Score``);
  ``ss_skipped`` counts the steps revealed without an answer (not scored).
* ``ss_pred``     — {"<trace fingerprint>:<step>": record}: each step's prediction, so a
  step is scored at most once per network (status None / "right" / "wrong" / "revealed").
* ``ss_train``    — the training run: settings, network parameters (nested lists), the
  shuffling generator's state and the per-epoch history.
* ``ss_tr_job``   — epochs still to train ({"remaining", "total", "eta", "batch", "chunk"}),
  or None; the Stop button clears it.  ``ss_tr_inputs`` keeps the training inputs as last
  seen; the other ``ss_tr_*`` keys name the training widgets (and ``ss_tr_note`` a message).
* ``ss_mistake_<name>`` — the common-mistake toggles.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import asdict

import numpy as np
import pandas as pd
import streamlit as st

from nnviz.config import MAX_ETA, MAX_LAYERS, MAX_NEURONS, Config, ConfigError
from nnviz.datasets import DATASETS, MAX_N, make_dataset
from nnviz.explain import weight_names
from nnviz.gradcheck import ATOL, RTOL, gradient_check
from nnviz.mistakes import CONVENTIONS, MISTAKES
from nnviz.network import Network
from nnviz.numfmt import bmatrix, fmt
from nnviz.predict import Score, check_prediction, hints, pick_target
from nnviz.presets import MAZUR_PUBLISHED, PRESETS
from nnviz.trace import Trace
from nnviz.training import MAX_EPOCHS, RECIPES, train
from nnviz.training_figures import decision_boundary_figure, training_curve_figure

from . import editing
from .panels import md_escape

PLOT_CONFIG = {"displayModeBar": False}


# =====================================================================================
# 1. Predict, then reveal
# =====================================================================================
def trace_fingerprint(trace: Trace) -> str:
    """A short hash of the network, example and η the trace was made from."""
    h = hashlib.blake2b(digest_size=6)
    h.update(f"{trace.sizes}|{trace.activation}|{trace.cost}|{trace.eta!r}|{trace.m}".encode())
    for a in (trace.x, trace.y, *trace.weights, *trace.biases):
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()


def _score(ss) -> Score:
    return Score(**ss.get("ss_score", {"attempted": 0, "correct": 0}))


def _record(ss, key: str) -> dict:
    return dict(ss.get("ss_pred", {}).get(key, {"status": None, "hints": 0}))


def _save_record(ss, key: str, rec: dict) -> None:
    ss["ss_pred"] = {**ss.get("ss_pred", {}), key: rec}


def _on_check(ss, key: str, text_key: str, target) -> None:
    """The Check button: read the guess, score it once, keep the text either way."""
    text = ss.get(text_key, "")
    rec = _record(ss, key)
    rec["text"] = text if isinstance(text, str) else ""
    if rec.get("status") is not None:  # already answered or revealed: never scored twice
        _save_record(ss, key, rec)
        return
    verdict = check_prediction(target, text)
    if not verdict.valid:
        rec["problem"] = verdict.message  # not scored; the typed text stays in the box
    else:
        ss["ss_score"] = asdict(_score(ss).record(verdict))
        rec.update(status="right" if verdict.correct else "wrong", message=verdict.message,
                   tolerance=verdict.tolerance_text, problem=None)
    _save_record(ss, key, rec)


def _on_hint(ss, key: str) -> None:
    rec = _record(ss, key)
    rec["hints"] = min(int(rec.get("hints", 0)) + 1, 2)
    _save_record(ss, key, rec)


def _on_reveal(ss, key: str) -> None:
    rec = _record(ss, key)
    if rec.get("status") is None:
        rec.update(status="revealed", problem=None)
        ss["ss_skipped"] = int(ss.get("ss_skipped", 0)) + 1
    _save_record(ss, key, rec)


def _score_metric(ss) -> None:
    score = _score(ss)
    skipped = int(ss.get("ss_skipped", 0))
    st.metric("Score", f"{score.correct} / {score.attempted}",
              help="Predictions right / predictions made in this walk-through; each step counts "
                   f"once. Revealed without answering (not scored): {skipped}.")


def predict_ui(ss, trace: Trace, i: int) -> bool:
    """Ask for a prediction of step i's result; return True once it may be revealed."""
    if "ss_score" not in ss:
        ss["ss_score"] = {"attempted": 0, "correct": 0}
    step = trace[i]
    if step.kind == "input":
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.caption("The input layer just passes x on: nothing to predict here. Press **Next**.")
        with c2:
            _score_metric(ss)
        return True
    target = pick_target(step, rng=i)  # the same entry on every rerun of this step
    key = f"{trace_fingerprint(trace)}:{i}"
    rec = _record(ss, key)
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    with c1:
        st.markdown(f"**Predict** ${target.latex}$ before revealing — {md_escape(target.description)}.")
    with c2:
        _score_metric(ss)
    status = rec.get("status")
    if status is None:
        text_key = f"ss_guess_{key.replace(':', '_')}"
        with st.form(f"ss_form_{key.replace(':', '_')}", border=False):
            f1, f2 = st.columns([3, 1], vertical_alignment="bottom")
            f1.text_input(f"Your value of {target.symbol}", value=rec.get("text", ""), key=text_key,
                          placeholder="e.g. 0.123 or -1.5e-3", max_chars=64)
            f2.form_submit_button("Check", type="primary", width="stretch", key=f"ss_check_{i}",
                                  on_click=_on_check, args=(ss, key, text_key, target))
        if rec.get("problem"):
            st.warning(md_escape(rec["problem"]), icon=":material/warning:")
        tips = hints(step, target)
        shown = int(rec.get("hints", 0))
        for hint in tips[:shown]:
            if hint.kind == "formula":
                st.info("Hint: " + md_escape(hint.text), icon=":material/lightbulb:")
            else:
                st.info(md_escape(hint.text), icon=":material/calculate:")
                st.latex(hint.latex + r" = \;?")
        b1, b2 = st.columns(2)
        b1.button("Hint: the formula" if shown == 0 else "Hint: the numbers", key=f"ss_hint_{i}",
                  icon=":material/lightbulb:", disabled=shown >= 2, width="stretch",
                  on_click=_on_hint, args=(ss, key))
        b2.button("Reveal without answering", key=f"ss_reveal_{i}", icon=":material/visibility:",
                  width="stretch", on_click=_on_reveal, args=(ss, key))
        return False
    computation = step.latex_numbers("scalar", target.j, target.k or 0)
    if status == "right":
        st.success(md_escape(f"{rec['message']} {rec['tolerance']}"), icon=":material/check_circle:")
    elif status == "wrong":
        st.error(md_escape(rec["message"]), icon=":material/cancel:")
        st.markdown("The correct computation:")
        st.latex(computation)
        st.caption(md_escape(rec["tolerance"]))
    else:
        st.info(md_escape(f"Revealed without answering (not scored): {target.symbol} = "
                          f"{fmt(target.value, 4)}."), icon=":material/visibility:")
        st.latex(computation)
    return True


# =====================================================================================
# 2. Checks below the explorer
# =====================================================================================
@st.cache_data(max_entries=128, show_spinner=False)
def gradient_check_tables(cfg_json: str) -> dict:
    """The gradient check of the config, as plain tables (one per layer) and a verdict."""
    cfg = Config.from_json(cfg_json)
    gc = gradient_check(cfg.network(), cfg.x_array, cfg.y_array)
    layers = []
    for l in range(1, len(cfg.sizes)):
        rows = []
        for p, grads, nums, errs, oks in (
                ("w", gc.nabla_w, gc.numeric_w, gc.rel_error_w, gc.passed_w),
                ("b", gc.nabla_b, gc.numeric_b, gc.rel_error_b, gc.passed_b)):
            g, n, e, ok = grads[l - 1], nums[l - 1], errs[l - 1], oks[l - 1]
            for j, k in np.ndindex(g.shape):
                name = f"w^{l}_{j + 1}{k + 1}" if p == "w" else f"b^{l}_{j + 1}"
                rows.append({"parameter": name, "backprop ∂C/∂p": fmt(g[j, k], 8),
                             "finite difference": fmt(n[j, k], 8),
                             "|difference|": f"{abs(g[j, k] - n[j, k]):.1e}",
                             "relative error": f"{e[j, k]:.1e}", "ok": "✓" if ok[j, k] else "✗"})
        layers.append(rows)
    n_params = sum(len(r) for r in layers)
    n_failed = sum(r["ok"] == "✗" for rows in layers for r in rows)
    return {"layers": layers, "passed": gc.passed, "n": n_params, "failed": n_failed,
            "max_rel_error": gc.max_rel_error, "h": gc.h}


def gradient_check_ui(cfg: Config) -> None:
    res = gradient_check_tables(cfg.model_dump_json())
    rule = (f"central differences (C(p + h) − C(p − h)) / 2h with h = {res['h']:g}; a derivative "
            f"passes when |backprop − estimate| ≤ {ATOL:g} + {RTOL:g} · max(|backprop|, |estimate|)")
    if res["passed"]:
        st.success(md_escape(f"Gradient check passed: all {res['n']} derivatives of the cost agree "
                             f"with backprop (largest relative error {res['max_rel_error']:.1e}; "
                             f"{rule})."), icon=":material/check_circle:")
    else:
        st.error(md_escape(f"Gradient check FAILED for {res['failed']} of {res['n']} derivatives "
                           f"(largest relative error {res['max_rel_error']:.1e}; {rule})."), icon=":material/cancel:")
    st.caption("A tiny relative error between two numbers that are both almost 0 is rounding "
               "noise: the absolute floor in the rule covers it.")
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


_MISTAKE_LABELS = {
    "stale_weights": "Stale weights: update w before sending δ back through it",
    "no_sigma_prime": "No σ′: leave σ′(z) out of δ",
    "wrong_transpose": "Wrong transpose: ∂C/∂w = a·δᵀ instead of δ·aᵀ",
}


def mistake_ui(name: str, cfg: Config, trace: Trace) -> None:
    fn = MISTAKES[name]
    on = st.toggle(_MISTAKE_LABELS[name], key=f"ss_mistake_{name}")
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
        gradient_check_ui(cfg)
    if ss.ui.get("preset") == "mazur" and cfg == PRESETS["mazur"].config:
        with st.expander("Reference check (Mazur's published example)", expanded=False):
            reference_check_ui(trace)
    with st.expander("Common mistakes: the wrong way next to the right way", expanded=False):
        st.caption(md_escape(CONVENTIONS))
        for name in MISTAKES:
            mistake_ui(name, cfg, trace)


# =====================================================================================
# 3. Training
# =====================================================================================
SETTINGS = ("epochs", "eta", "batch", "n", "seed")
MAX_SEED = 2**32 - 1
BOUNDARY_RESOLUTION = 70
CHART_HEIGHT = 430


def _recipe_settings(dataset: str) -> dict:
    r = RECIPES[dataset]
    return {"epochs": r["epochs"], "eta": float(r["eta"]), "batch": r["mini_batch_size"],
            "n": r["n"], "seed": r["seed"]}


def _load_recipe(ss) -> None:
    """Put the chosen dataset's recipe defaults into the inputs (a callback)."""
    for k, v in _recipe_settings(ss["ss_tr_dataset"]).items():
        ss[f"ss_tr_{k}"] = v


def _init_training_widgets(ss) -> None:
    """Lazily give the training inputs their values: as last seen (``ss_tr_inputs``, which
    outlives the widgets when another mode is shown), else the recipe's."""
    seen = ss.get("ss_tr_inputs", {})
    if ss.get("ss_tr_dataset") not in RECIPES:
        ss["ss_tr_dataset"] = seen.get("dataset", "xor")
    defaults = {**_recipe_settings(ss["ss_tr_dataset"]), **seen.get("settings", {})}
    for k in SETTINGS:
        if f"ss_tr_{k}" not in ss:
            ss[f"ss_tr_{k}"] = defaults[k]


def _whole(v) -> bool:
    return v is not None and not isinstance(v, bool) and float(v).is_integer()


def validate_settings(raw: dict) -> tuple[dict, list[str]]:
    """The training inputs checked: (clean settings, [one message per bad input])."""
    errors = []
    epochs, eta, batch, n, seed = (raw.get(k) for k in SETTINGS)
    if not (_whole(epochs) and 1 <= epochs <= MAX_EPOCHS):
        errors.append(f"Epochs must be a whole number from 1 to {MAX_EPOCHS:,}; got {fmt(epochs) if epochs is not None else 'nothing'}.")
    if eta is None or not math.isfinite(eta) or not 0 < eta <= MAX_ETA:
        errors.append(f"The learning rate η must be above 0 and at most {MAX_ETA:g}; "
                      f"got {fmt(eta) if eta is not None else 'nothing'}.")
    n_ok = _whole(n) and 2 <= n <= MAX_N
    if not n_ok:
        errors.append(f"The dataset size n must be a whole number from 2 to {MAX_N:,} points; "
                      f"got {fmt(n) if n is not None else 'nothing'}.")
    top = int(n) if n_ok else MAX_N
    if not (_whole(batch) and 1 <= batch <= top):
        errors.append(f"The mini-batch size must be a whole number from 1 to {top:,} "
                      f"(the dataset size); got {fmt(batch) if batch is not None else 'nothing'}.")
    if not (_whole(seed) and 0 <= seed <= MAX_SEED):
        errors.append(f"The seed must be a whole number from 0 to {MAX_SEED:,}; "
                      f"got {fmt(seed) if seed is not None else 'nothing'}.")
    if errors:
        return {}, errors
    return {"epochs": int(epochs), "eta": float(eta), "batch": int(batch), "n": int(n), "seed": int(seed)}, []


def _params(net: Network) -> dict:
    return {"weights": [w.tolist() for w in net.weights], "biases": [b.tolist() for b in net.biases]}


def _network(run: dict) -> Network:
    net = Network(run["sizes"], seed=0, activation=run["activation"], cost=run["cost"])
    net.weights = [np.array(w, dtype=float) for w in run["weights"]]
    net.biases = [np.array(b, dtype=float) for b in run["biases"]]
    return net


def new_run(dataset: str, settings: dict) -> dict:
    """A fresh, untrained run: the recipe's architecture, seeded as ``run_recipe`` seeds it."""
    r = RECIPES[dataset]
    net = Network(r["sizes"], seed=settings["seed"], activation=r["activation"], cost=r["cost"])
    return {"dataset": dataset, "sizes": list(r["sizes"]), "activation": r["activation"],
            "cost": r["cost"], "n": settings["n"], "seed": settings["seed"], "eta": settings["eta"],
            "batch": settings["batch"], **_params(net), "history": [], "epochs_done": 0,
            "rng_state": np.random.default_rng(settings["seed"]).bit_generator.state}


def _chunk(total: int) -> int:
    """Epochs per live update: 5 for short runs, at most ~40 updates for long ones."""
    return max(5, math.ceil(total / 40))


def _start_job(ss, settings: dict, total: int) -> None:
    ss["ss_tr_job"] = {"remaining": total, "total": total, "eta": settings["eta"],
                       "batch": settings["batch"], "chunk": _chunk(total)}
    ss["ss_tr_note"] = None


def _on_train(ss, dataset: str, settings: dict) -> None:
    ss["ss_train"] = new_run(dataset, settings)
    _start_job(ss, settings, settings["epochs"])


def _on_continue(ss, settings: dict) -> None:
    run = ss["ss_train"]
    batch = min(settings["batch"], run["n"])
    ss["ss_train"] = {**run, "eta": settings["eta"], "batch": batch}
    _start_job(ss, {**settings, "batch": batch}, settings["epochs"])


def _on_stop(ss) -> None:
    if ss.get("ss_tr_job"):
        run = ss.get("ss_train") or {}
        ss["ss_tr_note"] = f"Stopped after epoch {run.get('epochs_done', 0)}. Continue resumes from here."
    ss["ss_tr_job"] = None


def _on_step_into(ss, fallback: dict) -> None:
    """Make the current network and one example the explorer's network (a callback).

    The network is the session's run as it is at the click (training may have moved on
    since the button was drawn), else ``fallback`` (the untrained network shown)."""
    run = ss.get("ss_train") or fallback
    example = ss.get("ss_tr_example", 1)
    if len(run["sizes"]) > MAX_LAYERS or max(run["sizes"]) > MAX_NEURONS:
        ss["ss_tr_note"] = (f"This network ({'-'.join(map(str, run['sizes']))}) is beyond the "
                            f"explorer's limits of {MAX_LAYERS} layers of {MAX_NEURONS} neurons.")
        return
    data = make_dataset(run["dataset"], run["n"], run["seed"])
    x, y = data[min(max(int(example), 1), len(data)) - 1]
    try:
        cfg = Config.from_network(_network(run), x, y, min(run["eta"], MAX_ETA))
    except ConfigError as e:
        ss["ss_tr_note"] = f"Could not step into this network: {e}"
        return
    editing.set_config(ss, cfg, reset_editors=True)
    ss.history, ss.example_index = [], 0
    ss["ss_tr_job"] = None
    ss.ui["mode"] = "explore"
    ss.ui["step"] = 0
    ss["mode_choice"] = "explore"  # keep the sidebar's mode switch in step


def _curve_figure(run: dict):
    fig = training_curve_figure(run["history"])
    if run["history"]:
        last = run["history"][-1]
        fig.update_layout(title=f"Training · epoch {last['epoch']}<br><sup>mean cost {fmt(last['cost'], 3)}, "
                                f"accuracy {100 * last['accuracy']:.1f} % (during the epoch)</sup>")
    else:
        fig.update_layout(title="Training<br><sup>press Train to start</sup>")
    fig.update_layout(height=CHART_HEIGHT)
    return fig


def _boundary_figure(run: dict, net: Network, data: list):
    done = run["epochs_done"]
    fig = decision_boundary_figure(net, data, resolution=BOUNDARY_RESOLUTION)
    _, _, right = (fig.layout.title.text or "").partition(" — ")
    when = f"Epoch {done}" if done else "Untrained"
    fig.update_layout(title=f"Decision boundary · {when}<br><sup>{right}</sup>", height=CHART_HEIGHT)
    return fig


def _draw(slots: dict, run: dict, net: Network, data: list, job: dict | None) -> None:
    done = run["epochs_done"]
    if job:
        finished = job["total"] - job["remaining"]
        slots["progress"].progress(finished / job["total"],
                                   text=f"Training: {finished} of {job['total']} epochs")
    else:
        slots["progress"].empty()
    slots["curve"].plotly_chart(_curve_figure(run), key=f"ss_curve_{done}", config=PLOT_CONFIG,
                                theme=None)
    slots["boundary"].plotly_chart(_boundary_figure(run, net, data), key=f"ss_boundary_{done}",
                                   config=PLOT_CONFIG, theme=None)


def _run_job(ss, slots: dict, run: dict, net: Network, data: list) -> None:
    """Train the pending epochs chunk by chunk, saving the run to the session after each
    chunk (before drawing), so an interruption (Stop, or any other click) loses nothing."""
    rng = np.random.default_rng()
    rng.bit_generator.state = run["rng_state"]
    while (job := ss.get("ss_tr_job")) and job["remaining"] > 0:
        chunk = min(job["chunk"], job["remaining"])
        with np.errstate(all="ignore"):
            try:
                hist = train(net, data, chunk, job["batch"], job["eta"], rng=rng)
                ok = (all(np.all(np.isfinite(p)) for p in net.weights + net.biases)
                      and all(math.isfinite(h["cost"]) for h in hist))
            except (ValueError, FloatingPointError):
                ok = False
        if not ok:
            ss["ss_tr_job"] = None
            ss["ss_tr_note"] = (f"Training diverged after epoch {run['epochs_done']} (the cost or the "
                                "parameters stopped being finite numbers): lower the learning rate η and "
                                "train again. The last good network is kept.")
            st.rerun()
        done = run["epochs_done"]
        hist = [{"epoch": done + h["epoch"], "cost": float(h["cost"]), "accuracy": float(h["accuracy"])}
                for h in hist]
        run = {**run, **_params(net), "history": run["history"] + hist,
               "epochs_done": done + len(hist), "rng_state": rng.bit_generator.state}
        job = {**job, "remaining": job["remaining"] - chunk}
        ss["ss_train"] = run
        ss["ss_tr_job"] = job if job["remaining"] > 0 else None
        if not ss["ss_tr_job"]:
            last = run["history"][-1]
            ss["ss_tr_note"] = (f"Trained {job['total']} epochs (epoch {run['epochs_done']} in all): "
                                f"cost {fmt(last['cost'], 3)}, accuracy {100 * last['accuracy']:.1f} %.")
        _draw(slots, run, net, data, ss["ss_tr_job"] or job)
        time.sleep(0.01)  # let the browser take the update (and a Stop click) in
    st.rerun()  # done: redraw the buttons (Continue on, Stop off) and the note


def training_ui(ss) -> None:
    """The training view (replaces the explorer in mode 'train')."""
    _init_training_widgets(ss)
    st.markdown("#### Train a small network with SGD — then step into one backprop call")
    left, right = st.columns([1.25, 2.6], gap="medium")
    with left:
        st.selectbox("Dataset", list(RECIPES), key="ss_tr_dataset", on_change=_load_recipe,
                     args=(ss,), format_func=lambda d: DATASETS[d].title)
        recipe = RECIPES[ss["ss_tr_dataset"]]
        st.caption(md_escape(DATASETS[ss["ss_tr_dataset"]].description) + "  \n"
                   f"Network {'-'.join(map(str, recipe['sizes']))}, {recipe['activation']}, "
                   f"{recipe['cost'].replace('_', ' ')} cost (the recipe's).")
        c1, c2 = st.columns(2)
        c1.number_input("Epochs", key="ss_tr_epochs", step=10, format="%d",
                        help=f"1 to {MAX_EPOCHS:,}; Continue trains this many more")
        c2.number_input("Learning rate η", key="ss_tr_eta", step=0.5, format="%.4g",
                        help=f"above 0, at most {MAX_ETA:g}")
        c3, c4 = st.columns(2)
        c3.number_input("Mini-batch size", key="ss_tr_batch", step=1, format="%d",
                        help="1 to the dataset size")
        c4.number_input("Dataset size n", key="ss_tr_n", step=50, format="%d",
                        help=f"2 to {MAX_N:,} points")
        c5, c6 = st.columns(2, vertical_alignment="bottom")
        c5.number_input("Seed", key="ss_tr_seed", step=1, format="%d",
                        help="drives the data, the initial weights and the shuffling")
        c6.button("Recipe defaults", key="ss_tr_defaults", on_click=_load_recipe, args=(ss,),
                  width="stretch", help="The settings that train this dataset to ≥ 95 % accuracy")
        raw = {k: ss.get(f"ss_tr_{k}") for k in SETTINGS}
        ss["ss_tr_inputs"] = {"dataset": ss["ss_tr_dataset"], "settings": raw}
        settings, errors = validate_settings(raw)
        for e in errors:
            st.error(md_escape(e), icon=":material/block:")
        run = ss.get("ss_train")
        job = ss.get("ss_tr_job")
        b1, b2, b3 = st.columns([1, 1.3, 1])
        b1.button("Train", key="ss_tr_train", type="primary", icon=":material/play_arrow:",
                  disabled=bool(errors), width="stretch", on_click=_on_train,
                  args=(ss, ss["ss_tr_dataset"], settings),
                  help="Start from a fresh network (the seed's) and train for the epochs above")
        b2.button("Continue", key="ss_tr_continue", icon=":material/fast_forward:",
                  disabled=bool(errors) or not run or bool(job), width="stretch",
                  on_click=_on_continue, args=(ss, settings),
                  help="Train the current network for the epochs above")
        b3.button("Stop", key="ss_tr_stop", icon=":material/stop:", disabled=not job,
                  width="stretch", on_click=_on_stop, args=(ss,))
        slots = {"progress": st.empty(), "note": st.empty()}
        if ss.get("ss_tr_note"):
            slots["note"].info(md_escape(ss["ss_tr_note"]))
        if run and run["dataset"] != ss["ss_tr_dataset"]:
            st.caption(md_escape(f"Shown: the {DATASETS[run['dataset']].title} run. Press Train "
                                 "to start on the dataset chosen above."))
    shown = run or new_run(ss["ss_tr_dataset"], settings or {**_recipe_settings(ss["ss_tr_dataset"])})
    net = _network(shown)
    data = make_dataset(shown["dataset"], shown["n"], shown["seed"])
    with right:
        g1, g2 = st.columns(2, gap="small")
        slots["curve"] = g1.empty()
        slots["boundary"] = g2.empty()
        if int(ss.get("ss_tr_example", 1)) > len(data) or int(ss.get("ss_tr_example", 1)) < 1:
            ss["ss_tr_example"] = 1
        e0, e1, e2 = st.columns([2.2, 0.9, 1.1], vertical_alignment="bottom")
        example = e1.number_input("Example #", min_value=1, max_value=len(data), step=1,
                                  key="ss_tr_example", help=f"which of the {len(data)} points")
        x, y = data[int(example) - 1]
        out = float(net.feedforward(x)[0, 0])
        with e0:
            st.markdown("**Step into one backprop call** of this network, on one example:")
            st.caption(md_escape(f"x = ({fmt(x[0, 0], 3)}, {fmt(x[1, 0], 3)}), label y = {fmt(y[0, 0])}, "
                                 f"network output a = {fmt(out, 3)}; η = {fmt(shown['eta'])}."))
        e2.button("Step into", key="ss_tr_step_into", icon=":material/login:", width="stretch",
                  on_click=_on_step_into, args=(ss, shown),
                  help="Open the explorer on the current network, with this example as x and y")
    _draw(slots, shown, net, data, job)
    if job and run:
        _run_job(ss, slots, run, net, data)
