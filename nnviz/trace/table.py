"""The update as a table: every weight and bias before, its gradient, and after.

``update_rows(trace, sig)`` is the one place the rows are built; the app's table, the
offline player and ``nnviz explain`` all show them.
"""
from __future__ import annotations

import numpy as np

from nnviz.trace.numfmt import fmt


def update_rows(trace, sig: int = 6) -> list[dict]:
    """One row per parameter, from the trace's update steps (weights of every layer, then
    biases): ``p`` ("w"/"b"), layer ``l``, 1-based ``j`` and ``k`` (None for biases), and
    ``before`` / ``gradient`` (Σ over the mini-batch) / ``after`` as text with ``sig`` digits."""
    rows = []
    for s in (s for s in trace.steps if s.phase == "update"):
        p = s.op.value.removeprefix("new_")
        old, grad = s.reads[f"{p}^{s.layer}"], s.reads[f"sum_nabla_{p}^{s.layer}"]
        for idx in np.ndindex(old.shape):
            rows.append({"p": p, "l": s.layer, "j": idx[0] + 1, "k": idx[1] + 1 if p == "w" else None,
                         "before": fmt(old[idx], sig), "gradient": fmt(grad[idx], sig),
                         "after": fmt(s.value[idx], sig)})
    return rows
