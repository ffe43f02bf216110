"""A central-difference check of backprop's gradient, one parameter at a time.

For each weight and bias p: (C(p + h) - C(p - h)) / 2h, against backprop's dC/dp, with
the relative error |g_bp - g_fd| / max(|g_bp|, |g_fd|).  A parameter passes when
|g_bp - g_fd| <= ATOL + RTOL * max(|g_bp|, |g_fd|): the absolute floor covers gradients
so small that the finite difference's rounding noise (about 1e-11) dominates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.network import Network, forward_backward

RTOL = 1e-5
ATOL = 1e-8


@dataclass(frozen=True)
class GradCheck:
    """Backprop's and the finite-difference gradients, with per-parameter relative errors.

    Lists are per layer l = 1..L (index l-1), with the shapes of w^l and b^l.
    """

    nabla_w: list
    nabla_b: list
    numeric_w: list
    numeric_b: list
    rel_error_w: list
    rel_error_b: list
    h: float

    @property
    def max_rel_error(self) -> float:
        return float(max(np.max(e) for e in self.rel_error_w + self.rel_error_b))

    @property
    def passed_w(self) -> list:
        """Per layer, a boolean array: did each weight's gradient pass?"""
        return [_close(a, n) for a, n in zip(self.nabla_w, self.numeric_w)]

    @property
    def passed_b(self) -> list:
        return [_close(a, n) for a, n in zip(self.nabla_b, self.numeric_b)]

    @property
    def passed(self) -> bool:
        return all(bool(np.all(p)) for p in self.passed_w + self.passed_b)

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return f"GradCheck({verdict}: max relative error {self.max_rel_error:.2e}, h={self.h:g})"


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))


def relative_error(a, b, floor: float = 1e-300):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def gradient_check(net: Network, x, y, h: float = 1e-5) -> GradCheck:
    """Compare ``net.backprop(x, y)`` with central differences of the cost; ``net`` is unchanged."""
    net.check_parameters()
    x, y = net.check_example(x, y)
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    nabla_b, nabla_w, _, _ = forward_backward(weights, biases, net.activation, net.cost, x, y)

    def cost() -> float:
        a = x
        for w, b in zip(weights, biases):
            a = net.activation.fn(w @ a + b)
        return net.cost.fn(a, y)

    def numeric(params):
        grads = []
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + h
                c_plus = cost()
                p[idx] = keep - h
                c_minus = cost()
                p[idx] = keep
                g[idx] = (c_plus - c_minus) / (2 * h)
            grads.append(g)
        return grads

    numeric_w, numeric_b = numeric(weights), numeric(biases)
    return GradCheck(nabla_w, nabla_b, numeric_w, numeric_b,
                     [relative_error(a, n) for a, n in zip(nabla_w, numeric_w)],
                     [relative_error(a, n) for a, n in zip(nabla_b, numeric_b)], h)
