"""The numbers in each step's LaTeX are the trace's values, as ``numfmt.fmt`` writes them.

Numbers are parsed back out of the LaTeX (skipping ^{...}/_{...} indices), compared with
fmt of the values the trace holds, and checked to be within rounding of those values.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz import Network, get_activation, trace_backprop
from nnviz.trace.numfmt import bmatrix, fmt
from nnviz.engine.presets import PRESETS

# a number as fmt writes it (1.5, -0.25, 3\times 10^{-7}), or an index group to skip
TOKEN = re.compile(r"(?P<num>-?\d+(?:\.\d+)?(?:\\times 10\^\{-?\d+\})?)|(?P<idx>[\^_]\{[^{}]*\})")
NUMBER_TEXT = re.compile(r"^-?\d+(?:\.\d+)?(?:e-?\d+)?$")
NUMBER_LATEX = re.compile(r"^-?\d+(?:\.\d+)?(?:\\times 10\^\{-?\d+\})?$")
PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic"),
         ("relu", "quadratic")]


def numbers_in(latex: str) -> list[str]:
    return [m.group("num") for m in TOKEN.finditer(latex) if m.group("num")]


def to_decimal(token: str) -> Decimal:
    """A printed number (text or LaTeX form) as an exact Decimal."""
    token = token.replace(r"\times 10^{", "e").rstrip("}")
    return Decimal(token)


def within_rounding(token: str, v: float, sig: int) -> bool:
    """``token`` is ``v`` correctly rounded to ``sig`` significant digits (or better)."""
    if v == 0:
        return to_decimal(token) == 0
    exact = Decimal(v)
    half_unit = Decimal(5) * Decimal(10) ** (exact.adjusted() - sig)
    return abs(to_decimal(token) - exact) <= half_unit


def flat(a, transpose=False):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return list((a.T if transpose else a).ravel())


def expected_matrix(step) -> list[float]:
    """The values the matrix view shows, in reading order."""
    r, v, l, L = step.reads, step.value, step.layer, step.output_layer
    kind = step.kind
    if kind == "input" or kind == "nabla_b":
        return flat(v)
    if kind == "z":
        return flat(r[f"w^{l}"]) + flat(r[f"a^{l-1}"]) + flat(r[f"b^{l}"]) + flat(v)
    if kind in ("a", "sp"):
        return flat(r[f"z^{l}"]) + flat(v)
    if kind == "delta" and l == L:
        a, y, z = r[f"a^{L}"], r["y"], r[f"z^{L}"]
        middle = [] if step.cost == "cross_entropy" else flat(get_activation(step.activation).prime(z))
        return flat(a) + flat(y) + middle + flat(v)
    if kind == "delta":
        return flat(r[f"w^{l+1}"], True) + flat(r[f"delta^{l+1}"]) + flat(r[f"sp^{l}"]) + flat(v)
    if kind == "nabla_w":
        return flat(r[f"delta^{l}"]) + flat(r[f"a^{l-1}"], True) + flat(v)
    p = kind[-1]  # update_w / update_b
    return flat(r[f"{p}^{l}"]) + [float(r["eta"]), float(r["m"])] + flat(r[f"sum_nabla_{p}^{l}"]) + flat(v)


def expected_scalar(step, j, k) -> list[float]:
    """The values the scalar view shows for neuron j (and input k), in reading order."""
    r, v, l, L = step.reads, step.value, step.layer, step.output_layer
    kind = step.kind
    if kind in ("input", "nabla_b"):
        return [v[j, 0]]
    if kind == "z":
        w, a = r[f"w^{l}"], r[f"a^{l-1}"]
        return [x for i in range(w.shape[1]) for x in (w[j, i], a[i, 0])] + [r[f"b^{l}"][j, 0], v[j, 0]]
    if kind in ("a", "sp"):
        return [r[f"z^{l}"][j, 0], v[j, 0]]
    if kind == "delta" and l == L:
        a, y, z = r[f"a^{L}"][j, 0], r["y"][j, 0], r[f"z^{L}"][j, 0]
        if step.cost == "cross_entropy":
            return [a, y, v[j, 0]]
        return [a, y, float(get_activation(step.activation).prime(np.array(z))), v[j, 0]]
    if kind == "delta":
        w, d = r[f"w^{l+1}"], r[f"delta^{l+1}"]
        return [x for i in range(w.shape[0]) for x in (w[i, j], d[i, 0])] + [r[f"sp^{l}"][j, 0], v[j, 0]]
    if kind == "nabla_w":
        return [r[f"a^{l-1}"][k, 0], r[f"delta^{l}"][j, 0], v[j, k]]
    p = kind[-1]
    c = k if p == "w" else 0
    return [r[f"{p}^{l}"][j, c], float(r["eta"]), float(r["m"]), r[f"sum_nabla_{p}^{l}"][j, c], v[j, c]]


def check_step(step, view, sig, j=0, k=0):
    latex = step.latex_numbers(view, j=j, k=k, sig=sig)
    want = expected_matrix(step) if view == "matrix" else expected_scalar(step, j, k)
    got = numbers_in(latex)
    assert got == [fmt(x, sig, latex=True) for x in want], (step, latex)
    for token, x in zip(got, want, strict=True):
        assert within_rounding(token, float(x), sig), (token, x)


def test_seed_preset_forward_and_backward_steps():
    cfg = PRESETS["seed"].config
    t = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    by = {(s.kind, s.layer): s for s in t.steps}
    for key in [("z", 1), ("a", 2), ("delta", 2), ("delta", 1), ("nabla_w", 1), ("update_w", 1)]:
        for view in ("matrix", "scalar"):
            check_step(by[key], view, 4, j=1 if key[1] == 1 else 0, k=2 if key[1] == 1 else 1)
    # one figure read by eye: z^1_1 = 0.2*0.5 + (-0.4)*(-1) + 0.7*0.8 + 0.1 = 1.16
    assert by["z", 1].latex_numbers("scalar", j=0).endswith("= 1.16")


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), s=st.integers(0, 2**32 - 1),
       pair=st.sampled_from(PAIRS), sig=st.integers(2, 8), spread=st.integers(0, 8))
def test_every_step_shows_the_trace_values(sizes, s, pair, sig, spread):
    """Random nets, with magnitudes from 1e-spread to 1e+spread (scientific notation too)."""
    net = Network(sizes, seed=s, activation=pair[0], cost=pair[1])
    rng = np.random.default_rng([s, 3])
    scale = lambda a: a * 10.0 ** rng.integers(-spread, spread + 1, a.shape)  # noqa: E731
    net.weights = [scale(w) for w in net.weights]
    net.biases = [scale(b) for b in net.biases]
    x = scale(rng.standard_normal((sizes[0], 1)))
    y = rng.uniform(0, 1, (sizes[-1], 1))
    t = trace_backprop(net, x, y, eta=float(rng.uniform(0.01, 10)))
    for step in t.steps:
        n_out = step.value.shape[0]
        n_in = step.value.shape[1] if step.kind in ("nabla_w", "update_w") else 1
        check_step(step, "matrix", sig)
        check_step(step, "scalar", sig, j=int(rng.integers(n_out)), k=int(rng.integers(n_in)))


# ---- fmt itself -----------------------------------------------------------------------
@pytest.mark.parametrize("v", [math.nan, math.inf, -math.inf])
def test_fmt_never_prints_nan_or_inf_as_a_number(v):
    for latex in (False, True):
        text = fmt(v, 4, latex=latex)
        assert not re.search(r"\d", text), text
        assert (text in ("NaN", r"\text{NaN}")) == math.isnan(v)
    assert fmt(math.inf) == "+inf" and fmt(-math.inf) == "-inf"
    cell = bmatrix(np.array([[1.0, v]]))
    assert numbers_in(cell) == ["1"]


@settings(max_examples=300, deadline=None)
@given(v=st.floats(allow_nan=False, allow_infinity=False), sig=st.integers(1, 12))
def test_fmt_rounds_finite_numbers_correctly(v, sig):
    text, latex = fmt(v, sig), fmt(v, sig, latex=True)
    assert NUMBER_TEXT.match(text), text
    assert NUMBER_LATEX.match(latex), latex
    assert to_decimal(latex) == Decimal(text)  # the same number in both forms
    assert within_rounding(text, v, sig), (v, sig, text)
    assert not text.startswith("-0") or float(text) != 0
    if "." in text.split("e")[0]:
        assert not text.split("e")[0].endswith("0")  # no trailing zeros


@pytest.mark.parametrize("v, sig, want", [
    (0.75136507, 4, "0.7514"), (-0.31, 4, "-0.31"), (1.0, 4, "1"), (0.0, 4, "0"), (-0.0, 4, "0"),
    (123456.0, 3, "1.23e5"), (0.00001234, 3, "1.23e-5"), (0.0001234, 3, "0.000123"), (2.71828, 3, "2.72"),
])
def test_fmt_hand_checked_examples(v, sig, want):
    assert fmt(v, sig) == want
