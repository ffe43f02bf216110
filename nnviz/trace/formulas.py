"""LaTeX for each step: symbolic and with the step's numbers, as a matrix or for one neuron.

``render(step, view, numbers, j, k, sig)``; ``view`` is "matrix" (whole layers) or
"scalar" (neuron j of the step's layer, and neuron k of the layer before for weights).
Only display arithmetic happens here (sigma'(z) for the output-error line); every value
shown comes from the step.
"""
from __future__ import annotations

import numpy as np

from nnviz.engine.functions import get_activation
from nnviz.trace.numfmt import bmatrix, fmt, fmt_term


def _s(v, sig):
    return fmt(v, sig, latex=True)


def _prime_symbol(act) -> str:
    return {"sigmoid": r"\sigma'", "tanh": r"\tanh'", "relu": r"\operatorname{ReLU}'"}[act.name]


def symbolic(kind: str, l: int, L: int, view: str, act_name: str, cost: str) -> str:
    act = get_activation(act_name)
    S, P = act.latex, _prime_symbol(act)
    if view == "scalar":
        table = {
            "input": r"a^{0}_j = x_j",
            "z": rf"z^{{{l}}}_j = \sum_k w^{{{l}}}_{{jk}}\, a^{{{l-1}}}_k + b^{{{l}}}_j",
            "a": rf"a^{{{l}}}_j = {S}(z^{{{l}}}_j)",
            "sp": rf"{P}(z^{{{l}}}_j)",
            "nabla_b": rf"\frac{{\partial C}}{{\partial b^{{{l}}}_j}} = \delta^{{{l}}}_j",
            "nabla_w": rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{jk}}}} = a^{{{l-1}}}_k\, \delta^{{{l}}}_j",
            "update_w": rf"w^{{{l}}}_{{jk}} \leftarrow w^{{{l}}}_{{jk}} - \frac{{\eta}}{{m}}"
                        rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{jk}}}}",
            "update_b": rf"b^{{{l}}}_j \leftarrow b^{{{l}}}_j - \frac{{\eta}}{{m}}"
                        rf"\frac{{\partial C}}{{\partial b^{{{l}}}_j}}",
        }
        if kind == "delta" and l == L:
            return (rf"\delta^{{{L}}}_j = a^{{{L}}}_j - y_j" if cost == "cross_entropy"
                    else rf"\delta^{{{L}}}_j = (a^{{{L}}}_j - y_j)\, {P}(z^{{{L}}}_j)")
        if kind == "delta":
            return (rf"\delta^{{{l}}}_j = \Big(\sum_i w^{{{l+1}}}_{{ij}}\, \delta^{{{l+1}}}_i\Big)"
                    rf"\, {P}(z^{{{l}}}_j)")
        return table[kind]
    table = {
        "input": r"a^{0} = x",
        "z": rf"z^{{{l}}} = w^{{{l}}} a^{{{l-1}}} + b^{{{l}}}",
        "a": rf"a^{{{l}}} = {S}(z^{{{l}}})",
        "sp": rf"{P}(z^{{{l}}})" + (rf" = \sigma(z^{{{l}}}) \odot (1-\sigma(z^{{{l}}}))"
                                     if act.name == "sigmoid" else ""),
        "nabla_b": rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = \delta^{{{l}}}",
        "nabla_w": rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = \delta^{{{l}}} (a^{{{l-1}}})^T",
        "update_w": rf"w^{{{l}}} \leftarrow w^{{{l}}} - \frac{{\eta}}{{m}} \sum_x "
                    rf"\frac{{\partial C_x}}{{\partial w^{{{l}}}}}",
        "update_b": rf"b^{{{l}}} \leftarrow b^{{{l}}} - \frac{{\eta}}{{m}} \sum_x "
                    rf"\frac{{\partial C_x}}{{\partial b^{{{l}}}}}",
    }
    if kind == "delta" and l == L:
        return (rf"\delta^{{{L}}} = a^{{{L}}} - y" if cost == "cross_entropy" else
                rf"\delta^{{{L}}} = \nabla_a C \odot {P}(z^{{{L}}}) = (a^{{{L}}} - y) \odot {P}(z^{{{L}}})")
    if kind == "delta":
        return rf"\delta^{{{l}}} = \big((w^{{{l+1}}})^T \delta^{{{l+1}}}\big) \odot {P}(z^{{{l}}})"
    return table[kind]


def numeric(step, view: str = "matrix", j: int = 0, k: int = 0, sig: int = 4) -> str:
    """The step's formula with its numbers filled in (rounded by ``fmt`` to ``sig`` digits)."""
    kind, l, L, r, v = step.kind, step.layer, step.output_layer, step.reads, step.value
    act = get_activation(step.activation)
    S, P = act.latex, _prime_symbol(act)
    M = lambda a, t=False: bmatrix(a, sig, transpose=t)  # noqa: E731
    if view == "matrix":
        if kind == "input":
            return rf"a^{{0}} = {M(v)}"
        if kind == "z":
            return rf"z^{{{l}}} = {M(r[f'w^{l}'])} {M(r[f'a^{l-1}'])} + {M(r[f'b^{l}'])} = {M(v)}"
        if kind == "a":
            return rf"a^{{{l}}} = {S}\left({M(r[f'z^{l}'])}\right) = {M(v)}"
        if kind == "sp":
            return rf"{P}\left({M(r[f'z^{l}'])}\right) = {M(v)}"
        if kind == "delta" and l == L:
            a, y, z = r[f"a^{L}"], r["y"], r[f"z^{L}"]
            if step.cost == "cross_entropy":
                return rf"\delta^{{{L}}} = {M(a)} - {M(y)} = {M(v)}"
            return (rf"\delta^{{{L}}} = \left({M(a)} - {M(y)}\right) \odot {M(act.prime(z))} = {M(v)}")
        if kind == "delta":
            return (rf"\delta^{{{l}}} = \left({M(r[f'w^{l+1}'], True)} {M(r[f'delta^{l+1}'])}\right)"
                    rf" \odot {M(r[f'sp^{l}'])} = {M(v)}")
        if kind == "nabla_b":
            return rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = {M(v)}"
        if kind == "nabla_w":
            return (rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = {M(r[f'delta^{l}'])}"
                    rf" {M(r[f'a^{l-1}'], True)} = {M(v)}")
        if kind in ("update_w", "update_b"):
            p = "w" if kind == "update_w" else "b"
            return (rf"{p}^{{{l}}} \leftarrow {M(r[f'{p}^{l}'])} - \frac{{{_s(r['eta'], sig)}}}"
                    rf"{{{_s(r['m'], sig)}}} {M(r[f'sum_nabla_{p}^{l}'])} = {M(v)}")
        raise ValueError(f"Unknown step kind {kind!r}.")

    # scalar view: neuron j of layer l (k of layer l-1 for weights)
    e = lambda a, *ix: float(np.asarray(a)[ix])  # noqa: E731
    t = lambda x: fmt_term(x, sig)  # noqa: E731
    out = _s(e(v, j, 0) if v.ndim == 2 and v.shape[1] == 1 else e(v, j, k), sig)
    if kind == "input":
        return rf"a^{{0}}_{{{j+1}}} = x_{{{j+1}}} = {out}"
    if kind == "z":
        w, a, b = r[f"w^{l}"], r[f"a^{l-1}"], r[f"b^{l}"]
        terms = " + ".join(rf"{t(w[j, i])} \cdot {t(a[i, 0])}" for i in range(w.shape[1]))
        return rf"z^{{{l}}}_{{{j+1}}} = {terms} + {t(b[j, 0])} = {out}"
    if kind == "a":
        return rf"a^{{{l}}}_{{{j+1}}} = {S}({_s(r[f'z^{l}'][j, 0], sig)}) = {out}"
    if kind == "sp":
        return rf"{P}(z^{{{l}}}_{{{j+1}}}) = {P}({_s(r[f'z^{l}'][j, 0], sig)}) = {out}"
    if kind == "delta" and l == L:
        a, y, z = r[f"a^{L}"][j, 0], r["y"][j, 0], r[f"z^{L}"][j, 0]
        if step.cost == "cross_entropy":
            return rf"\delta^{{{L}}}_{{{j+1}}} = {_s(a, sig)} - {t(y)} = {out}"
        return (rf"\delta^{{{L}}}_{{{j+1}}} = ({_s(a, sig)} - {t(y)}) \cdot "
                rf"{t(float(act.prime(np.array(z))))} = {out}")
    if kind == "delta":
        w, d, sp = r[f"w^{l+1}"], r[f"delta^{l+1}"], r[f"sp^{l}"]
        terms = " + ".join(rf"{t(w[i, j])} \cdot {t(d[i, 0])}" for i in range(w.shape[0]))
        return rf"\delta^{{{l}}}_{{{j+1}}} = \big({terms}\big) \cdot {t(sp[j, 0])} = {out}"
    if kind == "nabla_b":
        return rf"\frac{{\partial C}}{{\partial b^{{{l}}}_{{{j+1}}}}} = \delta^{{{l}}}_{{{j+1}}} = {out}"
    if kind == "nabla_w":
        a, d = r[f"a^{l-1}"][k, 0], r[f"delta^{l}"][j, 0]
        return (rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{{j+1}{k+1}}}}} = {t(a)} \cdot {t(d)} = {out}")
    if kind in ("update_w", "update_b"):
        p = "w" if kind == "update_w" else "b"
        col = k if p == "w" else 0
        sub = f"{j+1}{k+1}" if p == "w" else f"{j+1}"
        old, g = r[f"{p}^{l}"][j, col], r[f"sum_nabla_{p}^{l}"][j, col]
        return (rf"{p}^{{{l}}}_{{{sub}}} \leftarrow {_s(old, sig)} - \frac{{{_s(r['eta'], sig)}}}"
                rf"{{{_s(r['m'], sig)}}} \cdot {t(g)} = {out}")
    raise ValueError(f"Unknown step kind {kind!r}.")
