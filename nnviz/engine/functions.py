"""Activation and cost functions, each paired with its derivative in one object.

Index conventions used throughout nnviz (Nielsen's):

* layers are numbered l = 0 (input) ... L (output); ``sizes[l]`` neurons in layer l;
* ``w^l`` has shape (sizes[l], sizes[l-1]); its entry ``w^l_jk`` is the weight *from*
  neuron k of layer l-1 *to* neuron j of layer l; ``b^l`` has shape (sizes[l], 1);
* column vectors: an activation ``a^l`` has shape (sizes[l], 1), or (sizes[l], m) for a
  mini-batch of m examples stacked as columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation function sigma and its derivative sigma'.

    ``fn(z)`` and ``prime(z)`` work element-wise on arrays of any shape.
    ``prime_from(z, a)`` is sigma'(z) given a = fn(z) already computed (the forward pass
    stores it); it equals ``prime(z)`` exactly, without evaluating fn again.
    ``range`` = (low, high) is the set of values sigma takes (open at finite ends:
    sigmoid (0, 1), tanh (-1, 1), ReLU [0, inf)).  ``targets`` = (for class 0, for class 1)
    are the outputs a two-class label is trained towards: the ends of the range where it
    is bounded (sigmoid 0 and 1, tanh -1 and 1), 0 and 1 for ReLU.  ``midpoint``, halfway
    between them, is the decision threshold: a >= midpoint means class 1.

    Its own words, so no other module maps names to symbols: ``latex`` / ``symbol`` (LaTeX /
    plain text: ``\\sigma`` / "σ"), ``prime_latex`` / ``prime_symbol`` for the derivative
    (``\\sigma'`` / "σ′", "tanh′", "ReLU′"), ``words`` ("the sigmoid σ"), ``fn_text`` (its
    definition in plain text), ``prime_rule(z)`` / ``prime_rule_latex(z)``: the derivative
    at the expression ``z`` written out ("1 − tanh²(z)"), in plain text / LaTeX.
    """

    name: str
    fn: Callable[[Array], Array]
    prime: Callable[[Array], Array]
    latex: str
    formula: str  # LaTeX definition, e.g. \sigma(z) = 1/(1+e^{-z})
    prime_formula: str
    prime_from: Callable[[Array, Array], Array]
    range: tuple[float, float] = (0.0, 1.0)
    targets: tuple[float, float] = (0.0, 1.0)

    symbol: str = ""
    prime_latex: str = ""
    prime_symbol: str = ""
    words: str = ""
    fn_text: str = ""
    prime_rule: Callable[[str], str] = str
    prime_rule_latex: Callable[[str], str] = str

    @property
    def midpoint(self) -> float:
        """The decision threshold, halfway between the two class targets."""
        return 0.5 * (self.targets[0] + self.targets[1])

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _sigmoid(z: Array) -> Array:
    """1 / (1 + e^-z), the seed's formula.  For z < -709, e^-z overflows to inf and the
    result is exactly 0 (the correctly rounded value), so the overflow flag is silenced:
    no warning, and never a NaN."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _sigmoid_prime(z: Array) -> Array:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_prime(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


def _relu(z: Array) -> Array:
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def _relu_prime(z: Array) -> Array:
    # The derivative at exactly z = 0 is taken as 0 (the usual convention).
    return (np.asarray(z) > 0).astype(float)


SIGMOID = Activation(
    "sigmoid", _sigmoid, _sigmoid_prime, r"\sigma",
    r"\sigma(z) = \frac{1}{1+e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1-\sigma(z))",
    lambda z, a: a * (1.0 - a),
    symbol="σ", prime_latex=r"\sigma'", prime_symbol="σ′", words="the sigmoid σ",
    fn_text="σ(z) = 1/(1 + e^(−z))",
    prime_rule=lambda z: f"σ({z})·(1 − σ({z}))",
    prime_rule_latex=lambda z: rf"\sigma({z}) \odot (1-\sigma({z}))",
)
TANH = Activation(
    "tanh", np.tanh, _tanh_prime, r"\tanh",
    r"\tanh(z) = \frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}", r"\tanh'(z) = 1-\tanh^2(z)",
    lambda z, a: 1.0 - a * a, range=(-1.0, 1.0), targets=(-1.0, 1.0),
    symbol="tanh", prime_latex=r"\tanh'", prime_symbol="tanh′", words="tanh",
    fn_text="tanh(z) = (e^z − e^(−z))/(e^z + e^(−z))",
    prime_rule=lambda z: f"1 − tanh²({z})",
    prime_rule_latex=lambda z: rf"1-\tanh^2({z})",
)
RELU = Activation(
    "relu", _relu, _relu_prime, r"\operatorname{ReLU}",
    r"\operatorname{ReLU}(z) = \max(0, z)", r"\operatorname{ReLU}'(z) = [z > 0]",
    lambda z, a: _relu_prime(z), range=(0.0, float("inf")), targets=(0.0, 1.0),
    symbol="ReLU", prime_latex=r"\operatorname{ReLU}'", prime_symbol="ReLU′", words="ReLU",
    fn_text="ReLU(z) = max(0, z)",
    prime_rule=lambda z: f"1 if {z} > 0, else 0",
    prime_rule_latex=lambda z: rf"[{z} > 0]",
)

ACTIVATIONS: dict[str, Activation] = {f.name: f for f in (SIGMOID, TANH, RELU)}


@dataclass(frozen=True)
class Cost:
    """A cost C(a, y) and its output error delta^L, as in Nielsen's ``network2``.

    ``fn(a, y)`` returns the cost summed over the columns (examples) of ``a``.
    ``delta(z, a, y, activation)`` returns delta^L = dC/dz^L, shape like ``a``
    (``a`` = activation.fn(z), as stored by the forward pass).
    ``derivative(a, y)`` is dC/da^L (the seed's ``cost_derivative``).
    ``fn_z(z, a, y, activation)`` is the same cost computed from z^L where that is exact
    and ``fn`` is not: the cross-entropy of a sigmoid output that rounds to exactly 0 or
    1 (|z| above ~37) is ln(1 + e^±z), finite, where ln(a) or ln(1 - a) would be -inf.
    ``size_z(z, a, y, activation)``: the sum of the magnitudes of the terms ``fn_z`` adds,
    the scale its rounding acts on (the cross-entropy of a far-off target subtracts two
    large terms: C is small, its rounding is not).
    ``cancels_prime``: delta^L is a − y with no activation slope (cross-entropy with
    sigmoid outputs: sigma'(z) cancels); ``text``: the cost in plain text;
    ``delta_words``: why delta^L is what it is, with ``{P}`` for the activation's
    derivative symbol (filled in by the trace's words); ``seed_note``: how the seed's
    output-error line reads under this cost, when it differs.
    """

    name: str
    fn: Callable[[Array, Array], float]
    derivative: Callable[[Array, Array], Array]
    delta: Callable[[Array, Array, Array, Activation], Array]
    formula: str
    delta_formula: str
    fn_z: Callable[[Array, Array, Array, Activation], float]
    size_z: Callable[[Array, Array, Array, Activation], float]
    cancels_prime: bool = False
    text: str = ""
    delta_words: str = ""
    seed_note: str = ""

    def __repr__(self) -> str:
        return f"Cost({self.name!r})"


def _quadratic_fn(a: Array, y: Array) -> float:
    return 0.5 * float(np.sum((a - y) ** 2))


def _quadratic_delta(z: Array, a: Array, y: Array, activation: Activation) -> Array:
    # chain rule at the output: dC/dz = dC/da * da/dz = (a - y) * sigma'(z)
    return (a - y) * activation.prime_from(z, a)


def _cross_entropy_terms(a: Array, y: Array) -> tuple[Array, Array]:
    """-y ln a and -(1-y) ln(1-a), from a alone: 0·ln 0 counts as 0; an output that rounded
    to exactly 0 or 1 against a target that wants the other end gives +inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, -y * np.log(a)), np.where(y == 1, 0.0, -(1 - y) * np.log(1 - a))


def _cross_entropy_fn(a: Array, y: Array) -> float:
    """From a alone (use ``fn_z`` for the exact value of a saturated sigmoid output)."""
    t1, t2 = _cross_entropy_terms(a, y)
    return float(np.sum(t1 + t2))


def _cross_entropy_fn_z(z: Array, a: Array, y: Array, activation: Activation) -> float:
    """-y ln σ(z) - (1-y) ln(1-σ(z)) = y ln(1+e^-z) + (1-y) ln(1+e^z), from z: exact and
    finite for every finite z (np.logaddexp(0, t) = ln(1 + e^t) without overflow)."""
    if activation.name != "sigmoid":
        return _cross_entropy_fn(a, y)
    return float(np.sum(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)))


def _cross_entropy_size_z(z: Array, a: Array, y: Array, activation: Activation) -> float:
    """Σ |y|·ln(1+e^-z) + |1-y|·ln(1+e^z) (or with ln a, ln(1-a) off the sigmoid): the
    magnitudes of the two terms ``fn_z`` adds, each ≥ 0 before its sign from y."""
    if activation.name != "sigmoid":
        t1, t2 = _cross_entropy_terms(a, y)
        return float(np.sum(np.abs(t1) + np.abs(t2)))
    return float(np.sum(np.abs(y) * np.logaddexp(0.0, -z) + np.abs(1 - y) * np.logaddexp(0.0, z)))


def saturation_note(a: Array, y: Array, cost: "Cost") -> str | None:
    """Why the cross-entropy's formulas in a break for this output, or None if they don't.

    A sigmoid output a^L_j that rounds to exactly 0 or 1 makes ln(a) or ln(1 - a) -inf
    and dC/da = (a - y)/(a(1 - a)) infinite or 0/0; backprop never divides by a(1 - a)
    (delta^L = a - y), so its numbers stay finite and right."""
    if cost.name != "cross_entropy":
        return None
    a = np.asarray(a, dtype=float)
    hit = [(j, float(v)) for j, v in enumerate(a.ravel()) if v in (0.0, 1.0)]
    if not hit:
        return None
    which = ", ".join(f"a^L_{j + 1} = {v:g}" for j, v in hit[:4])
    return (f"Saturated output: {which} exactly in floating point (σ(z) rounds to exactly 1 once "
            "z is above about 37, and to exactly 0 once z is below about −710). There ln a or ln(1 − a) is −∞ and ∂C/∂a = (a − y)/(a(1 − a)) "
            "divides by 0, so the cost shown is computed from z instead, as y·ln(1 + e^−z) + "
            "(1 − y)·ln(1 + e^z) (finite and exact). Backprop is unaffected: its δ^L = a − y "
            "never divides by a(1 − a). Smaller weights or inputs bring the output back.")


def _cross_entropy_derivative(a: Array, y: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a - y) / (a * (1 - a))


def _cross_entropy_delta(z: Array, a: Array, y: Array, activation: Activation) -> Array:
    # dC/da = (a-y)/(a(1-a)) and sigma'(z) = a(1-a) cancel exactly: delta = a - y.
    return a - y


QUADRATIC = Cost(
    "quadratic", _quadratic_fn, lambda a, y: a - y, _quadratic_delta,
    r"C = \tfrac{1}{2}\lVert a^L - y\rVert^2",
    r"\delta^L = (a^L - y) \odot {f}'(z^L)",
    lambda z, a, y, act: _quadratic_fn(a, y),
    lambda z, a, y, act: _quadratic_fn(a, y),  # a sum of squares: its terms are C's own size
    text="C = ½‖a − y‖²",
    delta_words=("By the chain rule it is ∂C/∂a (for C = ½‖a − y‖² that is a − y, the seed's "
                 "cost_derivative) times the slope of the activation, {P}(zᴸ)."),
)
CROSS_ENTROPY = Cost(
    "cross_entropy", _cross_entropy_fn, _cross_entropy_derivative, _cross_entropy_delta,
    r"C = -\sum_j \left[y_j \ln a^L_j + (1-y_j)\ln(1-a^L_j)\right]",
    r"\delta^L = a^L - y",
    _cross_entropy_fn_z,
    _cross_entropy_size_z,
    cancels_prime=True,
    text="C = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]",
    delta_words=("With the cross-entropy cost and sigmoid outputs, ∂C/∂a = (a − y)/(a(1 − a)) and "
                 "the slope {P}(zᴸ) = a(1 − a) cancel, and δᴸ is simply a − y."),
    seed_note=("With the cross-entropy cost this line becomes delta = a - y "
               "(Nielsen's network2: CrossEntropyCost.delta); sigma'(z) cancels."),
)

COSTS: dict[str, Cost] = {c.name: c for c in (QUADRATIC, CROSS_ENTROPY)}


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name; a clear ValueError names the allowed ones."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}."
        ) from None


def get_cost(name: str | Cost) -> Cost:
    """Look a cost up by name; a clear ValueError names the allowed ones."""
    if isinstance(name, Cost):
        return name
    try:
        return COSTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown cost {name!r}; choose one of: {', '.join(COSTS)}.") from None
