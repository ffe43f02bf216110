"""The training view: train a small network with SGD, watch it live, then step into it.

Training runs chunk by chunk (a bounded number of examples) in the script run (``nnviz.lessons.training``); the run is
kept in ``ss_train`` and the pending epochs in ``ss_tr_job``; the data (a built-in dataset or
the learner's own CSV) is chosen in ``nnviz_app.dataset_ui``.
"""
from __future__ import annotations

import math
import time

import numpy as np
import streamlit as st

from nnviz.engine.config import MAX_ETA, MAX_LAYERS, MAX_NEURONS, Config, ConfigError
from nnviz.lessons.datasets import MAX_N
from nnviz.engine.network import Network
from nnviz.trace.numfmt import fmt
from nnviz.lessons.training import MAX_EPOCHS, train
from nnviz.lessons.training_figures import decision_boundary_figure, training_curve_figure

from . import editing
from . import state as ui_state
from .dataset_ui import (OWN, SETTINGS, dataset_ui, init_widgets, load_recipe, own_rows, recipe_for,
                         recipe_settings, run_data, title)
from .panels import md_escape

PLOT_CONFIG = {"displayModeBar": False}
MAX_SEED = 2**32 - 1
BOUNDARY_RESOLUTION = 70
CHART_HEIGHT = 430
MAX_CHUNK_EXAMPLES = 5000  # ≈ 0.5–0.75 s of batch-1 SGD on the recipes' networks (measured)


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


def new_run(dataset: str, settings: dict, rows: list | None = None) -> dict:
    """A fresh, untrained run: the recipe's architecture, seeded as ``run_recipe`` seeds it;
    own data (``dataset`` "own") carries its ``rows`` (x1, x2, label)."""
    r = recipe_for(dataset)
    net = Network(r["sizes"], seed=settings["seed"], activation=r["activation"], cost=r["cost"])
    n = len(rows) if dataset == OWN else settings["n"]
    return {"dataset": dataset, "rows": rows if dataset == OWN else None,
            "sizes": list(r["sizes"]), "activation": r["activation"],
            "cost": r["cost"], "n": n, "seed": settings["seed"], "eta": settings["eta"],
            "batch": settings["batch"], **_params(net), "history": [], "epochs_done": 0,
            "rng_state": np.random.default_rng(settings["seed"]).bit_generator.state}


def _chunk(total: int, n: int) -> int:
    """Epochs per live update: at most ~40 updates, but at most ``MAX_CHUNK_EXAMPLES``
    backprop calls (epochs × n) per update, so Stop is heard within one chunk (≈ 0.5 s at
    batch 1; one epoch when n alone is that many)."""
    return max(1, min(max(5, math.ceil(total / 40)), MAX_CHUNK_EXAMPLES // n))


def _start_job(ss, settings: dict, total: int) -> None:
    ss["ss_tr_job"] = {"remaining": total, "total": total, "eta": settings["eta"],
                       "batch": settings["batch"], "chunk": _chunk(total, ss["ss_train"]["n"])}
    ss["ss_tr_note"] = None


def _on_train(ss, dataset: str, settings: dict) -> None:
    ss["ss_train"] = new_run(dataset, settings, own_rows(ss) if dataset == OWN else None)
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
    data = run_data(run)
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
    ui_state.set_step(ss, 0)
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
    init_widgets(ss)
    st.markdown("#### Train a small network with SGD — then step into one backprop call")
    left, right = st.columns([1.25, 2.6], gap="medium")
    with left:
        dataset_ui(ss)
        c1, c2 = st.columns(2)
        c1.number_input("Epochs", key="ss_tr_epochs", step=10, format="%d",
                        help=f"1 to {MAX_EPOCHS:,}; Continue trains this many more")
        c2.number_input("Learning rate η", key="ss_tr_eta", step=0.5, format="%.4g",
                        help=f"above 0, at most {MAX_ETA:g}")
        c3, c4 = st.columns(2)
        c3.number_input("Mini-batch size", key="ss_tr_batch", step=1, format="%d",
                        help="1 to the dataset size")
        c4.number_input("Dataset size n", key="ss_tr_n", step=50, format="%d", disabled=ss["ss_tr_dataset"] == OWN,
                        help=f"2 to {MAX_N:,} points (your own data: its number of rows)")
        c5, c6 = st.columns(2, vertical_alignment="bottom")
        c5.number_input("Seed", key="ss_tr_seed", step=1, format="%d",
                        help="drives the data, the initial weights and the shuffling")
        c6.button("Recipe defaults", key="ss_tr_defaults", on_click=load_recipe, args=(ss,),
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
        if run and (run["dataset"] != ss["ss_tr_dataset"] or (run["dataset"] == OWN and run.get("rows") != own_rows(ss))):
            st.caption(md_escape(f"Shown: the {title(run['dataset'])} run. Press Train "
                                 "to start on the data chosen above."))
    dataset = ss["ss_tr_dataset"]
    shown = run or new_run(dataset, settings or recipe_settings(ss, dataset), own_rows(ss) if dataset == OWN else None)
    net = _network(shown)
    data = run_data(shown)
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
