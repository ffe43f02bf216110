"""Export of the seed preset: the offline HTML walk-through and the step-by-step GIF.

Times ``nnviz.export_html.walkthrough_html(trace)`` (median of 3) and
``nnviz.export.images.walkthrough_gif(trace)`` (once: it draws every step in Chromium through
kaleido; the renderer's start-up is included), and reports their sizes.  If
``nnviz.export`` is missing, or images are unavailable (no
Chromium), the row says "pending" / "unavailable" instead.

    python3 bench/bench_export.py
"""
from __future__ import annotations

import importlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fmt_load, loadavg  # noqa: E402


def run() -> dict:
    try:
        export_html = importlib.import_module("nnviz.export.html")
        render = importlib.import_module("nnviz.export.images")
    except ImportError as e:
        return {"status": "pending", "why": f"nnviz.export not importable ({e})"}
    from nnviz.engine.presets import PRESETS
    from nnviz.trace.record import trace_backprop
    cfg = PRESETS["seed"].config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    res = {"status": "ok", "steps": len(trace), "load_before": loadavg()}
    times, html = [], ""
    for _ in range(3):
        t0 = time.perf_counter()
        html = export_html.walkthrough_html(trace)
        times.append(time.perf_counter() - t0)
    res["html_s"], res["html_bytes"] = statistics.median(times), len(html.encode())
    available = getattr(export, "images_available", lambda: True)()
    if not available:
        res["gif"] = "unavailable (no Chromium for kaleido)"
    else:
        try:
            t0 = time.perf_counter()
            gif = render.walkthrough_gif(trace)
            res["gif_s"], res["gif_bytes"] = time.perf_counter() - t0, len(gif)
            res["gif"] = "ok"
        except Exception as e:  # noqa: BLE001 - an export failure is a result here
            res["gif"] = f"failed: {type(e).__name__}: {str(e)[:200]}"
        finally:
            shutdown = getattr(export, "shutdown_renderer", None)
            if shutdown:
                shutdown()
    res["load_after"] = loadavg()
    return res


def main() -> int:
    r = run()
    if r["status"] != "ok":
        print(f"export: {r['status']} — {r['why']}")
        return 0
    print(f"HTML walk-through: {r['html_s'] * 1000:.0f} ms, {r['html_bytes'] / 2**20:.2f} MiB")
    if r.get("gif") == "ok":
        print(f"GIF ({r['steps']} frames): {r['gif_s']:.1f} s, {r['gif_bytes'] / 2**10:.0f} KiB")
    else:
        print(f"GIF: {r['gif']}")
    print("load average:", fmt_load(r["load_after"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
