"""``Mistake``: one backprop call done the wrong way, its values beside the right ones.

``right_values`` gives the right δ, nabla_b and nabla_w (from ``trace_backprop``, the same
computation as ``Network.backprop``); ``build_mistake`` puts a wrong computation beside them
and measures the difference.  The mistakes themselves are in ``nnviz.lessons.mistakes``.
Lists are indexed by layer: item l-1 belongs to layer l (1..L), as ``net.weights``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.engine.network import Network
from nnviz.trace.record import trace_backprop

Array = np.ndarray


@dataclass(frozen=True)
class Mistake:
    """One mistake's wrong values beside the right ones, and words for a student.

    ``right_delta``/``wrong_delta``, ``right_nabla_b``/``wrong_nabla_b`` and
    ``right_nabla_w``/``wrong_nabla_w``: tuples of arrays, item l-1 for layer l.
    ``max_abs_diff``: the largest |wrong − right| over every entry whose shapes agree;
    ``layer_diffs``: the same per layer; ``shape_problems``: one sentence per layer whose
    wrong nabla_w has a different shape from w^l (those layers are left out of the
    differences, since the entries do not line up).  ``notes``: what a student would see.
    """

    name: str
    title: str
    description: str
    symptom: str
    right_code: str
    wrong_code: str
    right_delta: tuple
    wrong_delta: tuple
    right_nabla_b: tuple
    wrong_nabla_b: tuple
    right_nabla_w: tuple
    wrong_nabla_w: tuple
    max_abs_diff: float
    layer_diffs: tuple
    shape_problems: tuple = ()
    notes: tuple = field(default=())

    @property
    def changed(self) -> bool:
        """Did the mistake change anything (a value or a shape)?"""
        return self.max_abs_diff > 0 or bool(self.shape_problems)

    @property
    def wrong_layers(self) -> list[int]:
        """The layers l (1-based) whose δ, nabla_b or nabla_w came out wrong."""
        bad = {l for l, d in enumerate(self.layer_diffs, start=1) if d > 0}
        bad |= {l for l, (w, r) in enumerate(zip(self.wrong_nabla_w, self.right_nabla_w), start=1)
                if w.shape != r.shape}
        return sorted(bad)

    def __repr__(self) -> str:
        shapes = f", {len(self.shape_problems)} shape problem(s)" if self.shape_problems else ""
        return f"Mistake({self.name!r}: max |diff| {self.max_abs_diff:.3g}{shapes})"


def right_values(net: Network, x, y, eta):
    """Check the inputs; return ``(x, y, eta, right_delta, right_nabla_b, right_nabla_w)``
    from ``trace_backprop`` (lists, item l-1 for layer l)."""
    net.check_parameters()
    x, y = net.check_example(x, y)
    if isinstance(eta, bool) or not isinstance(eta, (int, float, np.floating)) or not math.isfinite(eta):
        raise ValueError(f"eta must be a finite number; got {eta!r}.")
    trace = trace_backprop(net, x, y, float(eta))
    right_delta = [s.value for s in sorted((s for s in trace.steps if s.kind == "delta"),
                                           key=lambda s: s.layer)]
    return x, y, float(eta), right_delta, trace.nabla_b, trace.nabla_w


def _diff(a: Array, b: Array) -> float | None:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b))) if a.shape == b.shape else None


def build_mistake(name, title, description, symptom, right_code, wrong_code, right, wrong,
                  shape_problems=(), notes=()) -> Mistake:
    """A ``Mistake`` from ``right`` and ``wrong``, each ``(delta, nabla_b, nabla_w)`` lists
    (item l-1 for layer l), with the differences computed where the shapes agree."""
    (rd, rb, rw), (wd, wb, ww) = right, wrong
    layer_diffs = []
    for parts in zip(rd, wd, rb, wb, rw, ww):
        diffs = [_diff(parts[i], parts[i + 1]) for i in (0, 2, 4)]
        layer_diffs.append(max(d for d in diffs if d is not None))
    tup = lambda arrays: tuple(np.array(a, dtype=float) for a in arrays)  # noqa: E731
    return Mistake(name, title, description, symptom, right_code, wrong_code,
                   tup(rd), tup(wd), tup(rb), tup(wb), tup(rw), tup(ww),
                   float(max(layer_diffs)), tuple(layer_diffs), tuple(shape_problems), tuple(notes))
