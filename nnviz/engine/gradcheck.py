"""A central-difference check of backprop's gradient, one parameter at a time.

For each weight and bias p: (C(p + h) - C(p - h)) / 2h, against backprop's dC/dp, with
the relative error |g_bp - g_fd| / max(|g_bp|, |g_fd|).  A parameter passes when
|g_bp - g_fd| <= ATOL + RTOL * max(|g_bp|, |g_fd|): the absolute floor covers gradients
so small that the finite difference's rounding noise (about 1e-11) dominates.

Each estimate carries its own error bound, and backprop is called wrong only beyond it:

* **Richardson.**  D(s) = (C(p + s) - C(p - s)) / 2s = C' + c·s² + O(s⁴), so the estimate
  (4·D(s) - D(2s)) / 3 has no s² term.  Its bound: twice the spread of D over s, 2s, 4s and a
  jittered s (truncation and a fresh sample of rounding), plus the rounding of C itself
  (about eps·(max(|C|, the size of the terms C adds) + Σ|∂C/∂p|·|p|)/s), plus the rounding offset of z in p's own layer times
  |∂²C/∂p²| (backprop and the difference both see the offset z).
* **Which step.**  ``h`` first; if backprop is not within tolerance of that estimate, every
  step in ``CANDIDATE_STEPS`` (1e-1 … 1e-10) is tried and the one with the smallest bound
  kept.  A step that moves some z by more than ``MAX_DZ`` is out of the Taylor region (the
  spread cannot be trusted there: a saturated sigmoid looks flat): its bound is infinite.
* **ReLU's kink.**  A step that moves a ReLU z across 0 averages ReLU's two slopes; if
  every step does (z within ~1e-10 of 0) the parameter is marked ``kink``: not checkable.
* **Verdict.**  Passed: |g_bp - g_fd| <= ATOL + RTOL·max(|g_bp|, |g_fd|).  Otherwise, within
  the bound: "below the check's resolution" (counted in ``n_rounding``; backprop is not the
  suspect).  Only beyond the bound: failed.

``gradient_check_batch`` checks a mini-batch: the cost summed over its m examples against
the running sums Σₓ ∇Cₓ after the m-th (what ``update_mini_batch`` multiplies by η/m).

The cost is computed from z (``Cost.fn_z``), so a saturated sigmoid under the
cross-entropy cost gives a finite, exact cost instead of ln 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.batch import check_mini_batch
from nnviz.engine.network import Network
from nnviz.engine.passes import forward, forward_backward

RTOL = 1e-5
ATOL = 1e-8
MIN_H = 1e-10
MAX_H = 1e-1
CANDIDATE_STEPS = tuple(10.0 ** -k for k in range(1, 11))  # MAX_H down to MIN_H
JITTER = 1 + 2.0 ** -10  # a step that changes the rounding, not the truncation
MAX_DZ = 0.1  # a step may move each z by at most this (the activations bend on a scale of 1)
EPS = np.finfo(float).eps
NOISE = 8  # rounding of one cost evaluation, in units of eps·(max(|C|, size of its terms) + Σ|∂C/∂p|·|p|)


@dataclass(frozen=True)
class GradCheck:
    """Backprop's and the finite-difference gradients, with per-parameter relative errors.

    Lists are per layer l = 1..L (index l-1), with the shapes of w^l and b^l.  ``steps_*``
    hold the step used for each parameter; ``kink_*`` mark parameters whose every step
    moved a ReLU z across 0; ``noise_*`` bound each estimate's own error (truncation and
    rounding; inf when no step stays in the Taylor region).  A parameter that disagrees
    across a kink, or by less than its bound, is "unchecked", not failed (module docstring).
    ``m``: the examples the cost is summed over (``gradient_check_batch``; 1 otherwise).
    """

    nabla_w: list
    nabla_b: list
    numeric_w: list
    numeric_b: list
    rel_error_w: list
    rel_error_b: list
    h: float
    steps_w: list | None = None
    steps_b: list | None = None
    kink_w: list | None = None
    kink_b: list | None = None
    noise_w: list | None = None
    noise_b: list | None = None
    m: int = 1

    @property
    def max_rel_error(self) -> float:
        """The largest relative error among the parameters that could be checked."""
        errs = [e[~u] for e, u in zip(self.rel_error_w + self.rel_error_b, self._unchecked(), strict=True)]
        return float(max((np.max(e) for e in errs if e.size), default=0.0))

    @property
    def passed_w(self) -> list:
        """Per layer, a boolean array: did each weight's gradient pass?"""
        return [_close(a, n) for a, n in zip(self.nabla_w, self.numeric_w)]

    @property
    def passed_b(self) -> list:
        return [_close(a, n) for a, n in zip(self.nabla_b, self.numeric_b)]

    @property
    def rounding_w(self) -> list:
        """Per layer: weights that did not pass, but only by less than the estimate's own
        error bound (the check cannot tell them apart; backprop is not the suspect)."""
        return _rounding(self.nabla_w, self.numeric_w, self.noise_w, self.kink_w)

    @property
    def rounding_b(self) -> list:
        return _rounding(self.nabla_b, self.numeric_b, self.noise_b, self.kink_b)

    def _unchecked(self) -> list:
        """Per layer (weights, then biases): parameters across a kink or within the estimate's error."""
        kinks = (self.kink_w or []) + (self.kink_b or []) or [np.zeros(np.shape(e), bool)
                                                                for e in self.rel_error_w + self.rel_error_b]
        return [k | r for k, r in zip(kinks, self.rounding_w + self.rounding_b, strict=True)]

    @property
    def failed(self) -> int:
        """How many checkable parameters disagree with backprop beyond the estimate's own error bound."""
        return sum(int(np.sum(~p & ~u)) for p, u in
                   zip(self.passed_w + self.passed_b, self._unchecked(), strict=True))

    @property
    def n_kink(self) -> int:
        return sum(int(np.sum(k & ~p)) for k, p in
                   zip((self.kink_w or []) + (self.kink_b or []), self.passed_w + self.passed_b))

    @property
    def n_rounding(self) -> int:
        return sum(int(np.sum(r)) for r in self.rounding_w + self.rounding_b)

    @property
    def passed(self) -> bool:
        return self.failed == 0

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else f"FAILED for {self.failed}"
        extra = "".join(f", {n} {what}" for n, what in ((self.n_kink, "across ReLU's kink"),
                                                      (self.n_rounding, "below the check's resolution")) if n)
        over = f", summed cost of {self.m} examples" if self.m > 1 else ""
        return f"GradCheck({verdict}: max relative error {self.max_rel_error:.2e}, h={self.h:g}{over}{extra})"


def _rounding(grads, numerics, noises, kinks) -> list:
    if noises is None:
        return [np.zeros(np.shape(g), dtype=bool) for g in grads]
    return [~_close(g, n) & ~k & (np.abs(np.asarray(g) - n) <= e)
            for g, n, e, k in zip(grads, numerics, noises, kinks, strict=True)]


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))


def relative_error(a, b, floor: float = ATOL / RTOL):
    """|a - b| / max(|a|, |b|, floor): below ``floor`` (1e-3) a gradient is judged by the
    absolute tolerance, so the error is measured against the floor (a pass is ≲ RTOL)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def gradient_check(net: Network, x, y, h: float = 1e-5) -> GradCheck:
    """Compare ``net.backprop(x, y)`` with central differences of the cost; ``net`` is unchanged.

    ``h`` is the first step tried for every parameter (see the module docstring for
    when another one is used instead).
    """
    net.check_parameters()
    x, y = net.check_example(x, y)
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    nabla_b, nabla_w, _, _ = forward_backward(weights, biases, net.activation, net.cost, x, y)
    return _check(net, weights, biases, x, y, nabla_b, nabla_w, h)


def gradient_check_batch(net: Network, mini_batch, h: float = 1e-5) -> GradCheck:
    """The check for what ``update_mini_batch(mini_batch, eta)`` uses; ``net`` is unchanged.

    ``mini_batch``: a list of m (x, y) pairs (x shape (sizes[0], 1), y (sizes[-1], 1)).
    Backprop's side is the seed's running sums after the m-th example, nabla_b = Σₓ ∇_b Cₓ
    and nabla_w = Σₓ ∇_w Cₓ (one ``backprop`` per example, added with ``+`` in order, as
    ``update_mini_batch`` and ``nnviz.trace_mini_batch`` do); the finite differences are of
    the summed cost C = Σₓ Cₓ over the m examples (the update then moves by η/m times
    the sums: η times the gradient of the mean cost).  ``GradCheck.m`` = m.
    """
    net.check_parameters()
    checked = check_mini_batch(net, mini_batch)
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in checked:  # the seed's loop: delta_nabla_b, delta_nabla_w = self.backprop(x, y)
        delta_nabla_b, delta_nabla_w, _, _ = forward_backward(weights, biases, net.activation, net.cost, x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
    x = np.hstack([x for x, _ in checked])  # (sizes[0], m): the examples as columns
    y = np.hstack([y for _, y in checked])
    return _check(net, weights, biases, x, y, nabla_b, nabla_w, h)


def _check(net: Network, weights, biases, x, y, nabla_b, nabla_w, h: float) -> GradCheck:
    """Central differences of the cost summed over the columns of ``x`` and ``y`` (shapes
    (sizes[0], m), (sizes[-1], m)) against ``nabla_b`` / ``nabla_w``; ``weights`` and
    ``biases`` are copies, changed and restored one entry at a time."""
    act, cost_fn = net.activation, net.cost
    relu = act.name == "relu"
    # how much rounding in the forward pass can move C: sum over parameters of |dC/dp|·|p|
    spread = sum(float(np.sum(np.abs(g) * np.abs(p)))
                 for g, p in zip(nabla_w + nabla_b, weights + biases, strict=True))

    def run() -> tuple[float, list]:
        """The cost, and z layer by layer."""
        activations, zs = forward(weights, biases, act, x)
        return cost_fn.fn_z(zs[-1], activations[-1], y, act), [z.copy() for z in zs]

    activations0, zs0 = forward(weights, biases, act, x)  # the unperturbed pass, once
    c0 = cost_fn.fn_z(zs0[-1], activations0[-1], y, act)
    # the scale of one cost evaluation's rounding: |C|, or the size of the terms it adds
    # when they cancel (cross-entropy against a target far outside 0..1)
    size0 = cost_fn.size_z(zs0[-1], activations0[-1], y, act)
    # Rounding offsets every z^l by about eps·(k+1)·(|w||a| + |b|); backprop and the difference
    # both see the offset z, so C' is known only to ∂²C/∂p² times the offset moved to p's scale
    # (divided by ∂z/∂p: a_k for w_jk, 1 for b_j).
    scale = [NOISE * EPS * (w.shape[1] + 1) * (np.abs(w) @ np.abs(a) + np.abs(b))
             for w, b, a in zip(weights, biases, activations0[:-1], strict=True)]
    # With m examples (columns), the largest offset over the examples (an input a_k = 0 of
    # an example leaves that example's z independent of w_jk).
    with np.errstate(all="ignore"):
        offset_w = [np.max(np.where(a.T[None] != 0, z[:, :, None] / np.abs(a.T)[None], 0.0), axis=1)
                    for z, a in zip(scale, activations0[:-1], strict=True)]
    offset_b = [np.max(z, axis=1, keepdims=True) for z in scale]

    def difference(p, idx, step) -> tuple[float, bool, float, bool, float]:
        """(central difference, did p ± step move a ReLU z across 0, rounding bound of it,
        did it move some z by more than ``MAX_DZ`` (too far for a Taylor expansion), |∂²C/∂p²|)."""
        keep = p[idx]
        p[idx] = keep + step
        up = p[idx] - keep
        c_plus, s_plus = run()
        p[idx] = keep - step
        down = keep - p[idx]
        c_minus, s_minus = run()
        p[idx] = keep
        crossed = relu and any(bool(np.any((a > 0) != (b > 0)) or np.any((a > 0) != (c > 0)))
                               for a, b, c in zip(zs0, s_plus, s_minus, strict=True))
        far = any(float(np.max(np.abs(b - a), initial=0)) > MAX_DZ or float(np.max(np.abs(c - a), initial=0)) > MAX_DZ
                  for a, b, c in zip(zs0, s_plus, s_minus, strict=True))
        d = up + down  # the step as represented next to p (exactly 2·step unless |p| is huge)
        if d == 0:  # the step vanishes next to p
            return 0.0, crossed, np.inf, True, 0.0
        noise = NOISE * EPS * (max(abs(c_plus), abs(c_minus), size0) + spread)
        return (c_plus - c_minus) / d, crossed, 2 * noise / d, far, abs(c_plus + c_minus - 2 * c0) / (up * down)

    def estimate(p, idx, step, offset) -> tuple[float, bool, float]:
        """(Richardson estimate from steps 2·step and step, crossed a kink, its error bound).

        D(s) = C' + c·s² + O(s⁴), so (4·D(s) - D(2s)) / 3 = C' + O(s⁴); the bound is the
        spread of D over s, 2s, 4s (which over-states the remaining truncation) plus the
        rounding of the combination (5/3 of each D's rounding bound, at most), plus what
        the rounding offset of z (``offset``, at p's scale) does to C'."""
        d1, k1, r1, f1, c2 = difference(p, idx, step)
        d2, k2, r2, f2, _ = difference(p, idx, 2 * step)
        d4, k4, _, f4, _ = difference(p, idx, 4 * step)
        dj, kj, _, fj, _ = difference(p, idx, step * JITTER)  # same truncation, fresh rounding
        with np.errstate(over="ignore"):  # overflow: an infinite bound, the estimate is not to be trusted
            bound = 2 * (abs(d1 - d2) + abs(d2 - d4) + abs(d1 - dj)) + (4 * r1 + r2) / 3 + (c2 * offset if c2 else 0.0)
        if f1 or f2 or f4 or fj:  # the steps leave the region where the expansion holds
            bound = np.inf
        return (4 * d1 - d2) / 3, k1 or k2 or k4 or kj, bound

    def numeric(params, grads_bp, offsets):
        grads, steps, kinks, bounds = [], [], [], []
        for p, g_bp, offset in zip(params, grads_bp, offsets, strict=True):
            g, used, bound = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
            kink = np.zeros(p.shape, dtype=bool)
            for idx in np.ndindex(p.shape):
                best = (*estimate(p, idx, h, offset[idx]), h)
                if best[1] or not _close(g_bp[idx], best[0]):
                    # not settled at h: take the step whose estimate has the smallest error bound
                    for step in CANDIDATE_STEPS:
                        if step != h:
                            est, crossed, err = estimate(p, idx, step, offset[idx])
                            if (best[1] and not crossed) or (crossed == best[1] and err < best[2]):
                                best = (est, crossed, err, step)
                g[idx], kink[idx], bound[idx], used[idx] = best
            grads.append(g)
            steps.append(used)
            kinks.append(kink)
            bounds.append(bound)
        return grads, steps, kinks, bounds

    numeric_w, steps_w, kink_w, noise_w = numeric(weights, nabla_w, offset_w)
    numeric_b, steps_b, kink_b, noise_b = numeric(biases, nabla_b, offset_b)
    return GradCheck(nabla_w, nabla_b, numeric_w, numeric_b,
                     [relative_error(a, n) for a, n in zip(nabla_w, numeric_w)],
                     [relative_error(a, n) for a, n in zip(nabla_b, numeric_b)], h,
                     steps_w, steps_b, kink_w, kink_b, noise_w, noise_b, x.shape[1])
