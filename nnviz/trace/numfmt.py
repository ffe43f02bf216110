"""How numbers are written for people: one rounding rule for every panel and label.

``fmt(v)`` gives ``sig`` significant digits in positional notation for
1e-4 <= |v| < 1e5, scientific notation outside, without trailing zeros; NaN and
infinities are written as words, never as numbers.
"""
from __future__ import annotations

import math

import numpy as np

_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def sup(n: int) -> str:
    """``n`` as Unicode superscript digits, for layer indices in plain text (z¹, δ²)."""
    return str(n).translate(_SUP)


def sub(j: int, k: int | None = None) -> str:
    """The 1-based subscript of entry (j, k) (0-based): "2", "21", or "10,3" past 9."""
    if k is None:
        return str(j + 1)
    return f"{j + 1}{k + 1}" if j < 9 and k < 9 else f"{j + 1},{k + 1}"


def entry(p: str, j: int, k: int) -> tuple[tuple[int, int], str]:
    """Entry (j, k) of a weight matrix ``w`` or entry j of a bias column ``b`` (shape (n, 1);
    ``k`` is then ignored): its index into the array and its 1-based subscript.
    w_jk: from neuron k to neuron j."""
    return ((j, k), sub(j, k)) if p == "w" else ((j, 0), sub(j))


def fmt(v: float, sig: int = 4, latex: bool = False) -> str:
    """``v`` rounded to ``sig`` significant digits, as text (or LaTeX)."""
    v = float(v)
    if math.isnan(v):
        return r"\text{NaN}" if latex else "NaN"
    if math.isinf(v):
        if latex:
            return r"+\infty" if v > 0 else r"-\infty"
        return "+inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    if -4 <= mag < 5:
        decimals = max(sig - 1 - mag, 0)
        text = f"{round(v, decimals):.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        return text
    mant, exp = f"{v:.{sig - 1}e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    if latex:
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return f"{mant}e{int(exp)}"


def fmt_term(v: float, sig: int = 4) -> str:
    """LaTeX for ``v`` as a factor in a product: negatives in parentheses."""
    s = fmt(v, sig, latex=True)
    return f"({s})" if float(v) < 0 or s.startswith("-") else s


def bmatrix(arr, sig: int = 4, transpose: bool = False) -> str:
    """A 2-D array (or scalar) as a LaTeX bmatrix with entries rounded by ``fmt``."""
    a = np.atleast_2d(np.asarray(arr, dtype=float))
    if transpose:
        a = a.T
    rows = [" & ".join(fmt(v, sig, latex=True) for v in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
