"""The table of operations: every step's words, formulas and hints name the network's own
activation (and its derivative) and cost, for every activation × cost the engine allows.

The symbols are read from each ``Activation`` (``prime_symbol``, ``prime_latex``, ...); the
checks are on what a user sees: titles, explanations, both formula views (symbolic and with
numbers), predict mode's hints, the seed-code note and the graph's hover text.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnviz import ACTIVATIONS, COSTS, Network, trace_backprop, trace_mini_batch
from nnviz.draw.state import graph_state
from nnviz.lessons.mistakes import no_sigma_prime, stale_weights
from nnviz.lessons.predict import hints, pick_target
from nnviz.trace.ops import KINDS, OPS, op_for


def allowed_pairs():
    """(activation, cost) pairs the engine accepts (it refuses some: computed, not typed)."""
    pairs = []
    for act, cost in itertools.product(ACTIVATIONS, COSTS):
        try:
            Network([1, 1], seed=0, activation=act, cost=cost)
        except ValueError:
            continue
        pairs.append((act, cost))
    return pairs


PAIRS = allowed_pairs()


def test_the_engine_allows_cross_entropy_only_with_sigmoid():
    assert ("sigmoid", "cross_entropy") in PAIRS
    assert {c for a, c in PAIRS if a != "sigmoid"} == {"quadratic"}
    assert {a for a, _ in PAIRS} == set(ACTIVATIONS)


def traced(act, cost, sizes=(2, 3, 2, 1), seed=5, m=1):
    """One backprop call (m = 1) or a mini-batch of m examples."""
    net = Network(list(sizes), seed=seed, activation=act, cost=cost)
    rng = np.random.default_rng(seed)
    batch = [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(m)]
    return trace_mini_batch(net, batch, 0.7) if m > 1 else trace_backprop(net, *batch[0], 0.7)


def shown(trace, i):
    """(plain text, LaTeX) a user can see for step i: words, formulas, hints, note, hover."""
    s = trace[i]
    text = [s.title, s.explanation, s.code.note]
    latex = [s.latex("matrix"), s.latex("scalar"), s.latex_numbers("matrix"), s.latex_numbers("scalar")]
    for j in range(s.value.shape[0]):
        t = pick_target(s, j=j, k=0 if s.op.matrix else None)
        text += [t.symbol, t.description]
        latex.append(t.latex)
        for h in hints(s, t):
            text.append(h.text)
            latex.append(h.latex)
    g = graph_state(trace, i)
    text += [n.hover for n in g.nodes.values()] + [e.hover for e in g.edges.values()]
    return " ".join(text), " ".join(latex)


@pytest.mark.parametrize("m", [1, 2])
@pytest.mark.parametrize("act,cost", PAIRS)
def test_every_step_names_its_own_activation_and_never_another(act, cost, m):
    trace = traced(act, cost, m=m)
    own = ACTIVATIONS[act]
    others = [f for name, f in ACTIVATIONS.items() if name != act]
    for i, s in enumerate(trace.steps):
        text, latex = shown(trace, i)
        for other in others:
            assert other.prime_symbol not in text, (i, s.kind, other.name)
            assert other.prime_latex not in latex, (i, s.kind, other.name)
            assert f"{other.symbol}(" not in text, (i, s.kind, other.name)
            assert other.latex not in latex, (i, s.kind, other.name)
        if s.kind in ("sp", "delta") and not (s.op.name == "delta_out" and COSTS[cost].cancels_prime):
            # the slope is part of this step: each view names it as this activation's own
            assert own.prime_symbol in s.explanation, (i, s.kind)
            assert own.prime_latex in s.latex("matrix") and own.prime_latex in s.latex("scalar")
            t = pick_target(s, j=0)
            assert own.prime_symbol in hints(s, t)[0].text
        if s.kind == "sp":
            assert own.prime_symbol in s.title
            assert own.prime_rule(f"z^{s.layer}_1") in hints(s, pick_target(s, j=0))[0].text
        if s.kind == "a":
            assert own.words in s.explanation and own.latex in s.latex()


@pytest.mark.parametrize("act,cost", PAIRS)
def test_output_error_follows_the_cost(act, cost):
    trace = traced(act, cost)
    L = trace.output_layer
    s = next(s for s in trace.steps if s.kind == "delta" and s.layer == L)
    hint = hints(s, pick_target(s, j=0))[0].text
    if COSTS[cost].cancels_prime:
        assert s.latex() == rf"\delta^{{{L}}} = a^{{{L}}} - y"
        assert "a − y" in s.explanation and "cancel" in s.explanation
        assert hint.startswith(f"δ^{L}_1 = a^{L}_1 − y_1")
        assert ACTIVATIONS[act].prime_latex not in s.latex_numbers()
        np.testing.assert_array_equal(s.value, s.reads[f"a^{L}"] - s.reads["y"])
    else:
        assert ACTIVATIONS[act].prime_latex in s.latex()
        assert f"(a^{L}_1 − y_1) · {ACTIVATIONS[act].prime_symbol}(z^{L}_1)" in hint


@pytest.mark.parametrize("act,cost", PAIRS)
def test_mistake_words_name_the_activation_s_own_derivative(act, cost):
    net = Network([2, 3, 1], seed=2, activation=act, cost=cost)
    x, y = np.array([[0.3], [-0.8]]), np.array([[0.6]])
    for m in (no_sigma_prime(net, x, y), stale_weights(net, x, y)):
        text = " ".join([m.title, m.description, *m.notes])
        assert ACTIVATIONS[act].prime_symbol in text
        for name, f in ACTIVATIONS.items():
            if name != act:
                assert f.prime_symbol not in text


def test_every_kind_a_trace_records_is_in_the_table_and_every_op_is_used():
    used = set()
    for act, cost in PAIRS:
        for s in traced(act, cost).steps + traced(act, cost, m=2).steps:
            assert s.op is op_for(s.kind, s.layer, s.output_layer)
            used.add(s.op.name)
    assert used == set(OPS)
    with pytest.raises(ValueError, match="Unknown step kind 'nope'; the kinds are: " + ", ".join(KINDS)):
        op_for("nope", 1, 2)
