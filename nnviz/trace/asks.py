"""What predict mode shows as the numbers hint: the values to plug in for one entry.

One builder per operation of ``nnviz.trace.ops.OPS`` (which names them), each
``<op>(step, j, k) -> str`` for entry (j, k) (0-based) of the step's output, in plain
text, without the result.  The activation's symbol comes from the ``Activation``.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from nnviz.trace.numfmt import entry, fmt


def _n(v) -> str:
    return fmt(float(v), 4)


def _col(a) -> str:
    return ", ".join(_n(v) for v in np.asarray(a, dtype=float).ravel())


def input(step, j, k):  # noqa: A001 - the operation's name
    return f"x_{j + 1} = {_n(step.reads['x'][j, 0])}"


def z(step, j, k):
    l, r = step.layer, step.reads
    w, a, b = r[f"w^{l}"], r[f"a^{l - 1}"], r[f"b^{l}"]
    return f"row {j + 1} of w^{l}: ({_col(w[j])}); a^{l - 1} = ({_col(a)}); b^{l}_{j + 1} = {_n(b[j, 0])}"


def a(step, j, k):
    return f"z^{step.layer}_{j + 1} = {_n(step.reads[f'z^{step.layer}'][j, 0])}"


sp = a


def delta_out(step, j, k):
    L, r, at = step.layer, step.reads, step.at
    J = j + 1
    text = f"a^{L}_{J} = {_n(r[f'a^{L}'][j, 0])}, y_{J} = {_n(r['y'][j, 0])}"
    if not at.cost.cancels_prime:
        zj = r[f"z^{L}"][j, 0]
        text += (f", z^{L}_{J} = {_n(zj)}, so {at.act.prime_symbol}(z^{L}_{J}) = "
                 f"{_n(at.act.prime(np.array(zj)))}")
    return text


def delta(step, j, k):
    l, r = step.layer, step.reads
    w, d, s = r[f"w^{l + 1}"], r[f"delta^{l + 1}"], r[f"sp^{l}"]
    return (f"column {j + 1} of w^{l + 1}: ({_col(w[:, j])}); δ^{l + 1} = ({_col(d)}); "
            f"{step.at.act.prime_symbol}(z^{l}_{j + 1}) = {_n(s[j, 0])}")


def nabla_b(step, j, k):
    l = step.layer
    return f"δ^{l}_{j + 1} = {_n(step.reads[f'delta^{l}'][j, 0])} (from the step that computed δ^{l})"


def nabla_w(step, j, k):
    l, r = step.layer, step.reads
    return f"a^{l - 1}_{k + 1} = {_n(r[f'a^{l - 1}'][k, 0])}, δ^{l}_{j + 1} = {_n(r[f'delta^{l}'][j, 0])}"


def _update(p, step, j, k):
    l, r = step.layer, step.reads
    at, s = entry(p, j, k)
    return (f"{p}^{l}_{s} = {_n(r[f'{p}^{l}'][at])}, η = {_n(r['eta'])}, m = {_n(r['m'])}, "
            f"Σ ∂C/∂{p}^{l}_{s} = {_n(r[f'sum_nabla_{p}^{l}'][at])}")


update_w = partial(_update, "w")
update_b = partial(_update, "b")


def backprop(step, j, k):
    return f"x_{j + 1} = {_n(step.value[j, 0])} (the example's own input)"


def _sum(p, step, j, k):
    l, r = step.layer, step.reads
    at, s = entry(p, j, k)
    return (f"Σ∂C/∂{p}^{l}_{s} so far = {_n(r[f'sum_nabla_{p}^{l}'][at])}, this example's "
            f"∂C/∂{p}^{l}_{s} = {_n(r[f'nabla_{p}^{l}'][at])}")


sum_nabla_b = partial(_sum, "b")
sum_nabla_w = partial(_sum, "w")
