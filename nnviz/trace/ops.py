"""What each kind of operation in a backprop call *is*: its seed code, its names, its words.

One ``OpKind`` per operation of the seed's ``backprop`` (and the update of
``update_mini_batch``).  Values are named ``"sym^l"`` (``"w^2"``, ``"delta^1"``,
``"nabla_w^2"``) or plainly (``"y"``, ``"eta"``, ``"m"``); ``sp^l`` is sigma'(z^l).
"""
from __future__ import annotations

from dataclasses import dataclass

from nnviz.trace.seed_source import find_lines

PHASES = ("forward", "backward", "update")
_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def sup(n: int) -> str:
    """``n`` as Unicode superscript digits, for layer indices in plain text (z¹, δ²)."""
    return str(n).translate(_SUP)


@dataclass(frozen=True)
class CodeRef:
    """Where a step sits in the seed's source.

    ``source``: "backprop" or "update_mini_batch"; ``lines``: the 1-based lines it runs;
    ``expr``: the seed expression that computes the value; ``args``: seed name -> nnviz
    value name, so the expression can be evaluated on the step's inputs; ``note``: why
    the seed line differs, when it does (e.g. the cross-entropy cost).
    """

    source: str
    lines: tuple[int, ...]
    expr: str
    args: dict
    note: str = ""


def _ref(source, fragments, expr, args, note=""):
    return CodeRef(source, find_lines(source, fragments), expr, args, note)


def code_ref(kind: str, l: int, L: int, cost: str, activation: str = "sigmoid") -> CodeRef:
    """The seed lines that operation ``kind`` at layer ``l`` (of output layer L) runs."""
    ref = _code_ref(kind, l, L, cost)
    if activation != "sigmoid" and kind in ("a", "sp", "delta") and not ref.note:
        name = {"tanh": "tanh", "relu": "ReLU"}.get(activation, activation)
        return CodeRef(ref.source, ref.lines, ref.expr, ref.args,
                       f"nnviz runs {name} (and its derivative) where the seed writes sigmoid (sigmoid_prime).")
    return ref


def _code_ref(kind: str, l: int, L: int, cost: str) -> CodeRef:
    out = l == L
    if kind == "input":
        return _ref("backprop", ("activation = x", "activations = [x]"), "x", {"x": "x"})
    if kind == "z":
        return _ref("backprop", ("z = np.dot(w, activation)+b", "zs.append(z)"),
                    "np.dot(w, activation)+b", {"w": f"w^{l}", "activation": f"a^{l-1}", "b": f"b^{l}"})
    if kind == "a":
        return _ref("backprop", ("activation = sigmoid(z)", "activations.append(activation)"),
                    "sigmoid(z)", {"z": f"z^{l}"})
    if kind == "delta" and out:
        note = ("" if cost == "quadratic" else
                "With the cross-entropy cost this line becomes delta = a - y "
                "(Nielsen's network2: CrossEntropyCost.delta); sigma'(z) cancels.")
        return _ref("backprop", ("delta = self.cost_derivative", "sigmoid_prime(zs[-1])"),
                    "self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])",
                    {"activations[-1]": f"a^{L}", "y": "y", "zs[-1]": f"z^{L}"}, note)
    if kind == "sp":
        return _ref("backprop", ("z = zs[-l]", "sp = sigmoid_prime(z)"), "sigmoid_prime(z)",
                    {"z": f"z^{l}"})
    if kind == "delta":
        return _ref("backprop", ("delta = np.dot(self.weights[-l+1]",),
                    "np.dot(self.weights[-l+1].transpose(), delta) * sp",
                    {"self.weights[-l+1]": f"w^{l+1}", "delta": f"delta^{l+1}", "sp": f"sp^{l}"})
    if kind == "nabla_b":
        return _ref("backprop", ("nabla_b[-1] = delta" if out else "nabla_b[-l] = delta",),
                    "delta", {"delta": f"delta^{l}"})
    if kind == "nabla_w":
        prev = "activations[-2]" if out else "activations[-l-1]"
        return _ref("backprop", ("nabla_w[-1] = np.dot" if out else "nabla_w[-l] = np.dot",),
                    f"np.dot(delta, {prev}.transpose())", {"delta": f"delta^{l}", prev: f"a^{l-1}"})
    if kind == "update_w":
        return _ref("update_mini_batch", ("self.weights = [w-", "for w, nw in zip"),
                    "w-(eta/len(mini_batch))*nw",
                    {"w": f"w^{l}", "eta": "eta", "len(mini_batch)": "m", "nw": f"sum_nabla_w^{l}"})
    if kind == "update_b":
        return _ref("update_mini_batch", ("self.biases = [b-", "for b, nb in zip"),
                    "b-(eta/len(mini_batch))*nb",
                    {"b": f"b^{l}", "eta": "eta", "len(mini_batch)": "m", "nb": f"sum_nabla_b^{l}"})
    raise ValueError(f"Unknown step kind {kind!r}.")


def phase_of(kind: str, l: int) -> str:
    if kind in ("input", "z", "a"):
        return "forward"
    if kind.startswith("update"):
        return "update"
    return "backward"


def writes_of(kind: str, l: int) -> str:
    """The name of the value an operation produces."""
    return {"input": "a^0", "update_w": f"new_w^{l}", "update_b": f"new_b^{l}"}.get(kind, f"{kind}^{l}")


def title_of(kind: str, l: int, L: int) -> str:
    """A short heading for the step, e.g. 'Forward · layer 1 · weighted input z¹'."""
    names = {
        "input": "Forward · input layer · a⁰ = x",
        "z": f"Forward · layer {l} · weighted input z{sup(l)}",
        "a": f"Forward · layer {l} · activation a{sup(l)}",
        "delta": (f"Backward · output layer {l} · error δ{sup(l)}" if l == L
                  else f"Backward · layer {l} · error δ{sup(l)}"),
        "sp": f"Backward · layer {l} · slope σ′(z{sup(l)})",
        "nabla_b": f"Backward · layer {l} · bias gradient ∂C/∂b{sup(l)}",
        "nabla_w": f"Backward · layer {l} · weight gradient ∂C/∂w{sup(l)}",
        "update_w": f"Update · layer {l} · new weights w{sup(l)}",
        "update_b": f"Update · layer {l} · new biases b{sup(l)}",
    }
    return names[kind]


def explanation_of(kind: str, l: int, L: int, cost: str, activation: str) -> str:
    """A plain-language account of the step, in the spirit of the seed's prose."""
    act = {"sigmoid": "the sigmoid σ", "tanh": "tanh", "relu": "ReLU"}[activation]
    if kind == "input":
        return ("The input x is the activation of layer 0. backprop keeps every activation in the "
                "list `activations` (and every z in `zs`) because the backward pass needs them again.")
    if kind == "z":
        return (f"Each neuron j of layer {l} adds up its inputs: every activation a{sup(l-1)}ₖ of the layer "
                f"before, times the weight w{sup(l)}ⱼₖ on the edge from k to j, plus its own bias b{sup(l)}ⱼ. "
                f"In matrix form that is one product w{sup(l)}·a{sup(l-1)} plus b{sup(l)}.")
    if kind == "a":
        return (f"Each neuron squashes its weighted input through {act}: a{sup(l)} = {act.split()[-1]}(z{sup(l)}), "
                "element by element." + (" This is the network's output." if l == L else ""))
    if kind == "delta" and l == L:
        if cost == "cross_entropy":
            return ("The output error δᴸ = ∂C/∂zᴸ says how fast the cost changes as each output neuron's "
                    "weighted input changes. With the cross-entropy cost and sigmoid outputs, the σ′(z) "
                    "factor cancels and δᴸ is simply a − y.")
        return ("The output error δᴸ = ∂C/∂zᴸ says how fast the cost changes as each output neuron's "
                "weighted input changes. By the chain rule it is ∂C/∂a (for C = ½‖a−y‖² that is a − y, "
                "the seed's cost_derivative) times the slope of the activation σ′(zᴸ).")
    if kind == "sp":
        return (f"To pass the error back into layer {l} we need the slope of the activation at each neuron's "
                f"weighted input: σ′(z{sup(l)}), computed from the z{sup(l)} stored in the forward pass.")
    if kind == "delta":
        return (f"The error of neuron j in layer {l} is the errors of layer {l+1}, sent back along the same "
                f"edges they came through (weighted by w{sup(l+1)}ᵢⱼ, hence the transpose), times the slope "
                f"σ′(z{sup(l)}ⱼ). The weights used are the ones from the forward pass: nothing has been "
                "updated yet.")
    if kind == "nabla_b":
        return (f"∂C/∂b{sup(l)}ⱼ = δ{sup(l)}ⱼ: a bias shifts z directly, so its gradient is the neuron's error.")
    if kind == "nabla_w":
        return (f"∂C/∂w{sup(l)}ⱼₖ = a{sup(l-1)}ₖ · δ{sup(l)}ⱼ: a weight's gradient is the activation flowing into the "
                f"edge times the error at the edge's end. For all edges at once this is the outer product "
                f"δ{sup(l)}·(a{sup(l-1)})ᵀ; the transpose makes the shapes ({'n_out'}×1)·(1×{'n_in'}) fit w{sup(l)}.")
    if kind == "update_w":
        return (f"Gradient descent: every weight of layer {l} moves a step of size η/m against its "
                "gradient (m is the number of examples in the mini-batch). The update happens only "
                "now, after backprop has computed every gradient.")
    if kind == "update_b":
        return f"The biases of layer {l} take the same step against their gradient: b ← b − (η/m)·∂C/∂b."
    raise ValueError(f"Unknown step kind {kind!r}.")
