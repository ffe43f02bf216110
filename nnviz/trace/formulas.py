"""LaTeX for each operation: symbolic, and with a step's numbers, as a matrix or for one neuron.

One pair of builders per operation of ``nnviz.trace.ops.OPS`` (which names them):

* ``sym_<op>(at, view)`` — the formula in symbols at ``at`` (layer l of output layer L,
  the network's activation and cost; see ``ops.At``);
* ``num_<op>(step, view, j, k, sig)`` — the same with the step's numbers filled in,
  rounded by ``numfmt.fmt`` to ``sig`` digits; ``view`` is "matrix" (whole layers) or
  "scalar" (neuron j of the step's layer, and neuron k of the layer before for weights).

The activation's symbols come from the ``Activation`` itself (``latex``, ``prime_latex``).
Only display arithmetic happens here (the activation's slope in the output-error line);
every other value shown comes from the step.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from nnviz.trace.numfmt import bmatrix, entry, fmt, fmt_term


def _s(v, sig):
    return fmt(v, sig, latex=True)


def _M(a, sig, t=False):
    return bmatrix(a, sig, transpose=t)


def _out(step, j, k, sig) -> str:
    v = step.value
    return _s(v[j, 0] if v.shape[1] == 1 else v[j, k], sig)


def _e(a, *ix) -> float:
    return float(np.asarray(a)[ix])


# ---- input: a^0 = x -----------------------------------------------------------------------
def sym_input(at, view):
    return r"a^{0}_j = x_j" if view == "scalar" else r"a^{0} = x"


def num_input(step, view, j, k, sig):
    if view == "matrix":
        return rf"a^{{0}} = {_M(step.value, sig)}"
    return rf"a^{{0}}_{{{j+1}}} = x_{{{j+1}}} = {_out(step, j, k, sig)}"


# ---- z = w a + b ----------------------------------------------------------------------------
def sym_z(at, view):
    l = at.l
    if view == "scalar":
        return rf"z^{{{l}}}_j = \sum_k w^{{{l}}}_{{jk}}\, a^{{{l-1}}}_k + b^{{{l}}}_j"
    return rf"z^{{{l}}} = w^{{{l}}} a^{{{l-1}}} + b^{{{l}}}"


def num_z(step, view, j, k, sig):
    l, r = step.layer, step.reads
    w, a, b = r[f"w^{l}"], r[f"a^{l-1}"], r[f"b^{l}"]
    if view == "matrix":
        return rf"z^{{{l}}} = {_M(w, sig)} {_M(a, sig)} + {_M(b, sig)} = {_M(step.value, sig)}"
    terms = " + ".join(rf"{fmt_term(w[j, i], sig)} \cdot {fmt_term(a[i, 0], sig)}" for i in range(w.shape[1]))
    return rf"z^{{{l}}}_{{{j+1}}} = {terms} + {fmt_term(b[j, 0], sig)} = {_out(step, j, k, sig)}"


# ---- a = f(z) -------------------------------------------------------------------------------
def sym_a(at, view):
    l, S = at.l, at.act.latex
    return rf"a^{{{l}}}_j = {S}(z^{{{l}}}_j)" if view == "scalar" else rf"a^{{{l}}} = {S}(z^{{{l}}})"


def num_a(step, view, j, k, sig):
    l, S, z = step.layer, step.at.act.latex, step.reads[f"z^{step.layer}"]
    if view == "matrix":
        return rf"a^{{{l}}} = {S}\left({_M(z, sig)}\right) = {_M(step.value, sig)}"
    return rf"a^{{{l}}}_{{{j+1}}} = {S}({_s(z[j, 0], sig)}) = {_out(step, j, k, sig)}"


# ---- sp = f'(z) ------------------------------------------------------------------------------
def sym_sp(at, view):
    l, act = at.l, at.act
    if view == "scalar":
        return rf"{act.prime_latex}(z^{{{l}}}_j)"
    return rf"{act.prime_latex}(z^{{{l}}}) = {act.prime_rule_latex(f'z^{{{l}}}')}"


def num_sp(step, view, j, k, sig):
    l, P, z = step.layer, step.at.act.prime_latex, step.reads[f"z^{step.layer}"]
    if view == "matrix":
        return rf"{P}\left({_M(z, sig)}\right) = {_M(step.value, sig)}"
    return rf"{P}(z^{{{l}}}_{{{j+1}}}) = {P}({_s(z[j, 0], sig)}) = {_out(step, j, k, sig)}"


# ---- output error delta^L ----------------------------------------------------------------------
def sym_delta_out(at, view):
    L, P = at.L, at.act.prime_latex
    if view == "scalar":
        return (rf"\delta^{{{L}}}_j = a^{{{L}}}_j - y_j" if at.cost.cancels_prime
                else rf"\delta^{{{L}}}_j = (a^{{{L}}}_j - y_j)\, {P}(z^{{{L}}}_j)")
    return (rf"\delta^{{{L}}} = a^{{{L}}} - y" if at.cost.cancels_prime else
            rf"\delta^{{{L}}} = \nabla_a C \odot {P}(z^{{{L}}}) = (a^{{{L}}} - y) \odot {P}(z^{{{L}}})")


def num_delta_out(step, view, j, k, sig):
    L, r, act = step.layer, step.reads, step.at.act
    a, y, z = r[f"a^{L}"], r["y"], r[f"z^{L}"]
    cancels = step.at.cost.cancels_prime
    if view == "matrix":
        if cancels:
            return rf"\delta^{{{L}}} = {_M(a, sig)} - {_M(y, sig)} = {_M(step.value, sig)}"
        return (rf"\delta^{{{L}}} = \left({_M(a, sig)} - {_M(y, sig)}\right) \odot "
                rf"{_M(act.prime(z), sig)} = {_M(step.value, sig)}")
    out = _out(step, j, k, sig)
    if cancels:
        return rf"\delta^{{{L}}}_{{{j+1}}} = {_s(a[j, 0], sig)} - {fmt_term(y[j, 0], sig)} = {out}"
    return (rf"\delta^{{{L}}}_{{{j+1}}} = ({_s(a[j, 0], sig)} - {fmt_term(y[j, 0], sig)}) \cdot "
            rf"{fmt_term(float(act.prime(np.array(z[j, 0]))), sig)} = {out}")


# ---- hidden error delta^l ---------------------------------------------------------------------
def sym_delta(at, view):
    l, P = at.l, at.act.prime_latex
    if view == "scalar":
        return (rf"\delta^{{{l}}}_j = \Big(\sum_i w^{{{l+1}}}_{{ij}}\, \delta^{{{l+1}}}_i\Big)"
                rf"\, {P}(z^{{{l}}}_j)")
    return rf"\delta^{{{l}}} = \big((w^{{{l+1}}})^T \delta^{{{l+1}}}\big) \odot {P}(z^{{{l}}})"


def num_delta(step, view, j, k, sig):
    l, r = step.layer, step.reads
    w, d, sp = r[f"w^{l+1}"], r[f"delta^{l+1}"], r[f"sp^{l}"]
    if view == "matrix":
        return (rf"\delta^{{{l}}} = \left({_M(w, sig, True)} {_M(d, sig)}\right)"
                rf" \odot {_M(sp, sig)} = {_M(step.value, sig)}")
    terms = " + ".join(rf"{fmt_term(w[i, j], sig)} \cdot {fmt_term(d[i, 0], sig)}" for i in range(w.shape[0]))
    return rf"\delta^{{{l}}}_{{{j+1}}} = \big({terms}\big) \cdot {fmt_term(sp[j, 0], sig)} = {_out(step, j, k, sig)}"


# ---- gradients ----------------------------------------------------------------------------------
def _dC(p, l, sub="", x=""):
    return rf"\frac{{\partial C{x}}}{{\partial {p}^{{{l}}}{sub}}}"


def sym_nabla_b(at, view):
    l = at.l
    return (rf"{_dC('b', l, '_j')} = \delta^{{{l}}}_j" if view == "scalar"
            else rf"{_dC('b', l)} = \delta^{{{l}}}")


def num_nabla_b(step, view, j, k, sig):
    l = step.layer
    if view == "matrix":
        return rf"{_dC('b', l)} = {_M(step.value, sig)}"
    return rf"{_dC('b', l, f'_{{{j+1}}}')} = \delta^{{{l}}}_{{{j+1}}} = {_out(step, j, k, sig)}"


def sym_nabla_w(at, view):
    l = at.l
    return (rf"{_dC('w', l, '_{jk}')} = a^{{{l-1}}}_k\, \delta^{{{l}}}_j" if view == "scalar"
            else rf"{_dC('w', l)} = \delta^{{{l}}} (a^{{{l-1}}})^T")


def num_nabla_w(step, view, j, k, sig):
    l, r = step.layer, step.reads
    a, d = r[f"a^{l-1}"], r[f"delta^{l}"]
    if view == "matrix":
        return rf"{_dC('w', l)} = {_M(d, sig)} {_M(a, sig, True)} = {_M(step.value, sig)}"
    return (rf"{_dC('w', l, f'_{{{j+1}{k+1}}}')} = {fmt_term(a[k, 0], sig)} \cdot "
            rf"{fmt_term(d[j, 0], sig)} = {_out(step, j, k, sig)}")


# ---- the update -----------------------------------------------------------------------------------
def _sym_update(p, at, view):
    l = at.l
    if view == "scalar":
        sub = "_{jk}" if p == "w" else "_j"
        return (rf"{p}^{{{l}}}{sub} \leftarrow {p}^{{{l}}}{sub} - \frac{{\eta}}{{m}}"
                rf"\sum_x {_dC(p, l, sub, '_x')}")
    return rf"{p}^{{{l}}} \leftarrow {p}^{{{l}}} - \frac{{\eta}}{{m}} \sum_x {_dC(p, l, '', '_x')}"


def _num_rule(lhs, step, view, j, k, sig, old, term, op, dot=""):
    """``lhs ← old op term = new`` with the numbers: the whole matrix, or entry (j, k) of w / j of b.

    ``lhs`` is the LaTeX of the parameter without its layer (``w``, ``\\Sigma\\nabla b``);
    ``old``, ``term``: the arrays read, shape of the parameter; ``dot``: the product sign a
    scalar view writes between ``op``'s factor and the term."""
    l = step.layer
    if view == "matrix":
        return rf"{lhs}^{{{l}}} \leftarrow {_M(old, sig)} {op} {_M(term, sig)} = {_M(step.value, sig)}"
    at, sub = entry(lhs[-1], j, k)
    return (rf"{lhs}^{{{l}}}_{{{sub}}} \leftarrow {_s(old[at], sig)} {op}{dot} "
            rf"{fmt_term(term[at], sig)} = {_out(step, j, k, sig)}")


def _num_update(p, step, view, j, k, sig):
    l, r = step.layer, step.reads
    rate = rf"\frac{{{_s(r['eta'], sig)}}}{{{_s(r['m'], sig)}}}"
    return _num_rule(p, step, view, j, k, sig, r[f"{p}^{l}"], r[f"sum_nabla_{p}^{l}"], f"- {rate}",
                     r" \cdot" if view != "matrix" else "")


sym_update_w = partial(_sym_update, "w")
sym_update_b = partial(_sym_update, "b")
num_update_w = partial(_num_update, "w")
num_update_b = partial(_num_update, "b")


# ---- the mini-batch ----------------------------------------------------------------------------
def sym_backprop(at, view):
    return r"\left(\nabla_b C_x,\ \nabla_w C_x\right) = \mathrm{backprop}(x, y)"


def num_backprop(step, view, j, k, sig):
    if view == "matrix":
        return rf"x = {_M(step.value, sig)},\quad y = {_M(step.reads['y'], sig)}"
    return rf"x_{{{j+1}}} = {_out(step, j, k, sig)}"


def _sym_sum(p, at, view):
    l, sub = at.l, ("_{jk}" if p == "w" else "_j") if view == "scalar" else ""
    return (rf"\Sigma\nabla {p}^{{{l}}}{sub} \leftarrow \Sigma\nabla {p}^{{{l}}}{sub} + "
            rf"{_dC(p, l, sub, '_x')}")


def _num_sum(p, step, view, j, k, sig):
    l, r = step.layer, step.reads
    return _num_rule(rf"\Sigma\nabla {p}", step, view, j, k, sig, r[f"sum_nabla_{p}^{l}"],
                     r[f"nabla_{p}^{l}"], "+")


sym_sum_nabla_b = partial(_sym_sum, "b")
sym_sum_nabla_w = partial(_sym_sum, "w")
num_sum_nabla_b = partial(_num_sum, "b")
num_sum_nabla_w = partial(_num_sum, "w")
