"""The table of operations: every kind of step in a backprop call, declared once.

``OPS`` holds one ``Op`` per operation of the seed's ``backprop`` and ``update_mini_batch``:
what it reads and writes, its phase, its title and explanation (templates), its symbolic
and numeric LaTeX (``nnviz.trace.formulas``), the seed lines it runs, and what predict
mode asks about it (the entry's names, the formula hint, the numbers hint from
``nnviz.trace.asks``).  Everything else (``Step``, the graph, predict mode, the exports)
looks an entry up with ``op_for(kind, l, L)``; a new operation is one new entry here.

Values are named ``"sym^l"`` (``"w^2"``, ``"delta^1"``, ``"nabla_w^2"``) or plainly
(``"y"``, ``"eta"``, ``"m"``); ``sp^l`` is the activation's slope f'(z^l).

Templates are ``str.format`` strings over ``At.words(j, k)``: ``{l}``, ``{L}``, ``{lm}`` (l−1),
``{lp}`` (l+1), superscripts ``{ls}``, ``{lms}``, ``{lps}``; the activation's own ``{S}``
(σ, tanh, ReLU), ``{P}`` (σ′, tanh′, ReLU′; ``{PL}`` in LaTeX), ``{A}`` (its name in words), ``{fn}``; the entry
``{s}`` (subscript "1" or "12"), ``{J}``, ``{K}`` (1-based), ``{e}`` (the example, 1-based),
``{first_note}`` (said on the first example's running sums only), ``{rule}`` (the slope at z^l_s
written out), and the cost's ``{cost_words}`` and ``{delta_rhs}``.
"""
from __future__ import annotations

from nnviz.trace import asks, formulas
from nnviz.trace.opkind import At, Op, Seed

PHASES = ("forward", "backward", "update")


def _op(name, kind, phase, value, reads, title, explanation, seed, **kw) -> Op:
    fname = name
    return Op(name, kind, phase, value, reads, title, " ".join(explanation.split()), seed,
              getattr(formulas, f"sym_{fname}"), getattr(formulas, f"num_{fname}"),
              getattr(asks, fname), **kw)


_BP = "backprop"
_ENTRY_W = "the weight from neuron {K} of layer {lm} to neuron {J} of layer {l}"

OPS: dict[str, Op] = {op.name: op for op in (
    _op("input", "input", "forward", "a", {"x": "x"},
        "Forward · input layer · a⁰ = x",
        """The input x is the activation of layer 0. backprop keeps every activation in the list
        `activations` (and every z in `zs`) because the backward pass needs them again.""",
        Seed(_BP, ("activation = x", "activations = [x]"), "x", {"x": "x"}),
        entry="a^0_{s}", entry_latex="a^{{0}}_{{{s}}}", entry_words="input {J}, passed on as activation a^0_{s}",
        rhs="x_{J}", hint=": the input layer passes the input on unchanged.", layer0=True, given=True),
    _op("z", "z", "forward", "z", {"w": "w^{l}", "a_prev": "a^{lm}", "b": "b^{l}"},
        "Forward · layer {l} · weighted input z{ls}",
        """Each neuron j of layer {l} adds up its inputs: every activation a{lms}ₖ of the layer
        before, times the weight w{ls}ⱼₖ on the edge from k to j, plus its own bias b{ls}ⱼ.
        In matrix form that is one product w{ls}·a{lms} plus b{ls}.""",
        Seed(_BP, ("z = np.dot(w, activation)+b", "zs.append(z)"), "np.dot(w, activation)+b",
             {"w": "w^{l}", "activation": "a^{lm}", "b": "b^{l}"}),
        entry="z^{l}_{s}", entry_latex="z^{{{l}}}_{{{s}}}", entry_words="the weighted input of neuron {J} in layer {l}",
        rhs="Σ_k w^{l}_{J}k · a^{lm}_k + b^{l}_{J}", hint=" (sum over the neurons k of layer {lm})",
        shapes=(("w{ls}", "w^{{{l}}}", "w^{l}"), "·", ("a{lms}", "a^{{{lm}}}", "a^{lm}"), "+",
                ("b{ls}", "b^{{{l}}}", "b^{l}"), "→", ("z{ls}", "z^{{{l}}}", "="))),
    _op("a", "a", "forward", "a", {"z": "z^{l}"},
        "Forward · layer {l} · activation a{ls}",
        """Each neuron passes its weighted input through {A}: a{ls} = {S}(z{ls}), element by
        element.{output_note}""",
        Seed(_BP, ("activation = sigmoid(z)", "activations.append(activation)"), "sigmoid(z)", {"z": "z^{l}"}),
        entry="a^{l}_{s}", entry_latex="a^{{{l}}}_{{{s}}}", entry_words="the activation of neuron {J} in layer {l}",
        rhs="{S}(z^{l}_{s})", hint=", with {fn}", uses_activation=True),
    _op("delta_out", "delta", "backward", "delta", {"a": "a^{L}", "y": "y", "z": "z^{L}"},
        "Backward · output layer {l} · error δ{ls}",
        """The output error δᴸ = ∂C/∂zᴸ says how fast the cost changes as each output neuron's
        weighted input changes. {cost_words}""",
        Seed(_BP, ("delta = self.cost_derivative", "sigmoid_prime(zs[-1])"),
             "self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])",
             {"activations[-1]": "a^{L}", "y": "y", "zs[-1]": "z^{L}"}),
        entry="δ^{l}_{s}", entry_latex="\\delta^{{{l}}}_{{{s}}}", entry_words="the error δ of neuron {J} in layer {l}",
        rhs="{delta_rhs}", hint="{delta_note}", uses_activation=True),
    _op("sp", "sp", "backward", "sp", {"z": "z^{l}"},
        "Backward · layer {l} · slope {P}(z{ls})",
        """To pass the error back into layer {l} we need the slope of the activation at each
        neuron's weighted input: {P}(z{ls}), computed from the z{ls} stored in the forward pass.""",
        Seed(_BP, ("z = zs[-l]", "sp = sigmoid_prime(z)"), "sigmoid_prime(z)", {"z": "z^{l}"}),
        entry="{P}(z^{l}_{s})", entry_latex="{PL}(z^{{{l}}}_{{{s}}})", entry_words="the slope of the activation at neuron {J} of layer {l}",
        rhs="{rule}", uses_activation=True),
    _op("delta", "delta", "backward", "delta", {"w_next": "w^{lp}", "delta_next": "delta^{lp}", "sp": "sp^{l}"},
        "Backward · layer {l} · error δ{ls}",
        """The error of neuron j in layer {l} is the errors of layer {lp}, sent back along the same
        edges they came through (weighted by w{lps}ᵢⱼ, hence the transpose), times the slope
        {P}(z{ls}ⱼ). The weights used are the ones from the forward pass: nothing has been
        updated yet.""",
        Seed(_BP, ("delta = np.dot(self.weights[-l+1]",), "np.dot(self.weights[-l+1].transpose(), delta) * sp",
             {"self.weights[-l+1]": "w^{lp}", "delta": "delta^{lp}", "sp": "sp^{l}"}),
        entry="δ^{l}_{s}", entry_latex="\\delta^{{{l}}}_{{{s}}}", entry_words="the error δ of neuron {J} in layer {l}",
        rhs="(Σ_i w^{lp}_i{J} · δ^{lp}_i) · {P}(z^{l}_{J})",
        hint=" (sum over the neurons i of layer {lp}; note the index order: column {J} of w^{lp})",
        shapes=(("(w{lps})ᵀ", "(w^{{{lp}}})^T", "w^{lp}ᵀ"), "·", ("δ{lps}", r"\delta^{{{lp}}}", "delta^{lp}"), "⊙",
                ("{P}(z{ls})", "{PL}(z^{{{l}}})", "sp^{l}"), "→", ("δ{ls}", r"\delta^{{{l}}}", "=")),
        why="""Why the transpose: w{lps} [w^{lp}] has one row per neuron of layer {lp} and one
        column per neuron of layer {l}; it carries activations forward. Sending errors back,
        neuron j of layer {l} collects along its own edges, column j of w{lps}, which is row j
        of (w{lps})ᵀ [w^{lp}ᵀ]: (w{lps})ᵀ times δ{lps} [delta^{lp}] gives one number per neuron of
        layer {l} [=]."""),
    _op("nabla_b", "nabla_b", "backward", "nabla_b", {"delta": "delta^{l}"},
        "Backward · layer {l} · bias gradient ∂C/∂b{ls}",
        "∂C/∂b{ls}ⱼ = δ{ls}ⱼ: a bias shifts z directly, so its gradient is the neuron's error.",
        Seed(_BP, ("nabla_b[{neg}] = delta",), "delta", {"delta": "delta^{l}"}),
        entry="∂C/∂b^{l}_{s}", entry_latex="\\frac{{\\partial C}}{{\\partial b^{{{l}}}_{{{s}}}}}",
        entry_words="the gradient of the bias of neuron {J} in layer {l}", rhs="δ^{l}_{J}"),
    _op("nabla_w", "nabla_w", "backward", "nabla_w", {"delta": "delta^{l}", "a_prev": "a^{lm}"},
        "Backward · layer {l} · weight gradient ∂C/∂w{ls}",
        """∂C/∂w{ls}ⱼₖ = a{lms}ₖ · δ{ls}ⱼ: a weight's gradient is the activation flowing into the
        edge times the error at the edge's end. For all edges at once this is the outer product
        δ{ls}·(a{lms})ᵀ.""",
        Seed(_BP, ("nabla_w[{neg}] = np.dot",), "np.dot(delta, {prev}.transpose())",
             {"delta": "delta^{l}", "{prev}": "a^{lm}"}),
        entry="∂C/∂w^{l}_{s}", entry_latex="\\frac{{\\partial C}}{{\\partial w^{{{l}}}_{{{s}}}}}",
        entry_words="the gradient of " + _ENTRY_W, rhs="a^{lm}_{K} · δ^{l}_{J}",
        hint=" (activation at the start of the edge times the error at its end)", matrix=True,
        shapes=(("δ{ls}", r"\delta^{{{l}}}", "delta^{l}"), "·", ("(a{lms})ᵀ", "(a^{{{lm}}})^T", "a^{lm}ᵀ"), "→",
                ("∂C/∂w{ls}", r"\partial C/\partial w^{{{l}}}", "=")),
        why="""Why the transpose: δ{ls} [delta^{l}] and a{lms} [a^{lm}] are both columns, but
        ∂C/∂w{ls} needs the shape of w{ls} [=], entry (j, k) = δ{ls}ⱼ·a{lms}ₖ. Only a column times
        a row, δ{ls}·(a{lms})ᵀ with (a{lms})ᵀ [a^{lm}ᵀ], makes that table."""),
    _op("update_w", "update_w", "update", "new_w",
        {"w": "w^{l}", "eta": "eta", "m": "m", "nw": "sum_nabla_w^{l}"},
        "Update · layer {l} · new weights w{ls}",
        """Gradient descent: every weight of layer {l} moves against its gradient summed over
        the mini-batch, Σₓ ∂Cₓ/∂w, times η/m (m is the number of examples in the mini-batch, so
        the step follows their average gradient). The update happens only now, after backprop
        has computed every gradient.""",
        Seed("update_mini_batch", ("self.weights = [w-", "for w, nw in zip"), "w-(eta/len(mini_batch))*nw",
             {"w": "w^{l}", "eta": "eta", "len(mini_batch)": "m", "nw": "sum_nabla_w^{l}"}),
        entry="new w^{l}_{s}", entry_latex="w^{{{l}}}_{{{s}}}\\ (\\text{{new}})",
        entry_words=_ENTRY_W + " after the update", rhs="w^{l}_{s} − (η/m) · Σ_x ∂C_x/∂w^{l}_{s}",
        hint=" (summed over the mini-batch)", matrix=True,
        shapes=(("w{ls}", "w^{{{l}}}", "w^{l}"), "−",
                ("(η/m)·Σ∇w{ls}", r"\tfrac{{\eta}}{{m}}\textstyle\sum \nabla w^{{{l}}}", "sum_nabla_w^{l}"),
                "→", ("w{ls}", "w^{{{l}}}", "="))),
    _op("update_b", "update_b", "update", "new_b",
        {"b": "b^{l}", "eta": "eta", "m": "m", "nb": "sum_nabla_b^{l}"},
        "Update · layer {l} · new biases b{ls}",
        "The biases of layer {l} move the same way: b ← b − (η/m)·Σₓ ∂Cₓ/∂b, the sum over the mini-batch.",
        Seed("update_mini_batch", ("self.biases = [b-", "for b, nb in zip"), "b-(eta/len(mini_batch))*nb",
             {"b": "b^{l}", "eta": "eta", "len(mini_batch)": "m", "nb": "sum_nabla_b^{l}"}),
        entry="new b^{l}_{s}", entry_latex="b^{{{l}}}_{{{s}}}\\ (\\text{{new}})",
        entry_words="the bias of neuron {J} in layer {l} after the update",
        rhs="b^{l}_{s} − (η/m) · Σ_x ∂C_x/∂b^{l}_{s}", hint=" (summed over the mini-batch)"),
    # ---- the mini-batch: update_mini_batch's loop around backprop ---------------------------
    _op("backprop", "backprop", "forward", "x", {"x": "x", "y": "y"},
        "Mini-batch · example {e} · delta_nabla_b, delta_nabla_w = self.backprop(x, y)",
        """update_mini_batch hands example {e} of the mini-batch to backprop, which returns this
        example's gradient (delta_nabla_b, delta_nabla_w). Every example is run through the
        network as it was before the mini-batch: nothing is updated until all of them have been
        through. Step into the call to see each operation, or over it.""",
        Seed("update_mini_batch", ("for x, y in mini_batch:", "= self.backprop(x, y)"), "x", {"x": "x"}),
        entry="x_{J}", entry_latex="x_{{{J}}}", entry_words="input {J} of example {e}", rhs="x_{J}",
        hint=": the example's input, as given.", plain_name=True, given=True),
    _op("sum_nabla_b", "sum_nabla_b", "backward", "sum_nabla_b", {"nb": "sum_nabla_b^{l}", "dnb": "nabla_b^{l}"},
        "Mini-batch · example {e} · layer {l} · running sum Σ∇b{ls}",
        """The running sum of the bias gradients grows by this example's: Σ∇b{ls} ← Σ∇b{ls} +
        ∂Cₓ/∂b{ls}, the seed's nb+dnb (a new list each time). Writing = instead of + would keep
        only the last example's gradient.{first_note}""",
        Seed("update_mini_batch", ("nabla_b = [nb+dnb",), "nb+dnb", {"nb": "sum_nabla_b^{l}", "dnb": "nabla_b^{l}"}),
        entry="Σ∂C/∂b^{l}_{s}", entry_latex="\\Sigma\\nabla b^{{{l}}}_{{{s}}}",
        entry_words="the sum so far of the gradients of the bias of neuron {J} in layer {l}, after example {e}",
        rhs="(Σ∂C/∂b^{l}_{s} before) + ∂C_x/∂b^{l}_{s}", hint=" (this example's gradient added to the sum so far)"),
    _op("sum_nabla_w", "sum_nabla_w", "backward", "sum_nabla_w", {"nw": "sum_nabla_w^{l}", "dnw": "nabla_w^{l}"},
        "Mini-batch · example {e} · layer {l} · running sum Σ∇w{ls}",
        """The running sum of the weight gradients grows by this example's: Σ∇w{ls} ← Σ∇w{ls} +
        ∂Cₓ/∂w{ls}, the seed's nw+dnw; the edges show Σ∇w so far. The weights themselves do
        not move yet: the update comes once, after the last example, with η/m.{first_note}""",
        Seed("update_mini_batch", ("nabla_w = [nw+dnw",), "nw+dnw", {"nw": "sum_nabla_w^{l}", "dnw": "nabla_w^{l}"}),
        entry="Σ∂C/∂w^{l}_{s}", entry_latex="\\Sigma\\nabla w^{{{l}}}_{{{s}}}",
        entry_words="the sum so far of the gradients of " + _ENTRY_W + ", after example {e}",
        rhs="(Σ∂C/∂w^{l}_{s} before) + ∂C_x/∂w^{l}_{s}", hint=" (this example's gradient added to the sum so far)",
        matrix=True,
        shapes=(("Σ∇w{ls}", r"\Sigma\nabla w^{{{l}}}", "sum_nabla_w^{l}"), "+",
                ("∂C_x/∂w{ls}", r"\partial C_x/\partial w^{{{l}}}", "nabla_w^{l}"), "→",
                ("Σ∇w{ls}", r"\Sigma\nabla w^{{{l}}}", "="))),
)}
KINDS = tuple(dict.fromkeys(op.kind for op in OPS.values()))


def op_for(kind: str, l: int, L: int) -> Op:
    """The ``Op`` a step of ``kind`` at layer ``l`` (output layer ``L``) runs."""
    op = OPS.get(f"{kind}_out") if l == L else None
    if op is None:
        op = OPS.get(kind)
    if op is None or op.kind != kind:
        raise ValueError(f"Unknown step kind {kind!r}; the kinds are: {', '.join(KINDS)}.")
    return op


def op_writing(value: str, l: int, L: int) -> Op | None:
    """The operation that writes ``value^l`` ("a", "delta", "new_b", ...), if one does."""
    if value == "a" and l == 0:
        return OPS["input"]
    return next((op_for(op.kind, l, L) for op in OPS.values()
                 if op.value == value and not op.layer0), None)
