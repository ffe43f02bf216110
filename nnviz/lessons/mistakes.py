"""Common mistakes, shown: one backprop call done the wrong way, next to the right one.

Each function takes ``(net, x, y, eta=1.0)``, leaves ``net`` unchanged and returns a
``Mistake``: the wrong δ, nabla_b and nabla_w per layer beside the right ones (the right
ones from ``trace_backprop``, the same computation as ``Network.backprop``).

* ``stale_weights``   — update w^l as soon as nabla_w^l is known, then send δ back
  through the *updated* w^l.  Only layers below the output change.
* ``no_sigma_prime``  — leave σ′(z) out of δ.
* ``wrong_transpose`` — nabla_w = a·δᵀ instead of δ·aᵀ: the transpose of the right
  matrix, so the wrong shape unless w^l is square.

Lists are indexed by layer: item l-1 belongs to layer l (1..L), as ``net.weights``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nnviz.engine.functions import get_activation, get_cost
from nnviz.engine.network import Network
from nnviz.engine.passes import forward
from nnviz.trace.record import trace_backprop

Array = np.ndarray

def conventions(cost="quadratic") -> str:
    """The conventions, with the cost of the network shown (a name or a ``Cost``)."""
    text = get_cost(cost).text.replace("‖a ", "‖a^L ")
    return CONVENTIONS_TEMPLATE.format(cost=f"the {get_cost(cost).name.replace('_', '-')} cost of one "
                                            f"example is {text}")


CONVENTIONS_TEMPLATE = (
    "Conventions used by nnviz (Nielsen's): {cost}, summed over the output neurons, not averaged "
    "(the mean over the examples only enters through the η/m of the update). w^l_jk is the weight from neuron k of layer "
    "l−1 to neuron j of layer l, so w^l has one row per neuron of layer l and one column per "
    "neuron of layer l−1, and z^l = w^l·a^(l−1) + b^l. The input layer (layer 0) has no bias "
    "and no δ: the first bias and the first δ belong to layer 1. δ^l = ∂C/∂z^l, "
    "∂C/∂b^l = δ^l and ∂C/∂w^l = δ^l·(a^(l−1))ᵀ. Neurons are numbered from 1 in the text "
    "(δ^2_1 is the first neuron of layer 2) and from 0 in the code."
)


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


# ---- shared pieces ------------------------------------------------------------------
def _prepare(net: Network, x, y, eta):
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


def _build(name, title, description, symptom, right_code, wrong_code, right, wrong,
           shape_problems=(), notes=()) -> Mistake:
    (rd, rb, rw), (wd, wb, ww) = right, wrong
    layer_diffs = []
    for parts in zip(rd, wd, rb, wb, rw, ww):
        diffs = [_diff(parts[i], parts[i + 1]) for i in (0, 2, 4)]
        layer_diffs.append(max(d for d in diffs if d is not None))
    tup = lambda arrays: tuple(np.array(a, dtype=float) for a in arrays)  # noqa: E731
    return Mistake(name, title, description, symptom, right_code, wrong_code,
                   tup(rd), tup(wd), tup(rb), tup(wb), tup(rw), tup(ww),
                   float(max(layer_diffs)), tuple(layer_diffs), tuple(shape_problems), tuple(notes))


# ---- the mistakes -------------------------------------------------------------------
def stale_weights(net: Network, x, y, eta: float = 1.0) -> Mistake:
    """Update each layer's weights during the backward pass, before δ moves on through them."""
    x, y, eta, rd, rb, rw = _prepare(net, x, y, eta)
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
    return _build(
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
    x, y, eta, rd, rb, rw = _prepare(net, x, y, eta)
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
    return _build(
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
    x, y, eta, rd, rb, rw = _prepare(net, x, y, eta)
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
    return _build(
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


CONVENTIONS = conventions("quadratic")  # the seed's cost
