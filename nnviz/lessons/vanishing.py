"""How the error δ changes on its way back: vanishing gradients, computed from a trace.

Backprop's hidden error is δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ f′(z^l).  Its size obeys

    ‖δ^l‖ ≤ ‖w^{l+1}‖₂ · max_j |f′(z^l_j)| · ‖δ^{l+1}‖

(‖·‖ the Euclidean norm, ‖w‖₂ the largest singular value).  The sigmoid's slope is at
most 1/4, so every step back divides the error by 4 or more unless ‖w^{l+1}‖₂ makes up
for it, and the first layers' gradients ∂C/∂w^l = δ^l (a^{l−1})ᵀ shrink with it: they learn
slowest.  ReLU′ is 1 wherever z > 0, so δ passes back scaled by the weights alone.

* ``delta_profile(trace)`` — one ``LayerDelta`` per layer l = L … 1, from the trace's own δ's.
* ``vanishing_explanation(trace)`` — the sentences, with the numbers of this network.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.functions import get_activation
from nnviz.trace.numfmt import fmt

@dataclass(frozen=True)
class LayerDelta:
    """δ^l of one layer: its norm, and what the step back from δ^{l+1} multiplied it by.

    ``ratio`` = ‖δ^l‖ / ‖δ^{l+1}‖, ``slope_max`` = max_j f′(z^l_j), ``slope_mean`` the mean,
    ``w_norm`` = ‖w^{l+1}‖₂ and ``bound`` = w_norm · slope_max (≥ ratio); all None for the
    output layer L.
    """

    layer: int
    norm: float
    ratio: float | None = None
    slope_max: float | None = None
    slope_mean: float | None = None
    w_norm: float | None = None

    @property
    def bound(self) -> float | None:
        return None if self.w_norm is None else self.w_norm * self.slope_max


def delta_profile(trace) -> list[LayerDelta]:
    """From the output layer L down to layer 1, each δ^l's norm and step factor."""
    deltas = {s.layer: s.value for s in trace.steps if s.kind == "delta"}
    slopes = {s.layer: s.value for s in trace.steps if s.kind == "sp"}
    L = trace.output_layer
    out = [LayerDelta(L, float(np.linalg.norm(deltas[L])))]
    for l in range(L - 1, 0, -1):
        norm, above = float(np.linalg.norm(deltas[l])), out[-1].norm
        sp = np.abs(slopes[l])
        out.append(LayerDelta(l, norm, norm / above if above > 0 else float("nan"),
                              float(sp.max()), float(sp.mean()),
                              float(np.linalg.norm(trace.weights[l], 2))))
    return out


def _times(r: float) -> str:
    return f"{fmt(r, 3)} ×"


def vanishing_explanation(trace) -> str:
    """A paragraph on how δ changed from layer L down to layer 1, with this trace's numbers."""
    rows = delta_profile(trace)
    act = trace.activation
    L = trace.output_layer
    if L < 2:
        return "This network has no hidden layer: δ^L is the only error, nothing is passed back."
    if rows[0].norm == 0:
        a, y = trace.output, trace.y
        why = ("the output equals the target" if np.array_equal(a, y) else
               f"{get_activation(act).prime_symbol}(z^{L}) is 0 wherever the output misses its target")
        return f"δ^{L} is zero ({why}): there is no error to pass back."
    steps = ", ".join(f"‖δ^{r.layer}‖ = {_times(r.ratio)} ‖δ^{r.layer + 1}‖" for r in rows[1:])  # noqa: RUF001
    total = rows[-1].norm / rows[0].norm
    trend = ("shrinks" if all(r.ratio < 1 for r in rows[1:]) else
             "grows" if all(r.ratio > 1 for r in rows[1:]) else "changes size")
    parts = [f"On the way back the error {trend}: {steps}; so ‖δ^1‖ is {_times(total)} ‖δ^{L}‖"
             + (f" (about 1/{fmt(1 / total, 2)})." if 0 < total < 0.5 else ".")]
    slopes = ", ".join(f"{fmt(r.slope_max, 2)} (layer {r.layer})" for r in rows[1:])
    parts.append(f"Each step back multiplies by (w^(l+1))ᵀ and then, neuron by neuron, by "
                 f"{get_activation(act).prime_symbol}(z^l). ")
    if act == "sigmoid":
        norms = ", ".join(f"‖w^{r.layer + 1}‖₂ = {fmt(r.w_norm, 2)}" for r in rows[1:])
        parts[-1] += (f"The sigmoid's slope σ′(z) = σ(z)(1 − σ(z)) is at most 0.25 (here at most {slopes}), "
                      "so the slope alone divides the error by 4 or more at every layer; only the weights "
                      f"can make up for it, by at most their largest singular value (here {norms}). "
                      "The gradients ∂C/∂w^l = δ^l (a^(l−1))ᵀ shrink with δ: the first layers learn "
                      "slowest — the vanishing-gradient problem of deep sigmoid networks.")
    elif act == "relu":
        alive = sum(int(np.sum(s.value > 0)) for s in trace.steps if s.kind == "sp")
        hidden = sum(trace.sizes[1:-1])
        parts[-1] += (f"ReLU′(z) is 1 where z > 0 ({alive} of the {hidden} hidden neurons here) and 0 "
                      "elsewhere, so δ is scaled by the weights alone and does not fade just for being "
                      "deep; a neuron with z ≤ 0 passes nothing back.")
    else:
        parts[-1] += (f"tanh′(z) = 1 − tanh²(z) is at most 1 (here at most {slopes}): it fades less "
                      "than the sigmoid's, but still wherever neurons saturate.")
    parts.append("Bound per step: ‖δ^l‖ ≤ ‖w^(l+1)‖₂ · max f′(z^l) · ‖δ^(l+1)‖ ("
                 + ", ".join(f"layer {r.layer}: {fmt(r.ratio, 3)} ≤ {fmt(r.bound, 3)}" for r in rows[1:]) + ").")
    return " ".join(parts)
