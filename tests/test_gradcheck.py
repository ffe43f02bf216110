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


def _net(sizes, act, cost, weights, biases) -> Network:
    net = Network(sizes, activation=act, cost=cost)
    net.weights, net.biases = [np.array(w) for w in weights], [np.array(b) for b in biases]
    return net


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
@example(case=(_net([1, 2, 1], "sigmoid", "cross_entropy", [[[1e3], [1e-6]], [[-999999.0, 1e-6]]],
                    [[[-999999.0], [1e-6]], [[1e-6]]]), np.array([[1e-6]]), np.array([[184355.0]])))
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


def test_a_far_off_cross_entropy_target_counts_the_rounding_of_its_two_large_terms():
    """y = 184355 against a ≈ 0.5: C = -[y ln a + (1-y) ln(1-a)] ≈ 0.69 is the difference
    of two terms of ≈ 1.3e5, so C is known only to ≈ 1e-11, and a derivative of ≈ 5e-8
    moves it by less than that over any usable step: the finite difference reads 0 and the
    check must say that is within its error, not that backprop is wrong (found by
    hypothesis)."""
    net = _net([1, 2, 1], "sigmoid", "cross_entropy", [[[1e3], [1e-6]], [[-999999.0, 1e-6]]],
               [[[-999999.0], [1e-6]], [[1e-6]]])
    x, y = np.array([[1e-6]]), np.array([[184355.0]])
    z = np.array([[1.5e-6]])
    size = get_cost("cross_entropy").size_z(z, 1 / (1 + np.exp(-z)), y, get_activation("sigmoid"))
    assert size == pytest.approx((184355 + 184354) * np.log(2), rel=1e-5)  # by hand: both terms ≈ y·ln 2
    check = gradient_check(net, x, y)
    assert check.failed == 0, check
    # at h the difference is all rounding, so the check takes the step whose bound is
    # smallest — a larger one, where the derivative does show — and agrees there
    assert check.steps_w[0][1, 0] > 1e-5
    assert abs(check.numeric_w[0][1, 0] - check.nabla_w[0][1, 0]) <= check.noise_w[0][1, 0]
    # by hand: δ² = a - y ≈ 0.5 - 184355, δ¹₂ = w²₁₂·δ²·σ′(z¹₂ ≈ 1e-6) ≈ 1e-6·δ²·0.25, ∂C/∂w¹₂₁ = δ¹₂·x
    assert check.numeric_w[0][1, 0] == pytest.approx(1e-6 * (0.5 - 184355.0) * 0.25 * 1e-6, rel=1e-2)


@settings(max_examples=200, deadline=None)
@given(z=st.floats(-40, 40), y=st.floats(0, 1) | st.floats(-1e6, 1e6))
def test_the_size_of_the_cross_entropys_terms(z, y):
    """For a target in 0..1 both terms are ≥ 0: their size is C itself; off it, at least |C|."""
    cost, sig = get_cost("cross_entropy"), get_activation("sigmoid")
    zz, yy = np.array([[z]]), np.array([[y]])
    a = sig.fn(zz)
    c, size = cost.fn_z(zz, a, yy, sig), cost.size_z(zz, a, yy, sig)
    if 0 <= y <= 1:
        assert size == pytest.approx(c, rel=1e-12, abs=1e-300)
    assert size >= abs(c) * (1 - 1e-12)
