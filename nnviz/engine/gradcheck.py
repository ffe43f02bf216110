"""A central-difference check of backprop's gradient, one parameter at a time.

For each weight and bias p: (C(p + h) - C(p - h)) / 2h, against backprop's dC/dp, with
the relative error |g_bp - g_fd| / max(|g_bp|, |g_fd|).  A parameter passes when
|g_bp - g_fd| <= ATOL + RTOL * max(|g_bp|, |g_fd|): the absolute floor covers gradients
so small that the finite difference's rounding noise (about 1e-11) dominates.

The step h is chosen per parameter (``h`` is the first one tried), because a fixed step
fails a correct backprop in two places:

* **ReLU's kink.**  If p ± h moves some z across 0, the difference averages the two
  slopes of ReLU while backprop uses the slope at z.  The step is shrunk (by 10, down to
  ``MIN_H``) until no z changes sign; if even that straddles (z within ~1e-10 of 0), the
  parameter is marked ``kink``: not checkable there, not a backprop failure.
* **Rounding next to a huge cost.**  C(p ± h) are rounded to about 1e-16 of |C|; their
  difference over 2h carries an error of about eps·|C|/h.  With parameters near 1e6 the
  cost reaches 1e20 and more, and h = 1e-5 leaves nothing but rounding.  The step is
  grown (by 10, up to ``MAX_H``) until that bound is below RTOL/10 of the estimate; a
  parameter that then disagrees with backprop by less than the bound is counted as
  "below rounding": the check cannot resolve it (one that disagrees by more still fails).

The cost is computed from z (``Cost.fn_z``), so a saturated sigmoid under the
cross-entropy cost gives a finite, exact cost instead of ln 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.network import Network
from nnviz.engine.passes import forward, forward_backward

RTOL = 1e-5
ATOL = 1e-8
MIN_H = 1e-10
MAX_H = 1e-1
EPS = np.finfo(float).eps


@dataclass(frozen=True)
class GradCheck:
    """Backprop's and the finite-difference gradients, with per-parameter relative errors.

    Lists are per layer l = 1..L (index l-1), with the shapes of w^l and b^l.  ``steps_*``
    hold the step used for each parameter; ``kink_*`` mark parameters whose every step
    moved a ReLU z across 0; ``noise_*`` bound each estimate's rounding error.  A
    parameter that disagrees across a kink, or by less than its rounding bound, is
    "unchecked", not failed (see the module docstring).
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
        """Per layer: weights that did not pass, but only by less than the rounding bound
        of the estimate (the check cannot tell them apart; backprop is not the suspect)."""
        return _rounding(self.nabla_w, self.numeric_w, self.noise_w, self.kink_w)

    @property
    def rounding_b(self) -> list:
        return _rounding(self.nabla_b, self.numeric_b, self.noise_b, self.kink_b)

    def _unchecked(self) -> list:
        """Per layer (weights, then biases): parameters across a kink or below rounding."""
        kinks = (self.kink_w or []) + (self.kink_b or []) or [np.zeros(np.shape(e), bool)
                                                                for e in self.rel_error_w + self.rel_error_b]
        return [k | r for k, r in zip(kinks, self.rounding_w + self.rounding_b, strict=True)]

    @property
    def failed(self) -> int:
        """How many checkable parameters disagree with backprop (beyond the check's rounding)."""
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
                                                      (self.n_rounding, "below rounding")) if n)
        return f"GradCheck({verdict}: max relative error {self.max_rel_error:.2e}, h={self.h:g}{extra})"


def _rounding(grads, numerics, noises, kinks) -> list:
    if noises is None:
        return [np.zeros(np.shape(g), dtype=bool) for g in grads]
    return [~_close(g, n) & ~k & (np.abs(np.asarray(g) - n) <= e)
            for g, n, e, k in zip(grads, numerics, noises, kinks, strict=True)]


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))


def relative_error(a, b, floor: float = 1e-300):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def gradient_check(net: Network, x, y, h: float = 1e-5) -> GradCheck:
    """Compare ``net.backprop(x, y)`` with central differences of the cost; ``net`` is unchanged.

    ``h`` is the first step tried for every parameter (see the module docstring for
    when a smaller or larger one is used instead).
    """
    net.check_parameters()
    x, y = net.check_example(x, y)
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    act, cost_fn = net.activation, net.cost
    nabla_b, nabla_w, _, _ = forward_backward(weights, biases, act, cost_fn, x, y)
    relu = act.name == "relu"

    def run() -> tuple[float, list]:
        """The cost, and (ReLU only) which z are above 0, layer by layer."""
        activations, zs = forward(weights, biases, act, x)
        signs = [z > 0 for z in zs] if relu else []
        return cost_fn.fn_z(zs[-1], activations[-1], y, act), signs

    _, signs0 = run()

    def difference(p, idx, step) -> tuple[float, bool, float]:
        """(estimate, did p ± step move a z across 0, rounding bound of the estimate)."""
        keep = p[idx]
        p[idx] = keep + step
        up = p[idx] - keep
        c_plus, s_plus = run()
        p[idx] = keep - step
        down = keep - p[idx]
        c_minus, s_minus = run()
        p[idx] = keep
        crossed = any(bool(np.any(a != b) or np.any(a != c)) for a, b, c in zip(signs0, s_plus, s_minus))
        d = up + down  # the step as represented next to p (exactly 2·step unless |p| is huge)
        return (c_plus - c_minus) / d, crossed, 4 * EPS * max(abs(c_plus), abs(c_minus)) / d

    def numeric(params):
        grads, steps, kinks, noises = [], [], [], []
        for p in params:
            g, used, bound = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
            kink = np.zeros(p.shape, dtype=bool)
            for idx in np.ndindex(p.shape):
                step = h
                est, crossed, noise = difference(p, idx, step)
                while crossed and step / 10 >= MIN_H:  # shrink off ReLU's kink
                    step /= 10
                    est, crossed, noise = difference(p, idx, step)
                while not crossed and noise > 0.1 * (RTOL * abs(est) + ATOL) and step * 10 <= MAX_H:
                    bigger = difference(p, idx, step * 10)  # grow out of the cost's rounding
                    if bigger[1]:
                        break
                    step *= 10
                    est, crossed, noise = bigger
                g[idx], used[idx], kink[idx], bound[idx] = est, step, crossed, noise
            grads.append(g)
            steps.append(used)
            kinks.append(kink)
            noises.append(bound)
        return grads, steps, kinks, noises

    numeric_w, steps_w, kink_w, noise_w = numeric(weights)
    numeric_b, steps_b, kink_b, noise_b = numeric(biases)
    return GradCheck(nabla_w, nabla_b, numeric_w, numeric_b,
                     [relative_error(a, n) for a, n in zip(nabla_w, numeric_w)],
                     [relative_error(a, n) for a, n in zip(nabla_b, numeric_b)], h,
                     steps_w, steps_b, kink_w, kink_b, noise_w, noise_b)
