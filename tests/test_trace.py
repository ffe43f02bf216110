"""trace_backprop: what it records equals what the engine (and the seed's code) computes.

Oracles: ``Network.backprop``/``update_mini_batch`` on copies; the seed's own source text
(the notebook's In [8] cell) evaluated on each step's inputs; Matt Mazur's published
figures for his 2-2-2 example.
"""
from __future__ import annotations

import copy
import re
import textwrap

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nnviz import Network, Trace, get_activation, trace_backprop
from nnviz.engine.presets import MAZUR_PUBLISHED, PRESETS
from nnviz.trace.seed_source import BACKPROP, SOURCES, UPDATE_MINI_BATCH
from oracles import plain_output, reference_gradient, steps_of_one_call
from seed_reference import seed_method_source, seed_namespace, seed_network

PROPERTY = settings(max_examples=40, deadline=None)
PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic"),
         ("relu", "quadratic")]

sizes_st = st.lists(st.integers(1, 5), min_size=2, max_size=5)
seed_st = st.integers(0, 2**32 - 1)
pair_st = st.sampled_from(PAIRS)


def make(sizes, s, act="sigmoid", cost="quadratic"):
    net = Network(sizes, seed=s, activation=act, cost=cost)
    rng = np.random.default_rng([s, 1])
    x = rng.standard_normal((sizes[0], 1))
    y = rng.uniform(0, 1, (sizes[-1], 1))
    return net, x, y


def batch_of(sizes, s, m):
    rng = np.random.default_rng([s, 2])
    return [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(m)]


def snapshot(net):
    return {"sizes": list(net.sizes), "num_layers": net.num_layers, "activation": net.activation,
            "cost": net.cost, "ids": [id(a) for a in net.weights + net.biases],
            "params": copy.deepcopy(net.weights + net.biases),
            "rng": copy.deepcopy(net.rng.bit_generator.state),
            "attrs": sorted(vars(net))}


def assert_same_snapshot(a, b):
    params_a, params_b = a.pop("params"), b.pop("params")
    assert a == b
    for p, q in zip(params_a, params_b, strict=True):
        np.testing.assert_array_equal(p, q)


# ---- values ------------------------------------------------------------------------
@PROPERTY
@given(sizes=sizes_st, s=seed_st, pair=pair_st)
@example(sizes=[3, 2], s=0, pair=("sigmoid", "quadratic"))
def test_trace_gradient_equals_an_independent_oracle_and_leaves_network_untouched(sizes, s, pair):
    net, x, y = make(sizes, s, *pair)
    before = snapshot(net)
    t = trace_backprop(net, x, y, eta=0.8)
    assert_same_snapshot(before, snapshot(net))
    nb, nw, rtol, atol = reference_gradient(net, x, y)  # the seed's backprop, or finite differences
    for got, want in zip(t.nabla_b + t.nabla_w, nb + nw, strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    np.testing.assert_allclose(t.output, plain_output(net.weights, net.biases, pair[0], x), rtol=1e-13)


@PROPERTY
@given(sizes=sizes_st, s=seed_st, pair=pair_st, m=st.integers(1, 5))
def test_update_steps_equal_update_mini_batch_on_a_copy(sizes, s, pair, m):
    net, x, y = make(sizes, s, *pair)
    eta = 1.3
    # m = 1: the traced example alone
    t = trace_backprop(net, x, y, eta)
    ref = net.copy()
    ref.update_mini_batch([(x, y)], eta)
    assert t.m == 1
    for got, want in zip(t.new_weights + t.new_biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    # a mini-batch: the traced example plus others
    batch = [(x, y)] + batch_of(sizes, s, m)
    t = trace_backprop(net, x, y, eta, batch=batch)
    ref = net.copy()
    ref.update_mini_batch(batch, eta)
    assert t.m == m + 1
    for got, want in zip(t.new_weights + t.new_biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    for s_ in t.steps:
        if s_.kind.startswith("update"):
            assert float(s_.reads["m"]) == m + 1 and float(s_.reads["eta"]) == eta


def test_trace_of_seed_network_equals_seed_backprop():
    ns = seed_namespace()
    cfg = PRESETS["seed"].config
    net = cfg.network()
    ref = seed_network(cfg.sizes, net.weights, net.biases, ns)
    t = trace_backprop(net, cfg.x_array, cfg.y_array, cfg.eta)
    rb, rw = ref.backprop(cfg.x_array, cfg.y_array)
    for got, want in zip(t.nabla_b + t.nabla_w, rb + rw, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    ref.update_mini_batch([(cfg.x_array, cfg.y_array)], cfg.eta)
    for got, want in zip(t.new_weights + t.new_biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---- structure -------------------------------------------------------------------------
def expected_kinds(L):
    fwd = [("input", 0)] + [(k, l) for l in range(1, L + 1) for k in ("z", "a")]
    back = [("delta", L), ("nabla_b", L), ("nabla_w", L)]
    back += [(k, l) for l in range(L - 1, 0, -1) for k in ("sp", "delta", "nabla_b", "nabla_w")]
    upd = [("update_w", l) for l in range(1, L + 1)] + [("update_b", l) for l in range(1, L + 1)]
    return fwd, back, upd


@pytest.mark.parametrize("sizes", [[2, 1], [3, 2, 1], [2, 3, 3, 2], [1, 2, 2, 2, 1]])
def test_step_order_and_count(sizes):
    net, x, y = make(sizes, 3)
    t = trace_backprop(net, x, y)
    L = len(sizes) - 1
    fwd, back, upd = expected_kinds(L)
    assert len(t) == (1 + 2 * L) + (3 + 4 * (L - 1)) + 2 * L
    assert [(s.kind, s.layer) for s in t.steps] == fwd + back + upd
    assert [s.index for s in t.steps] == list(range(len(t)))
    assert [s.phase for s in t.steps] == (["forward"] * len(fwd) + ["backward"] * len(back)
                                          + ["update"] * len(upd))
    writes = [s.writes for s in t.steps]
    assert len(set(writes)) == len(writes)  # every value is written once


@PROPERTY
@given(sizes=sizes_st, s=seed_st, pair=pair_st)
def test_known_holds_exactly_what_has_been_written(sizes, s, pair):
    net, x, y = make(sizes, s, *pair)
    t = trace_backprop(net, x, y, eta=0.5)
    L = len(sizes) - 1
    base = {"x", "y", "eta", "m"} | {f"{p}^{l}" for p in "wb" for l in range(1, L + 1)}
    written: dict = {}
    for i, step in enumerate(t.steps):
        k = t.known(i)
        # every read is an input or a value written by an earlier step, with that very value
        for name, val in step.reads.items():
            if name.startswith("sum_nabla_"):  # summed over the batch: nabla itself for m = 1
                np.testing.assert_array_equal(val, written[name.removeprefix("sum_")])
                continue
            assert name in base or name in written, (i, name)
            np.testing.assert_array_equal(val, written[name] if name in written else t.known(0)[name])
        written[step.writes] = step.value
        extra = {n for n in k if n.startswith("sum_nabla_")}
        assert set(k) - extra == base | set(written)
        for name, val in written.items():
            np.testing.assert_array_equal(k[name], val)
        future = {s.writes for s in t.steps[i + 1:]}
        assert not future & set(k)
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True), start=1):
        np.testing.assert_array_equal(t.known(0)[f"w^{l}"], w)
        np.testing.assert_array_equal(t.known(0)[f"b^{l}"], b)


# ---- JSON -------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(sizes=sizes_st, s=seed_st, pair=pair_st, m=st.integers(0, 3))
def test_json_round_trip(sizes, s, pair, m):
    net, x, y = make(sizes, s, *pair)
    batch = [(x, y)] + batch_of(sizes, s, m) if m else None
    t = trace_backprop(net, x, y, eta=0.37, batch=batch)
    text = t.to_json()
    u = Trace.from_json(text)
    assert (u.sizes, u.activation, u.cost, u.eta, u.m) == (t.sizes, t.activation, t.cost, t.eta, t.m)
    for a, b in zip([u.x, u.y] + u.weights + u.biases, [t.x, t.y] + t.weights + t.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(u) == len(t)
    for a, b in zip(u.steps, t.steps, strict=True):
        assert (a.index, a.kind, a.layer, a.writes, a.phase, a.title, a.code) == \
               (b.index, b.kind, b.layer, b.writes, b.phase, b.title, b.code)
        assert a.value.shape == b.value.shape
        np.testing.assert_array_equal(a.value, b.value)
        assert a.reads.keys() == b.reads.keys()
        for key in a.reads:
            np.testing.assert_array_equal(a.reads[key], b.reads[key])
        assert a.latex() == b.latex()
        assert a.latex("scalar") == b.latex("scalar")
        assert a.latex_numbers() == b.latex_numbers()
    assert u.to_json() == text


# ---- the seed's code lines -----------------------------------------------------------------
def seed_functions(activation: str, ns: dict) -> dict:
    """sigmoid/sigmoid_prime: the seed's own, or bound to the activation nnviz runs instead."""
    if activation == "sigmoid":
        return {"sigmoid": ns["sigmoid"], "sigmoid_prime": ns["sigmoid_prime"]}
    act = get_activation(activation)
    return {"sigmoid": act.fn, "sigmoid_prime": act.prime}


def evaluate_seed_expr(step, env: dict):
    """``step.code.expr`` with every seed name in ``code.args`` replaced by the step's value."""
    expr = step.code.expr
    local = dict(env)
    for i, name in enumerate(sorted(step.code.args, key=len, reverse=True)):
        placeholder = f"__{i}__"
        expr, n = re.subn(rf"(?<![\w.]){re.escape(name)}(?!\w)", placeholder, expr)
        assert n >= 1, f"{name!r} does not occur in {step.code.expr!r}"
        local[placeholder] = step.reads[step.code.args[name]]
    return eval(expr, {"__builtins__": {}}, local)  # unknown names raise NameError


def normalise(code: str) -> str:
    lines = [line.rstrip().removesuffix("\\") for line in code.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("sizes", [[3, 2, 1], [2, 1], [2, 3, 4, 2]])
def test_each_step_is_what_its_seed_line_computes(activation, sizes):
    ns = seed_namespace()
    net, x, y = make(sizes, 17, activation)
    t = trace_backprop(net, x, y, eta=2.5, batch=[(x, y)] + batch_of(sizes, 17, 2))
    self_ = seed_network(sizes, net.weights, net.biases, ns)  # offers the seed's cost_derivative
    env = {"np": np, "self": self_, **seed_functions(activation, ns)}
    for step in t.steps:
        got = evaluate_seed_expr(step, env)
        assert np.shape(got) == step.value.shape, step
        np.testing.assert_allclose(got, step.value, rtol=1e-12, atol=1e-14, err_msg=repr(step))
        lines = SOURCES[step.code.source].splitlines()
        assert all(1 <= n <= len(lines) for n in step.code.lines)
        shown = normalise("\n".join(lines[n - 1] for n in step.code.lines))
        assert normalise(step.code.expr) in shown, (step, shown)
        # the note says what nnviz runs where the seed's line writes sigmoid (not on the hidden δ
        # line, which multiplies by sp)
        raw = "\n".join(lines[n - 1] for n in step.code.lines)
        assert bool(step.code.note) == (activation != "sigmoid" and "sigmoid" in raw), (step, raw)


def test_cross_entropy_output_line_carries_a_note_and_still_holds():
    """With C = cross-entropy, cost_derivative is (a-y)/(a(1-a)); times sigma'(z) it is a - y."""
    ns = seed_namespace()
    net, x, y = make([3, 2, 2], 4, "sigmoid", "cross_entropy")
    t = trace_backprop(net, x, y)
    step = next(s for s in t.steps if s.kind == "delta" and s.layer == 2)
    assert "cross-entropy" in step.code.note

    class Self:
        cost_derivative = staticmethod(net.cost.derivative)

    got = evaluate_seed_expr(step, {"np": np, "self": Self(), **seed_functions("sigmoid", ns)})
    np.testing.assert_allclose(got, step.value, rtol=1e-9)


def test_seed_source_is_the_notebook_text():
    def norm(code):
        lines = [line.rstrip() for line in textwrap.dedent(code).splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    assert norm(BACKPROP) == norm(seed_method_source("backprop"))
    assert norm(UPDATE_MINI_BATCH) == norm(seed_method_source("update_mini_batch"))


# ---- Mazur's published example -----------------------------------------------------------
def published_tolerance(value: float) -> float:
    """Half a unit in the last published decimal place (plus float slack)."""
    decimals = len(repr(value).split(".")[1])
    assert decimals >= 8
    return 0.5 * 10.0 ** -decimals * (1 + 1e-9)


@pytest.fixture(scope="module")
def mazur():
    cfg = PRESETS["mazur"].config
    return cfg, trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


def test_mazur_published_figures(mazur):
    cfg, t = mazur
    P = MAZUR_PUBLISHED
    got = {"out_o1": t.output[0, 0], "out_o2": t.output[1, 0], "E_total": t.cost_value}
    w1, w2 = t.new_weights  # Mazur's w1..w4 are w^1 row by row, w5..w8 are w^2
    for name, (l, j, k) in {"w1": (0, 0, 0), "w2": (0, 0, 1), "w3": (0, 1, 0), "w4": (0, 1, 1),
                            "w5": (1, 0, 0), "w6": (1, 0, 1), "w7": (1, 1, 0), "w8": (1, 1, 1)}.items():
        got[name] = (w1, w2)[l][j, k]
    assert set(got) == set(P)
    for name, value in P.items():
        assert abs(got[name] - value) <= published_tolerance(value), (name, got[name], value)


def test_hidden_delta_uses_the_old_weights(mazur):
    cfg, t = mazur
    step = {(s.kind, s.layer): s for s in t.steps}
    delta2, sp1, delta1 = step["delta", 2].value, step["sp", 1].value, step["delta", 1].value
    old_w2, new_w2 = t.weights[1], t.new_weights[1]
    np.testing.assert_array_equal(step["delta", 1].reads["w^2"], old_w2)
    np.testing.assert_allclose(delta1, (old_w2.T @ delta2) * sp1, rtol=1e-15)
    wrong = (new_w2.T @ delta2) * sp1
    assert not np.allclose(wrong, delta1, rtol=1e-6, atol=0)
    # and the published w1 tells the two apart
    wrong_w1 = t.weights[0][0, 0] - cfg.eta * wrong[0, 0] * cfg.x_array[0, 0]
    assert abs(wrong_w1 - MAZUR_PUBLISHED["w1"]) > published_tolerance(MAZUR_PUBLISHED["w1"])
    assert abs(t.new_weights[0][0, 0] - MAZUR_PUBLISHED["w1"]) <= published_tolerance(MAZUR_PUBLISHED["w1"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=5), st.integers(0, 99))
def test_number_of_steps_follows_from_the_sizes(sizes, seed):
    """As many steps as the seed's code runs operations (counted by hand in oracles.py)."""
    net = Network(sizes, seed=seed)
    x, y = np.full((sizes[0], 1), 0.5), np.full((sizes[-1], 1), 0.25)
    assert len(trace_backprop(net, x, y, 1.0)) == steps_of_one_call(sizes)
