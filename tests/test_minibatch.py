"""trace_mini_batch: the seed's update_mini_batch, step by step, against the seed's own code.

Oracles: the seed's ``update_mini_batch`` and ``backprop`` (tests/seed_reference.py) for
sigmoid with the quadratic cost; finite differences (tests/oracles.py) for the others;
``trace_backprop`` for a mini-batch of one (which must be stepped exactly as it is).
"""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_support import assert_one_line_error, run_main
from nnviz import Network, Trace, trace_backprop, trace_mini_batch
from nnviz.draw.figures import step_figure
from nnviz.draw.graph import node_id, signed
from nnviz.draw.state import graph_state
from nnviz.engine.presets import PRESETS
from nnviz.export.files import load_network, load_trace, trace_json
from nnviz.trace.explain import explain_markdown
from nnviz.trace.minibatch import INSIDE_CALL, MAX_EXAMPLES, call_steps, outline
from oracles import fd_gradient
from seed_reference import seed_namespace, seed_network
from test_trace import evaluate_seed_expr, seed_functions

PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic"), ("relu", "quadratic")]


def make(sizes, s, m, act="sigmoid", cost="quadratic"):
    net = Network(sizes, seed=s, activation=act, cost=cost)
    rng = np.random.default_rng([s, 7])
    batch = [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(m)]
    return net, batch


def params(net):
    return copy.deepcopy(net.weights + net.biases)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), s=st.integers(0, 2**31),
       m=st.integers(2, 6), eta=st.floats(0.1, 5))
def test_against_the_seed_update_mini_batch_and_its_backprop(sizes, s, m, eta):
    ns = seed_namespace()
    net, batch = make(sizes, s, m)
    before = params(net)
    t = trace_mini_batch(net, batch, eta)
    for p, q in zip(before, params(net), strict=True):  # the network is never changed
        np.testing.assert_array_equal(p, q)
    ref = seed_network(sizes, net.weights, net.biases, ns)
    ref.update_mini_batch([(x.copy(), y.copy()) for x, y in batch], eta)
    for got, want in zip(t.new_weights + t.new_biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # every per-example gradient and every running sum is the value of some step of that example
    seed = seed_network(sizes, net.weights, net.biases, ns)
    L = len(sizes) - 1
    sums = {("b", l): np.zeros_like(b) for l, b in enumerate(net.biases, 1)}
    sums |= {("w", l): np.zeros_like(w) for l, w in enumerate(net.weights, 1)}
    for e, (x, y) in enumerate(batch):
        dnb, dnw = seed.backprop(x, y)
        shown = {(st_.kind, st_.layer): st_.value for st_ in t.steps if st_.example == e}
        for l in range(1, L + 1):
            for p, grad in (("b", dnb[l - 1]), ("w", dnw[l - 1])):
                sums[p, l] = sums[p, l] + grad
                np.testing.assert_allclose(shown[f"nabla_{p}", l], grad, rtol=1e-12, atol=1e-13)
                np.testing.assert_allclose(shown[f"sum_nabla_{p}", l], sums[p, l], rtol=1e-12, atol=1e-13)
    assert t.m == m and len(t.examples) == m
    assert {s_.example for s_ in t.steps} == set(range(m)) | {None}


@pytest.mark.parametrize("act,cost", PAIRS)
def test_other_activations_and_costs_against_finite_differences(act, cost):
    net, batch = make([2, 3, 2], 11, 3, act, cost)
    t = trace_mini_batch(net, batch, 0.9)
    grads = [fd_gradient(net.weights, net.biases, act, cost, x, y) for x, y in batch]
    for l in range(len(net.weights)):
        sw = sum(g[1][l] for g in grads)
        sb = sum(g[0][l] for g in grads)
        np.testing.assert_allclose(t.new_weights[l], net.weights[l] - 0.9 / 3 * sw, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(t.new_biases[l], net.biases[l] - 0.9 / 3 * sb, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("act,cost", PAIRS)
def test_a_mini_batch_of_one_is_stepped_exactly_as_trace_backprop(act, cost):
    net, batch = make([3, 2, 2], 5, 1, act, cost)
    a = trace_mini_batch(net, batch, 1.7)
    b = trace_backprop(net, *batch[0], 1.7)
    assert len(a) == len(b)
    for s, r in zip(a.steps, b.steps, strict=True):
        assert (s.kind, s.layer, s.example, s.title, s.explanation, s.latex(), s.latex_numbers()) == \
               (r.kind, r.layer, r.example, r.title, r.explanation, r.latex(), r.latex_numbers())
        np.testing.assert_array_equal(s.value, r.value)
        assert s.reads.keys() == r.reads.keys()


def test_each_new_step_is_what_its_seed_line_computes():
    ns = seed_namespace()
    net, batch = make([2, 3, 1], 3, 3)
    t = trace_mini_batch(net, batch, 2.0)
    env = {"np": np, "self": seed_network([2, 3, 1], net.weights, net.biases, ns), **seed_functions("sigmoid", ns)}
    kinds = set()
    for step in t.steps:
        np.testing.assert_allclose(evaluate_seed_expr(step, env), step.value, rtol=1e-12, atol=1e-14)
        kinds.add(step.kind)
    assert {"backprop", "sum_nabla_b", "sum_nabla_w"} <= kinds
    lines = [s.code.lines for s in t.steps if s.kind == "sum_nabla_w"]
    assert len(set(lines)) == 1 and len(lines) == 3 * 2


def test_known_keeps_only_this_example_and_the_running_sums():
    net, batch = make([2, 2, 1], 8, 3)
    t = trace_mini_batch(net, batch, 1.0)
    first_of = {e: next(s.index for s in t.steps if s.example == e) for e in range(3)}
    k = t.known(first_of[1])  # example 2's backprop call: nothing of it computed yet
    assert "z^1" not in k and "delta^2" not in k and "nabla_w^1" not in k
    sum_w1 = next(s.value for s in reversed(t.steps[:first_of[1]]) if s.kind == "sum_nabla_w" and s.layer == 1)
    np.testing.assert_array_equal(k["sum_nabla_w^1"], sum_w1)
    np.testing.assert_array_equal(k["x"], batch[1][0])
    np.testing.assert_array_equal(k["y"], batch[1][1])
    np.testing.assert_array_equal(k["w^1"], net.weights[0])  # nothing moves during the batch


def test_the_graph_shows_the_running_sum_on_the_edges_and_draws_every_new_step():
    net, batch = make([2, 2, 1], 9, 2)
    t = trace_mini_batch(net, batch, 1.0)
    sums = [s for s in t.steps if s.kind == "sum_nabla_w"]
    assert sums
    for s in sums:
        g = graph_state(t, s.index)
        for (u, v), e in g.edges.items():
            if e.layer == s.layer:
                assert e.label.endswith("Σ∇ " + signed(float(s.value[e.j, e.k])))
        assert g.writes_edges  # the sum's edges are highlighted
    g = graph_state(t, call_steps(t, 1)[0])
    assert g.targets == tuple(batch[1][1][:, 0]) and g.nodes[node_id(1, 0)].value is None
    for kind in ("backprop", "sum_nabla_b", "sum_nabla_w"):
        step_figure(t, next(s.index for s in t.steps if s.kind == kind))


def test_outline_collapses_each_example_to_its_call_and_steps_into_it():
    net, batch = make([2, 2, 1], 4, 3)
    t = trace_mini_batch(net, batch, 1.0)
    shut = outline(t)
    calls = [s.index for s in t.steps if s.kind == "backprop"]
    assert len(calls) == 3 and set(calls) <= set(shut)
    assert not any(t[i].kind in INSIDE_CALL for i in shut)
    opened = outline(t, {1})
    assert sorted(set(opened) - set(shut)) == [i for i in call_steps(t, 1) if t[i].kind != "backprop"]
    assert outline(t, {0, 1, 2}) == list(range(len(t)))
    single = trace_backprop(net, *batch[0], 1.0)
    assert outline(single) == list(range(len(single)))


def test_json_round_trip_and_explain_of_a_mini_batch():
    p = PRESETS["xor"]
    batch = [(np.array(x, float), np.array(y, float)) for x, y in p.examples]
    t = trace_mini_batch(p.config.network(), batch, p.config.eta)
    back = load_trace(trace_json(t))
    assert back.m == t.m == len(batch)
    for s, r in zip(t.steps, back.steps, strict=True):
        assert (s.kind, s.layer, s.example) == (r.kind, r.layer, r.example)
        np.testing.assert_array_equal(s.value, r.value)
    again = Trace.from_json(t.to_json())
    assert [s.example for s in again.steps] == [s.example for s in t.steps]
    md = explain_markdown(t)
    assert all(f"## Example {e} of {len(batch)}" in md for e in range(1, len(batch) + 1))


def test_load_network_gives_a_saved_mini_batch_and_none_for_one_example():
    p = PRESETS["xor"]
    batch = [(np.array(x, float), np.array(y, float)) for x, y in p.examples]
    cfg, back = load_network(trace_json(trace_mini_batch(p.config.network(), batch, p.config.eta)))
    assert cfg.sizes == list(p.config.sizes) and len(back) == len(batch)
    for (x, y), (bx, by) in zip(batch, back, strict=True):  # column vectors, the engine's shapes
        np.testing.assert_array_equal(bx, x.reshape(-1, 1))
        np.testing.assert_array_equal(by, y.reshape(-1, 1))
    one = trace_backprop(p.config.network(), p.config.x_array, p.config.y_array, p.config.eta)
    assert load_network(trace_json(one))[1] is None
    assert load_network(p.config.model_dump_json())[1] is None


def test_cli_explain_batch_uses_the_preset_data(capsys):
    code, out, _ = run_main(["explain", "--preset", "xor", "--batch", "4", "--json"], capsys)
    assert code == 0
    t = Trace.from_json(out)
    p = PRESETS["xor"]
    ref = trace_mini_batch(p.config.network(), [(np.array(x, float), np.array(y, float)) for x, y in p.examples],
                           p.config.eta)
    for got, want in zip(t.new_weights + t.new_biases, ref.new_weights + ref.new_biases, strict=True):
        np.testing.assert_array_equal(got, want)
    assert_one_line_error(*run_main(["explain", "--batch", str(MAX_EXAMPLES + 1)], capsys))


@pytest.mark.parametrize("batch,says", [([], "1 to 10 examples"), ("many", "Example 1 of the mini-batch is not an"),
                                        ([(np.zeros((2, 1)), np.zeros((1, 1)))] * 11, "got 11"),
                                        ([(np.zeros((2, 1)), np.zeros((1, 1))), (np.zeros((3, 1)), np.zeros((1, 1)))],
                                         "Example 2 of the mini-batch: x"),
                                        ([(np.zeros((2, 1)), np.zeros((1, 1))), 5], "Example 2 of the mini-batch")])
def test_bad_mini_batches_get_one_clear_message(batch, says):
    net = Network([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match=says):
        trace_mini_batch(net, batch, 1.0)


def test_a_version_1_trace_file_still_loads():
    p = PRESETS["seed"]
    t = trace_backprop(p.config.network(), p.config.x_array, p.config.y_array, p.config.eta)
    d = t.to_dict()
    d["version"] = 1
    del d["examples"]
    for s in d["steps"]:
        del s["example"]
    old = Trace.from_dict(d)
    assert [(s.kind, s.layer, s.example) for s in old.steps] == [(s.kind, s.layer, s.example) for s in t.steps]
    back = load_trace(json.dumps(d))
    for s, r in zip(t.steps, back.steps, strict=True):
        np.testing.assert_array_equal(s.value, r.value)
