"""Independent oracles for gradients: the seed's own ``backprop`` where it applies (sigmoid
with the quadratic cost), central finite differences of a forward pass written here with
numpy alone everywhere else.  Neither runs nnviz's engine.

    reference_gradient(net, x, y) -> (nabla_b, nabla_w, rtol, atol)
    fd_gradient(weights, biases, activation, cost, x, y, h) -> (nabla_b, nabla_w)
    plain_output(weights, biases, activation, x) -> a^L
    steps_of_one_call(sizes) -> how many steps one backprop call on one example has
"""
from __future__ import annotations

import numpy as np

from seed_reference import seed_namespace, seed_network

ACTIVATION = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh,
              "relu": lambda z: np.maximum(z, 0.0)}
COST = {"quadratic": lambda a, y: 0.5 * float(np.sum((a - y) ** 2)),
        "cross_entropy": lambda a, y: -float(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))}


def plain_output(weights, biases, activation: str, x):
    a = np.asarray(x, dtype=float)
    for w, b in zip(weights, biases, strict=True):
        a = ACTIVATION[activation](w @ a + b)
    return a


def fd_gradient(weights, biases, activation: str, cost: str, x, y, h: float = 1e-6):
    """Central differences (C(p + h) − C(p − h)) / 2h for every weight and bias."""
    ws = [np.array(w, dtype=float) for w in weights]
    bs = [np.array(b, dtype=float) for b in biases]

    def c():
        return COST[cost](plain_output(ws, bs, activation, x), y)

    def grads(params):
        out = []
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + h
                up = c()
                p[idx] = keep - h
                down = c()
                p[idx] = keep
                g[idx] = (up - down) / (2 * h)
            out.append(g)
        return out

    return grads(bs), grads(ws)


def reference_gradient(net, x, y):
    """(nabla_b, nabla_w, rtol, atol) for ``net`` at (x, y): the seed's backprop (to 1e-12)
    for sigmoid + quadratic, else finite differences (to about 1e-6)."""
    if net.activation.name == "sigmoid" and net.cost.name == "quadratic":
        ref = seed_network(net.sizes, net.weights, net.biases, seed_namespace())
        nb, nw = ref.backprop(np.array(x, dtype=float), np.array(y, dtype=float))
        return nb, nw, 1e-12, 1e-12
    nb, nw = fd_gradient(net.weights, net.biases, net.activation.name, net.cost.name, x, y)
    return nb, nw, 1e-5, 1e-7


def steps_of_one_call(sizes) -> int:
    """Steps of one backprop call on one example, counted from the seed's code by hand:
    the input; z and a for each of the L−1 layers; at the output δ, ∇b, ∇w; at each of the
    L−2 hidden layers σ′, δ, ∇b, ∇w; the update of w and of b for each layer:
    1 + 2(L−1) + 3 + 4(L−2) + 2(L−1) = 8(L−1)."""
    layers = len(sizes) - 1
    return 1 + 2 * layers + 3 + 4 * (layers - 1) + 2 * layers
