"""What making the shared objects immutable costs (issue 14).

Per hit of the app's figure cache, Streamlit turns the cached figure into a dict
(``to_dict()``) and then JSON.  Before: a shared ``go.Figure`` (to_dict deep-copies it).
Now: a ``FrozenFigure`` (its JSON text; to_dict is ``json.loads``).  Also the one-off cost
of freezing, and of handing out a preset (a deep copy of its Config).  Medians of
``--repeat`` calls, one process.

    python3 bench/bench_shared.py [--repeat 15]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.io as pio  # noqa: E402

from nnviz.draw.animation import update_animation_figure  # noqa: E402
from nnviz.draw.figures import step_figure  # noqa: E402
from nnviz.draw.frozen import FrozenFigure  # noqa: E402
from nnviz.engine.config import random_config  # noqa: E402
from nnviz.engine.presets import PRESETS  # noqa: E402
from nnviz.trace.record import trace_backprop  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def rows(repeat: int) -> list[tuple]:
    out = []
    for name, cfg in (("seed 3-2-1", PRESETS["seed"].config), ("8-8-8-8-8", random_config([8] * 5, 1))):
        trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
        for what, fig in ((f"step figure, {name}", step_figure(trace, len(trace) // 2, width=900)),
                          (f"update animation, {name}", update_animation_figure(trace, width=900))):
            frozen = FrozenFigure(fig)
            shared = median_ms(lambda: pio.to_json(fig.to_dict(), validate=False), repeat)
            now = median_ms(lambda: pio.to_json(frozen.to_dict(), validate=False), repeat)
            freeze = median_ms(lambda: FrozenFigure(fig), max(3, repeat // 3))
            out.append((what, shared, now, now / shared, freeze))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=15)
    a = p.parse_args(argv)
    print("| figure | per hit, shared go.Figure (ms) | per hit, FrozenFigure (ms) | ratio | freezing once (ms) |")
    print("|---|---:|---:|---:|---:|")
    for what, shared, now, ratio, freeze in rows(a.repeat):
        print(f"| {what} | {shared:.1f} | {now:.1f} | {ratio:.2f} | {freeze:.1f} |")
    us = median_ms(lambda: PRESETS["seed"].config, 1000) * 1000
    print(f"\nHanding out a preset (a deep copy of its Config): {us:.0f} µs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
