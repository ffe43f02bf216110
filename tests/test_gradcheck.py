"""gradient_check: backprop agrees with central differences — and the check can fail."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nnviz import Network, get_activation, get_cost
from nnviz.engine.gradcheck import gradient_check

PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic"),
         ("relu", "quadratic")]


def make(sizes, s, act="sigmoid", cost="quadratic"):
    net = Network(sizes, seed=s, activation=act, cost=cost)
    rng = np.random.default_rng([s, 1])
    return net, rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))


def min_abs_z(net, x):
    a, smallest = x, np.inf
    for w, b in zip(net.weights, net.biases, strict=True):
        z = w @ a + b
        smallest = min(smallest, float(np.min(np.abs(z))))
        a = net.activation.fn(z)
    return smallest


@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), s=st.integers(0, 2**32 - 1),
       pair=st.sampled_from(PAIRS))
@example(sizes=[4, 3], s=0, pair=("sigmoid", "quadratic"))
@example(sizes=[2, 3, 2], s=1, pair=("relu", "quadratic"))
def test_gradient_check_passes_for_every_valid_pair(sizes, s, pair):
    net, x, y = make(sizes, s, *pair)
    if pair[0] == "relu":
        assume(min_abs_z(net, x) > 1e-3)  # a finite difference across ReLU's kink is meaningless
    before = [p.copy() for p in net.weights + net.biases]
    check = gradient_check(net, x, y)
    assert check.passed, check
    assert check.max_rel_error < 1e-4
    for p, q in zip(before, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)
    assert [g.shape for g in check.numeric_w] == [w.shape for w in net.weights]
    assert [g.shape for g in check.numeric_b] == [b.shape for b in net.biases]


def test_numeric_gradient_matches_an_independent_difference():
    net, x, y = make([3, 2, 2], 5)
    check = gradient_check(net, x, y)
    h = 1e-6

    def cost(weights):
        a = x
        for w, b in zip(weights, net.biases, strict=True):
            a = 1.0 / (1.0 + np.exp(-(w @ a + b)))
        return 0.5 * float(np.sum((a - y) ** 2))

    for l, j, k in [(0, 1, 2), (1, 0, 1)]:
        plus = [w.copy() for w in net.weights]
        minus = [w.copy() for w in net.weights]
        plus[l][j, k] += h
        minus[l][j, k] -= h
        fd = (cost(plus) - cost(minus)) / (2 * h)
        assert check.numeric_w[l][j, k] == pytest.approx(fd, rel=1e-6, abs=1e-10)
        assert check.nabla_w[l][j, k] == pytest.approx(fd, rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_gradient_check_fails_on_a_wrong_activation_prime(name, monkeypatch):
    net, x, y = make([3, 4, 2], 2, name)
    if name == "relu":
        assert min_abs_z(net, x) > 1e-3
    true = get_activation(name)
    wrong = dataclasses.replace(true, prime=lambda z: 1.1 * true.prime(z) + 0.01,
                                prime_from=lambda z, a: 1.1 * true.prime(z) + 0.01)
    monkeypatch.setattr(net, "activation", wrong)
    check = gradient_check(net, x, y)
    assert not check.passed
    assert "FAILED" in repr(check)
    assert check.max_rel_error > 1e-3


def test_gradient_check_fails_when_the_cost_delta_is_wrong(monkeypatch):
    """The cross-entropy delta (a - y) paired with the quadratic cost is a real, classic bug."""
    net, x, y = make([2, 3, 2], 3)
    wrong = dataclasses.replace(get_cost("quadratic"), delta=get_cost("cross_entropy").delta)
    monkeypatch.setattr(net, "cost", wrong)
    check = gradient_check(net, x, y)
    assert not check.passed
    # both layers are wrong: the error flows back from the output
    assert not all(np.all(p) for p in check.passed_w)
    assert not np.all(check.passed_b[0])


VALUE = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([1e6, -1e6, 1e3, -1e3, 0.0, 1e-6]),
                  st.floats(-3, 3))


@st.composite
def extreme_networks(draw):
    """A valid network and example with any numbers the app allows (|value| <= 1e6)."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    act, cost = draw(st.sampled_from(PAIRS))
    net = Network(sizes, activation=act, cost=cost)

    def arr(shape):
        return np.array(draw(st.lists(VALUE, min_size=int(np.prod(shape)),
                                      max_size=int(np.prod(shape))))).reshape(shape)

    net.weights = [arr(w.shape) for w in net.weights]
    net.biases = [arr(b.shape) for b in net.biases]
    return net, arr((sizes[0], 1)), arr((sizes[-1], 1))


@settings(max_examples=60, deadline=None)
@given(case=extreme_networks())
@example(case=(Network([1, 1]), np.array([[1.0]]), np.array([[1e6]])))
def test_the_check_never_fails_a_correct_backprop_at_extreme_values(case):
    """Every disagreement is within the estimate's own error bound (or at a ReLU kink)."""
    net, x, y = case
    check = gradient_check(net, x, y)
    assert check.failed == 0, check
    assert "FAILED" not in repr(check)


@pytest.mark.parametrize("y", [1.0, 1e6])
def test_a_wrong_backprop_fails_also_for_a_large_target(y, monkeypatch):
    """The error bound does not swallow a 10 % error in sigma' (nor is it one at y = 1e6)."""
    net, x, _ = make([3, 4, 2], 2)
    true = get_activation("sigmoid")
    wrong = dataclasses.replace(true, prime=lambda z: 1.1 * true.prime(z),
                                prime_from=lambda z, a: 1.1 * true.prime(z))
    monkeypatch.setattr(net, "activation", wrong)
    check = gradient_check(net, x, np.full((2, 1), y))
    assert check.failed > 0, check
    assert "FAILED" in repr(check)
