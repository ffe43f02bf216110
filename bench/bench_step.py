"""One step, server side, uncached: everything the explorer computes for one step.

Timed by the wall clock and by the thread's CPU time: on a shared machine the wall-clock
p95 includes waiting for other processes; CPU time is what the step itself costs.

Per sample: ``Config.from_json`` → ``trace_backprop`` → ``graph_state(i)`` →
``step_figure(i)`` (at the app's column width) → ``latex`` + ``latex_numbers`` (matrix
and one-neuron views) → ``code_html``; nothing is cached between samples.  Every step of
the call, repeated, for the seed 3-2-1 preset and the largest allowed network (5 layers ×
8 neurons).  The plotly JSON that ``st.plotly_chart`` then sends is timed on its own.

Also timed, to size the fixes in the same run: the same step with plotly's property
validation switched back on (``nnviz.draw.marks.VALIDATE = True``: the figure as it was
built before), with a check that both give the same figure JSON for every step; what a
``st.cache_data`` hit on a figure costs (pickle round trip: unpickling re-validates the
whole figure); and one full ``gc.collect()`` with the app's modules imported (what
Streamlit's ``runner.postScriptGC`` did after every script run).

    python3 bench/bench_step.py [--seconds 20] [--profile]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import big_config, fmt_load, loadavg, pct  # noqa: E402

import plotly.io as pio  # noqa: E402

from nnviz.draw import animation, marks  # noqa: E402
from nnviz.trace.codeview import code_html  # noqa: E402
from nnviz.engine.config import Config  # noqa: E402
from nnviz.draw.figures import step_figure  # noqa: E402
from nnviz.draw.state import graph_state  # noqa: E402
from nnviz.engine.presets import PRESETS  # noqa: E402
from nnviz.trace.record import trace_backprop  # noqa: E402

FIG_WIDTH = 660  # app.FIG_WIDTH["light"]: the graph column at 1280 px


def one_step(cfg_json: str, i: int) -> dict:
    """Time each part of step i (ms), from the config text, with nothing cached; ``cpu``:
    the thread's CPU time for the whole step (unaffected by other processes' load)."""
    c0 = time.thread_time()
    t = [time.perf_counter()]
    cfg = Config.from_json(cfg_json)
    tr = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    t.append(time.perf_counter())
    graph_state(tr, i)
    t.append(time.perf_counter())
    fig = step_figure(tr, i, width=FIG_WIDTH)
    t.append(time.perf_counter())
    s = tr[i]
    for view in ("matrix", "scalar"):
        s.latex(view)
        s.latex_numbers(view)
    t.append(time.perf_counter())
    code_html(s.code.source, s.code.lines, s.code.note)
    t.append(time.perf_counter())
    cpu = (time.thread_time() - c0) * 1000
    pio.to_json(fig, validate=False)
    t.append(time.perf_counter())
    ms = [(b - a) * 1000 for a, b in zip(t, t[1:])]
    return {"trace": ms[0], "graph_state": ms[1], "figure": ms[2], "formulas": ms[3], "code": ms[4],
            "total": sum(ms[:5]), "cpu": cpu, "json": ms[5]}


def sample(cfg_json: str, n_steps: int, seconds: float, min_sweeps: int = 3) -> list[dict]:
    """Sweeps over every step until ``seconds`` have passed (at least ``min_sweeps``)."""
    out, start, sweeps = [], time.perf_counter(), 0
    while sweeps < min_sweeps or time.perf_counter() - start < seconds:
        out += [one_step(cfg_json, i) for i in range(n_steps)]
        sweeps += 1
    return out


def summary(rows: list[dict]) -> dict:
    res = {"n": len(rows)}
    for k in rows[0]:
        vals = [r[k] for r in rows]
        res[k] = {"p50": pct(vals, 50), "p95": pct(vals, 95), "mean": statistics.fmean(vals)}
    return res


def same_json(cfg, n_steps: int) -> bool:
    """The unvalidated figures equal the validated ones (as parsed JSON), every step."""
    tr = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    old = marks.VALIDATE
    try:
        got = []
        for v in (False, True):
            marks.VALIDATE = v
            got.append([json.loads(pio.to_json(step_figure(tr, i, width=FIG_WIDTH), validate=False))
                        for i in range(n_steps)]
                       + [json.loads(pio.to_json(animation.update_animation_figure(tr, width=FIG_WIDTH),
                                                 validate=False))])
        return got[0] == got[1]
    finally:
        marks.VALIDATE = old


def run(seconds: float = 20.0) -> dict:
    nets = {"seed": PRESETS["seed"].config, "5x8": big_config()}
    step_figure(trace_backprop(nets["seed"].network(), nets["seed"].x_array, nets["seed"].y_array), 0)  # warm imports
    res = {"load_before": loadavg()}
    share = seconds / 4
    for name, cfg in nets.items():
        js = cfg.model_dump_json()
        n = len(trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta))
        res[name] = summary(sample(js, n, share))
        res[name]["steps"] = n
        marks.VALIDATE = True
        try:
            res[name]["validated"] = summary(sample(js, n, share, min_sweeps=1))
        finally:
            marks.VALIDATE = False
        res[name]["same_json"] = same_json(cfg, n)
    res["fixes"] = fix_costs(nets)
    res["load_after"] = loadavg()
    return res


def fix_costs(nets: dict, repeats: int = 7) -> dict:
    """Median ms of: a cache_data hit on a step figure (pickle round trip), per network;
    one full gc.collect() in this process once the app's modules are imported."""
    import gc
    import pickle
    import importlib
    import logging
    logging.disable(logging.WARNING)  # streamlit's "no runtime" warnings when nnviz_app is imported
    try:
        for mod in ("streamlit", "pandas", "nnviz_app.panels", "nnviz_app.editing", "nnviz_app.export_ui"):
            try:
                importlib.import_module(mod)
            except Exception:  # noqa: BLE001 - a module being edited elsewhere: measure without it
                pass
    finally:
        logging.disable(logging.NOTSET)
    out = {}
    for name, cfg in nets.items():
        tr = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
        fig = step_figure(tr, len(tr) // 2, width=FIG_WIDTH)
        blob = pickle.dumps(fig)
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            pickle.loads(blob)
            ts.append((time.perf_counter() - t0) * 1000)
        out[f"unpickle_{name}"] = statistics.median(ts)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        gc.collect(2)
        ts.append((time.perf_counter() - t0) * 1000)
    out["gc_full"] = statistics.median(ts[1:])
    out["gc_objects"] = len(gc.get_objects())
    return out


def profile(name: str = "seed") -> None:
    import cProfile
    import pstats
    cfg = PRESETS["seed"].config if name == "seed" else big_config()
    js = cfg.model_dump_json()
    n = len(trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta))
    pr = cProfile.Profile()
    pr.enable()
    sample(js, n, 3.0)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(30)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=20.0, help="total sampling time (split 4 ways)")
    p.add_argument("--profile", choices=("seed", "5x8"), help="cProfile the step instead")
    args = p.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    res = run(args.seconds)
    for name in ("seed", "5x8"):
        r = res[name]
        print(f"{name}: {r['n']} samples over {r['steps']} steps; same JSON validated/unvalidated: "
              f"{r['same_json']}")
        for k in ("trace", "graph_state", "figure", "formulas", "code", "total", "cpu", "json"):
            print(f"  {k:12s} p50 {r[k]['p50']:7.2f} ms   p95 {r[k]['p95']:7.2f} ms")
        v = r["validated"]
        print(f"  validated    total p50 {v['total']['p50']:7.2f} ms   p95 {v['total']['p95']:7.2f} ms"
              f"   cpu p95 {v['cpu']['p95']:7.2f} ms")
    f = res["fixes"]
    print(f"cache_data hit on a figure (unpickle): seed {f['unpickle_seed']:.1f} ms, 5x8 {f['unpickle_5x8']:.1f} ms;"
          f" full gc.collect(): {f['gc_full']:.1f} ms ({f['gc_objects']:,} objects)")
    print("load average:", fmt_load(res["load_before"]), "→", fmt_load(res["load_after"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
