"""The forward and backward passes of the seed's ``backprop``, written once as functions of
the parameters: ``Network`` runs them, and ``nnviz.trace_backprop`` listens to them through
``emit``.

Shapes (Nielsen's conventions, see ``nnviz.engine.functions``): ``weights[l-1]`` is w^l with
shape (sizes[l], sizes[l-1]); ``biases[l-1]`` is b^l with shape (sizes[l], 1); ``x`` has
shape (sizes[0], m) and ``y`` shape (sizes[-1], m), m examples as columns.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nnviz.engine.functions import Activation, Cost

Array = np.ndarray
# emit(kind, layer, value, reads): called once per operation of the seed's backprop.
Emit = Callable[[str, int, Array, dict], None]


def forward(weights: list[Array], biases: list[Array], activation: Activation,
            x: Array) -> tuple[list[Array], list[Array]]:
    """The forward pass, written once: ``(activations, zs)`` with activations[l] = a^l
    (activations[0] = x, shape (sizes[0], m)) and zs[l-1] = z^l = w^l a^(l-1) + b^l."""
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(activation.fn(zs[-1]))
    return activations, zs


def forward_backward(weights: list[Array], biases: list[Array], activation: Activation,
                     cost: Cost, x: Array, y: Array, emit: Emit | None = None):
    """One forward and backward pass, as the seed's ``backprop`` does it.

    ``x`` shape (sizes[0], m) and ``y`` shape (sizes[-1], m): m examples as columns
    (m = 1 is the seed's case).  Returns ``(nabla_b, nabla_w, activations, zs)`` where
    nabla_b[l-1] (shape (sizes[l], 1)) and nabla_w[l-1] (shape of w^l) are summed over
    the m examples.  ``emit`` (if given) hears every operation, in the seed's order.
    """
    L = len(weights)  # index of the output layer
    activations, zs = forward(weights, biases, activation, x)
    if emit is not None:  # the forward pass's operations, in the order they ran
        emit("input", 0, x, {"x": x})
        for l in range(1, L + 1):
            emit("z", l, zs[l - 1], {"w": weights[l - 1], "a_prev": activations[l - 1], "b": biases[l - 1]})
            emit("a", l, activations[l], {"z": zs[l - 1]})
    report = emit or (lambda kind, layer, value, reads: None)

    nabla_b: list = [None] * L
    nabla_w: list = [None] * L
    # Output error: how fast C changes with z^L, by the chain rule dC/da^L * da^L/dz^L.
    delta = cost.delta(zs[-1], activations[-1], y, activation)
    report("delta", L, delta, {"a": activations[-1], "y": y, "z": zs[-1]})
    for l in range(L, 0, -1):
        if l < L:
            # Hidden error: delta^l = (w^{l+1})^T delta^{l+1} ⊙ sigma'(z^l).  It uses
            # w^{l+1} as it was in the forward pass: nothing is updated until all of
            # nabla_b and nabla_w are known.
            sp = activation.prime_from(zs[l - 1], activations[l])
            report("sp", l, sp, {"z": zs[l - 1]})
            w_next = weights[l]
            delta_next = delta
            delta = (w_next.T @ delta_next) * sp
            report("delta", l, delta, {"w_next": w_next, "delta_next": delta_next, "sp": sp})
        # dC/db^l_j = delta^l_j, summed over the examples (columns).
        nabla_b[l - 1] = delta.sum(axis=1, keepdims=True)
        report("nabla_b", l, nabla_b[l - 1], {"delta": delta})
        # dC/dw^l_jk = a^{l-1}_k delta^l_j: an outer product, summed over examples.
        nabla_w[l - 1] = delta @ activations[l - 1].T
        report("nabla_w", l, nabla_w[l - 1], {"delta": delta, "a_prev": activations[l - 1]})
    return nabla_b, nabla_w, activations, zs
