"""Common mistakes, shown: one backprop call done the wrong way, next to the right one.

Each function takes ``(net, x, y, eta=1.0)``, leaves ``net`` unchanged and returns a
``Mistake`` (``nnviz.lessons.mistake``): the wrong δ, nabla_b and nabla_w per layer beside the right ones (the right
ones from ``trace_backprop``, the same computation as ``Network.backprop``).

* ``stale_weights``   — update w^l as soon as nabla_w^l is known, then send δ back
  through the *updated* w^l.  Only layers below the output change.
* ``no_sigma_prime``  — leave σ′(z) out of δ.
* ``wrong_transpose`` — nabla_w = a·δᵀ instead of δ·aᵀ: the transpose of the right
  matrix, so the wrong shape unless w^l is square.

Lists are indexed by layer: item l-1 belongs to layer l (1..L), as ``net.weights``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nnviz.engine.functions import get_activation
from nnviz.engine.network import Network
from nnviz.engine.passes import forward
from nnviz.lessons.mistake import Mistake, build_mistake, right_values

Array = np.ndarray


# ---- the mistakes -------------------------------------------------------------------
def stale_weights(net: Network, x, y, eta: float = 1.0) -> Mistake:
    """Update each layer's weights during the backward pass, before δ moves on through them."""
    x, y, eta, rd, rb, rw = right_values(net, x, y, eta)
    act, cost = net.activation, net.cost
    P = act.prime_symbol
    activations, zs = forward(net.weights, net.biases, act, x)  # the forward pass is right
    weights = [w.copy() for w in net.weights]
    L = len(weights)
    wd, wb, ww = [None] * L, [None] * L, [None] * L
    delta = cost.delta(zs[-1], activations[-1], y, act)
    for l in range(L, 0, -1):
        if l < L:
            # THE MISTAKE: weights[l] is w^{l+1}, already moved by the update below.
            delta = (weights[l].T @ delta) * act.prime(zs[l - 1])
        wd[l - 1], wb[l - 1] = delta, delta.copy()
        ww[l - 1] = delta @ activations[l - 1].T
        weights[l - 1] = weights[l - 1] - eta * ww[l - 1]  # updated too early (m = 1)
    notes = [f"Layer {L} (the output layer) comes out right: its δ needs no weights."]
    if L == 1:
        notes.append("This network has no hidden layer, so no δ is sent back through a weight "
                     "matrix and the mistake changes nothing here.")
    else:
        below = "Layer 1 is" if L == 2 else f"Layers 1 to {L - 1} are"
        notes.append(f"{below} wrong: δ went back through weights that had already moved by "
                     "−η·nabla_w. The bigger η, the bigger the error.")
    return build_mistake(
        "stale_weights", "Back-propagating through weights that were already updated",
        "Backprop must compute every gradient from the network as it was in the forward pass: "
        f"δ^l = ((w^(l+1))ᵀ δ^(l+1)) ⊙ {P}(z^l) uses the same w^(l+1) that produced the output. "
        "Updating w^(l+1) first and then sending δ back through the new weights mixes two "
        "different networks, so the lower layers get the gradient of neither.",
        "The output layer's gradient is right but every layer below it is off, by an amount that "
        "grows with η; a gradient check (finite differences) fails for those layers.",
        "# backprop: compute every delta, nabla_b, nabla_w first ...\n"
        "delta = np.dot(self.weights[-l+1].transpose(), delta) * sp\n"
        "# ... update_mini_batch: only then move the weights\n"
        "self.weights = [w-(eta/len(mini_batch))*nw for w, nw in zip(self.weights, nabla_w)]",
        "# inside the backward loop, right after nabla_w[-l+1] is known:\n"
        "self.weights[-l+1] -= eta * nabla_w[-l+1]   # too early!\n"
        "delta = np.dot(self.weights[-l+1].transpose(), delta) * sp   # uses the new weights",
        (rd, rb, rw), (wd, wb, ww), notes=notes)


def no_sigma_prime(net: Network, x, y, eta: float = 1.0) -> Mistake:
    """Leave the σ′(z) factor out of δ (in the output error and in every hidden layer)."""
    x, y, eta, rd, rb, rw = right_values(net, x, y, eta)
    act, cost = net.activation, net.cost
    activations, zs = forward(net.weights, net.biases, act, x)  # the forward pass is right
    L = len(net.weights)
    wd, wb, ww = [None] * L, [None] * L, [None] * L
    if cost.name == "quadratic":
        delta = cost.derivative(activations[-1], y)  # THE MISTAKE: a - y, without * sigma'(z^L)
    else:
        delta = cost.delta(zs[-1], activations[-1], y, act)  # a - y: no sigma' here to forget
    for l in range(L, 0, -1):
        if l < L:
            delta = net.weights[l].T @ delta  # THE MISTAKE: no * sigma'(z^l)
        wd[l - 1], wb[l - 1] = delta, delta.copy()
        ww[l - 1] = delta @ activations[l - 1].T
    notes = []
    if cost.name == "cross_entropy":
        notes.append(f"With the cross-entropy cost the output error is a − y: {act.prime_symbol} cancels there, "
                     "so only the hidden layers change.")
    if act.name == "sigmoid":
        notes.append("σ′(z) = σ(z)(1 − σ(z)) is at most 0.25: every factor left out would have "
                     "shrunk the error at least 4-fold, so the wrong δ is usually several times "
                     "too big (exactly 1/σ′ ≥ 4 times for the first δ that loses it).")
    elif act.name == "relu":
        notes.append("ReLU′(z) is 1 for z > 0 and 0 otherwise: leaving it out only matters for "
                     "neurons with z ≤ 0, which wrongly receive an error.")
    P = act.prime_symbol
    output = (f"δ^L = a − y (with the cross-entropy cost ∂C/∂a = (a − y)/(a(1 − a)) and {P}(z^L) "
              "= a(1 − a) cancel, so the output layer has no slope left to forget)"
              if cost.cancels_prime else f"δ^L = (a − y) ⊙ {P}(z^L)")
    output_code = ("delta = activations[-1] - y   # cross-entropy (network2's CrossEntropyCost.delta)"
                   if cost.cancels_prime else
                   "delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])")
    return build_mistake(
        "no_sigma_prime", f"Forgetting {P}(z) in δ",
        "δ = ∂C/∂z, not ∂C/∂a. Between a neuron's weighted input z and its output a sits the "
        f"activation, so the chain rule multiplies by its slope: {output} and "
        f"δ^l = ((w^(l+1))ᵀ δ^(l+1)) ⊙ {P}(z^l). Without {P} the error ignores how flat the "
        f"activation is: a neuron where {P} ≈ 0 should barely learn, but gets the full error.",
        "The δ's (and so the gradients) come out wrong — with the sigmoid, where σ′ ≤ 0.25, "
        "usually several times too large — and saturated neurons keep getting big updates; "
        "training oscillates or diverges at a learning rate that works with the right formula, "
        "and a gradient check fails in every layer that lost the factor.",
        output_code + "\ndelta = np.dot(self.weights[-l+1].transpose(), delta) * sp",
        ("delta = activations[-1] - y   # unchanged: no slope here to forget" if cost.cancels_prime
         else "delta = self.cost_derivative(activations[-1], y)")
        + "\ndelta = np.dot(self.weights[-l+1].transpose(), delta)",
        (rd, rb, rw), (wd, wb, ww), notes=notes)


def _update_outcome(w: Array, nw: Array, eta: float, l: int) -> str:
    """What ``w - eta * nw`` does with the wrong-shaped gradient, as numpy really runs it."""
    try:
        new = w - eta * nw
    except ValueError as e:
        return f"the update w^{l} − η·nabla_w^{l} raises numpy's ValueError: {e}"
    if new.shape != w.shape:
        return (f"the update w^{l} − η·nabla_w^{l} does NOT fail: numpy broadcasts "
                f"{w.shape[0]}×{w.shape[1]} with {nw.shape[0]}×{nw.shape[1]} into a "
                f"{new.shape[0]}×{new.shape[1]} matrix, silently giving w^{l} the wrong shape; "
                "the error only shows up later, in the next forward pass")
    return "the update runs without an error"


def wrong_transpose(net: Network, x, y, eta: float = 1.0) -> Mistake:
    """Compute nabla_w as a·δᵀ instead of δ·aᵀ (the transpose of the right matrix)."""
    x, y, eta, rd, rb, rw = right_values(net, x, y, eta)
    act, cost = net.activation, net.cost
    activations, zs = forward(net.weights, net.biases, act, x)  # the forward pass is right
    L = len(net.weights)
    wd, wb, ww = [None] * L, [None] * L, [None] * L
    delta = cost.delta(zs[-1], activations[-1], y, act)
    for l in range(L, 0, -1):
        if l < L:
            delta = (net.weights[l].T @ delta) * act.prime(zs[l - 1])
        wd[l - 1], wb[l - 1] = delta, delta.copy()
        ww[l - 1] = activations[l - 1] @ delta.T  # THE MISTAKE: (n_in×1)·(1×n_out)
    shape_problems, notes = [], []
    for l, (w, g) in enumerate(zip(net.weights, ww), start=1):
        n, k = w.shape
        if g.shape != w.shape:
            shape_problems.append(
                f"Layer {l}: w^{l} is {n}×{k} (one row per neuron of layer {l}) but a·δᵀ is "
                f"{k}×{n}; {_update_outcome(w, g, eta, l)}.")
        else:
            notes.append(
                f"Layer {l}: w^{l} is square ({n}×{n}), so a·δᵀ has the right shape and nothing "
                f"fails — but entry (j, k) now holds ∂C/∂w_kj instead of ∂C/∂w_jk, and the wrong "
                "weights are changed, silently.")
    notes.append("Transposing the wrong matrix back gives exactly the right gradient: the "
                 "numbers are all there, in the wrong places.")
    return build_mistake(
        "wrong_transpose", "nabla_w = a·δᵀ instead of δ·aᵀ",
        "∂C/∂w^l_jk = a^(l−1)_k · δ^l_j: row j belongs to neuron j of layer l (where δ lives) and "
        "column k to neuron k of layer l−1 (where a lives). δ·aᵀ is (n_l×1)·(1×n_(l−1)), the shape "
        "of w^l. Swapping the factors, a·δᵀ, builds the transpose: row k, column j.",
        "Usually a shape error: the gradient is n_(l−1)×n_l but w^l is n_l×n_(l−1), so the update "
        "fails — or, when one side is 1, numpy broadcasts it into a matrix of the wrong size "
        "without complaint. For square layers nothing fails and the weights are silently "
        "updated with each other's gradients.",
        "nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())",
        "nabla_w[-l] = np.dot(activations[-l-1], delta.transpose())",
        (rd, rb, rw), (wd, wb, ww), shape_problems=shape_problems, notes=notes)


LABELS = {
    "stale_weights": "Stale weights: update w before sending δ back through it",
    "no_sigma_prime": "No {P}: leave {P}(z) out of δ",
    "wrong_transpose": "Wrong transpose: ∂C/∂w = a·δᵀ instead of δ·aᵀ",
}


def mistake_label(name: str, activation) -> str:
    """The short label of mistake ``name`` for a network with ``activation`` (name or object)."""
    return LABELS[name].format(P=get_activation(activation).prime_symbol)


MISTAKES: dict[str, Callable[..., Mistake]] = {
    "stale_weights": stale_weights,
    "no_sigma_prime": no_sigma_prime,
    "wrong_transpose": wrong_transpose,
}


def show_mistake(name: str, net: Network, x, y, eta: float = 1.0) -> Mistake:
    """Run the mistake called ``name``; ValueError lists the known names otherwise."""
    try:
        fn = MISTAKES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown mistake {name!r}; choose one of: {', '.join(MISTAKES)}.") from None
    return fn(net, x, y, eta)


def all_mistakes(net: Network, x, y, eta: float = 1.0) -> list[Mistake]:
    """Every mistake, in ``MISTAKES`` order, on the same network and example."""
    return [fn(net, x, y, eta) for fn in MISTAKES.values()]

