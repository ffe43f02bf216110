"""Shapes beside every matrix equation: read from the step's arrays, and right for the network.

The expected shapes are derived here from ``sizes`` alone (w^l is n_l × n_(l−1), vectors are
columns); the step's shapes must equal them, and equal the shapes of the arrays it holds.
"""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz import Network, trace_backprop
from nnviz.trace.explain import explain_markdown

PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic"), ("relu", "quadratic")]


def expected(kind, l, L, n):
    """The matrix equation's terms as (value name, shape), from the layer sizes n."""
    if kind == "z":
        return [(f"w^{l}", (n[l], n[l - 1])), (f"a^{l - 1}", (n[l - 1], 1)), (f"b^{l}", (n[l], 1)),
                (f"z^{l}", (n[l], 1))]
    if kind == "delta" and l < L:
        return [(f"w^{l + 1}ᵀ", (n[l], n[l + 1])), (f"delta^{l + 1}", (n[l + 1], 1)), (f"sp^{l}", (n[l], 1)),
                (f"delta^{l}", (n[l], 1))]
    if kind == "nabla_w":
        return [(f"delta^{l}", (n[l], 1)), (f"a^{l - 1}ᵀ", (1, n[l - 1])), (f"nabla_w^{l}", (n[l], n[l - 1]))]
    if kind == "update_w":
        return [(f"w^{l}", (n[l], n[l - 1])), (f"sum_nabla_w^{l}", (n[l], n[l - 1])), (f"new_w^{l}", (n[l], n[l - 1]))]
    return []


def array_shape(step, name):
    arr = step.value if name == step.writes else step.reads[name.removesuffix("ᵀ")]
    return arr.T.shape if name.endswith("ᵀ") else arr.shape


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**31),
       pair=st.sampled_from(PAIRS))
def test_every_matrix_step_shows_the_shapes_of_its_arrays(sizes, seed, pair):
    net = Network(sizes, seed=seed, activation=pair[0], cost=pair[1])
    rng = np.random.default_rng(seed)
    t = trace_backprop(net, rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1)))
    L = len(sizes) - 1
    shown = 0
    for s in t.steps:
        want = expected(s.kind, s.layer, L, sizes)
        assert list(s.shapes) == want, (s.kind, s.layer)
        for name, shape in s.shapes:
            assert array_shape(s, name) == shape
        if not want:
            assert s.shapes_text == "" and r"\underset" not in s.latex()
            continue
        shown += 1
        # the line and the formula panel's LaTeX give the same shapes, in order
        assert re.findall(r"\((\d+)×(\d+)\)", s.shapes_text) == [(str(r), str(c)) for _, (r, c) in want]
        assert re.findall(r"\\underset\{(\d+)\\times (\d+)\}", s.latex()) == [(str(r), str(c)) for _, (r, c) in want]
        assert s.latex(shapes=False) in s.latex() and r"\underset" not in s.latex("scalar")
    assert shown == 2 * L + L + (L - 1)  # z and update_w per layer, nabla_w per layer, hidden δ


def test_the_seed_network_reads_as_the_issue_writes_it():
    net = Network([3, 2, 1], seed=0)
    t = trace_backprop(net, np.ones((3, 1)), np.ones((1, 1)))
    by = {(s.kind, s.layer): s for s in t.steps}
    assert by["nabla_w", 1].shapes_text == "δ¹ (2×1) · (a⁰)ᵀ (1×3) → ∂C/∂w¹ (2×3)"
    assert by["delta", 1].shapes_text == "(w²)ᵀ (2×1) · δ² (1×1) ⊙ σ′(z¹) (2×1) → δ¹ (2×1)"
    for key in (("nabla_w", 1), ("delta", 1)):
        assert "Why the transpose" in by[key].explanation
    assert "(w²)ᵀ (2×1)" in by["delta", 1].explanation and "(a⁰)ᵀ (1×3)" in by["nabla_w", 1].explanation
    md = explain_markdown(t)
    assert "δ¹ (2×1) · (a⁰)ᵀ (1×3) → ∂C/∂w¹ (2×3)" in md
