"""nnviz.Network against the seed notebook's own code (exec'd from the notebook text).

Oracles: the seed's ``Network``/``sigmoid``/``sigmoid_prime`` (tests/seed_reference.py),
per-example loops, central differences, and scalar arithmetic done by hand with math.exp.
"""
from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import nnviz.engine.network
import nnviz.engine.passes
from nnviz import Network, get_activation
from seed_reference import seed_namespace, seed_network

TOL = dict(rtol=1e-12, atol=1e-12)
PROPERTY = settings(max_examples=60, deadline=None)

sizes_st = st.lists(st.integers(1, 6), min_size=2, max_size=5)
seed_st = st.integers(0, 2**32 - 1)


@pytest.fixture(scope="module")
def seed():
    return seed_namespace()


def pair(sizes, seed_ns, seed=0):
    """An nnviz network (default activation/cost) and the seed's, with the same parameters."""
    net = Network(sizes, seed=seed)
    return net, seed_network(sizes, net.weights, net.biases, seed_ns)


def examples(sizes, seed, n=1):
    rng = np.random.default_rng([seed, 1])
    return [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(n)]


def assert_lists_close(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, **TOL)


# ---- the seed's methods, on the same parameters --------------------------------------
@PROPERTY
@given(sizes=sizes_st, s=seed_st)
@example(sizes=[4, 3], s=1)  # one weight layer deep: the hidden-layer loop never runs
@example(sizes=[1, 1], s=2)
def test_feedforward_and_backprop_equal_seed(seed, sizes, s):
    net, ref = pair(sizes, seed, s)
    (x, y), = examples(sizes, s)
    np.testing.assert_allclose(net.feedforward(x), ref.feedforward(x), **TOL)
    nb, nw = net.backprop(x, y)
    rb, rw = ref.backprop(x, y)
    assert_lists_close(nb, rb)
    assert_lists_close(nw, rw)
    a = net.feedforward(x)
    np.testing.assert_allclose(net.cost_derivative(a, y), ref.cost_derivative(a, y), **TOL)


@PROPERTY
@given(sizes=sizes_st, s=seed_st, m=st.integers(1, 6), eta=st.floats(0.01, 5.0))
@example(sizes=[3, 2], s=7, m=4, eta=3.0)
def test_update_mini_batch_equals_seed(seed, sizes, s, m, eta):
    net, ref = pair(sizes, seed, s)
    batch = examples(sizes, s, m)
    net.update_mini_batch(batch, eta)
    ref.update_mini_batch(batch, eta)
    assert_lists_close(net.weights, ref.weights)
    assert_lists_close(net.biases, ref.biases)


@PROPERTY
@given(sizes=sizes_st, s=seed_st, n=st.integers(1, 12))
def test_evaluate_equals_seed(seed, sizes, s, n):
    net, ref = pair(sizes, seed, s)
    rng = np.random.default_rng([s, 2])
    test_data = [(rng.standard_normal((sizes[0], 1)), int(rng.integers(sizes[-1])))
                 for _ in range(n)]
    assert net.evaluate(test_data) == ref.evaluate(test_data)


def test_one_layer_deep_network_equals_seed(seed):
    sizes = [5, 3]
    net, ref = pair(sizes, seed, 11)
    batch = examples(sizes, 11, 3)
    for x, y in batch:
        assert_lists_close(net.backprop(x, y)[1], ref.backprop(x, y)[1])
    net.update_mini_batch(batch, 0.7)
    ref.update_mini_batch(batch, 0.7)
    assert_lists_close(net.weights, ref.weights)


@PROPERTY
@given(sizes=sizes_st, s=seed_st, m=st.integers(1, 6),
       act=st.sampled_from(["sigmoid", "tanh", "relu"]))
def test_batch_update_equals_per_example_sum(sizes, s, m, act):
    """The matrix (columns) form sums exactly what a per-example backprop loop sums."""
    net = Network(sizes, seed=s, activation=act)
    batch = examples(sizes, s, m)
    eta = 0.9
    sum_b = [np.zeros_like(b) for b in net.biases]
    sum_w = [np.zeros_like(w) for w in net.weights]
    for x, y in batch:
        nb, nw = net.backprop(x, y)
        sum_b = [a + d for a, d in zip(sum_b, nb, strict=True)]
        sum_w = [a + d for a, d in zip(sum_w, nw, strict=True)]
    want_w = [w - (eta / m) * g for w, g in zip(net.weights, sum_w, strict=True)]
    want_b = [b - (eta / m) * g for b, g in zip(net.biases, sum_b, strict=True)]
    net.update_mini_batch(batch, eta)
    assert_lists_close(net.weights, want_w)
    assert_lists_close(net.biases, want_b)


def test_update_mini_batch_uses_one_matrix_pass_per_batch(monkeypatch):
    calls = []
    real = nnviz.engine.passes.forward_backward

    def counting(weights, biases, activation, cost, x, y, emit=None):
        calls.append(x.shape)
        return real(weights, biases, activation, cost, x, y, emit)

    monkeypatch.setattr(nnviz.engine.network, "forward_backward", counting)
    net = Network([3, 4, 2], seed=0)
    net.update_mini_batch(examples([3, 4, 2], 0, 7), 1.0)
    assert calls == [(3, 7)]  # one call, the 7 examples as columns
    calls.clear()
    net.SGD(examples([3, 4, 2], 1, 10), epochs=1, mini_batch_size=3, eta=1.0)
    assert sorted(c[1] for c in calls) == [1, 3, 3, 3]  # one call per mini-batch


# ---- SGD ----------------------------------------------------------------------------
def easy_problem(n=40, seed=0):
    """Label 1 when x1 + x2 > 0: linearly separable, learnable by a tiny net."""
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        x = rng.standard_normal((2, 1))
        data.append((x, np.array([[1.0 if x.sum() > 0 else 0.0]])))
    return data


def test_sgd_replay_is_identical():
    data = easy_problem()
    runs = []
    for _ in range(2):
        net = Network([2, 3, 1], seed=5)
        hist = net.SGD(data, epochs=3, mini_batch_size=4, eta=2.0, rng=np.random.default_rng(9))
        runs.append((net, hist))
    (a, ha), (b, hb) = runs
    assert ha == hb
    for wa, wb in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(wa, wb)
    # the default generator is the network's own, seeded by ``seed``
    c, d = Network([2, 3, 1], seed=5), Network([2, 3, 1], seed=5)
    assert c.SGD(data, 2, 5, 1.0) == d.SGD(data, 2, 5, 1.0)
    for wc, wd in zip(c.weights, d.weights, strict=True):
        np.testing.assert_array_equal(wc, wd)


def test_sgd_full_batch_equals_seed_update_mini_batch(seed):
    sizes = [3, 4, 2]
    data = examples(sizes, 3, 9)
    net, ref = pair(sizes, seed, 3)
    net.SGD(data, epochs=2, mini_batch_size=len(data), eta=1.5, rng=np.random.default_rng(0))
    for _ in range(2):
        ref.update_mini_batch(data, 1.5)
    assert_lists_close(net.weights, ref.weights)
    assert_lists_close(net.biases, ref.biases)


def test_sgd_history_falls_on_an_easy_problem():
    net = Network([2, 3, 1], seed=1)
    hist = net.SGD(easy_problem(), epochs=30, mini_batch_size=4, eta=3.0,
                   rng=np.random.default_rng(2))
    costs = [h["cost"] for h in hist]
    assert [h["epoch"] for h in hist] == list(range(1, 31))
    assert costs[-1] < 0.5 * costs[0]
    assert hist[-1]["accuracy"] >= 0.9


def test_sgd_callback_can_stop_training():
    net = Network([2, 2, 1], seed=1)
    hist = net.SGD(easy_problem(), epochs=10, mini_batch_size=5, eta=1.0,
                   callback=lambda entry: entry["epoch"] < 3)
    assert len(hist) == 3


# ---- randomness ---------------------------------------------------------------------
def test_same_seed_same_parameters_different_seed_different():
    a, b, c = Network([3, 5, 2], seed=42), Network([3, 5, 2], seed=42), Network([3, 5, 2], seed=43)
    for p, q in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_global_random_state_is_untouched():
    np.random.seed(123)
    random.seed(123)
    np_state, py_state = np.random.get_state(), random.getstate()
    net = Network([2, 3, 1], seed=None)
    Network([2, 3, 1], seed=7).copy()
    net.SGD(easy_problem(12), epochs=2, mini_batch_size=3, eta=1.0)
    net.update_mini_batch(easy_problem(4), 0.5)
    nnviz.trace_backprop(net, np.zeros((2, 1)), np.ones((1, 1)))
    after = np.random.get_state()
    assert after[0] == np_state[0]
    np.testing.assert_array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    assert random.getstate() == py_state


# ---- activations --------------------------------------------------------------------
def test_sigmoid_is_stable_at_plus_minus_1000():
    z = np.array([[1000.0], [-1000.0], [0.0]])
    sig = get_activation("sigmoid")
    # Overflow, division by zero and invalid operations raise; exp(-1000) quietly
    # underflowing to 0.0 is the correctly rounded result, not a problem.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            a = sig.fn(z)
            sp = sig.prime(z)
    assert not np.any(np.isnan(a)) and not np.any(np.isnan(sp))
    assert a[0, 0] == 1.0 and a[1, 0] == 0.0 and a[2, 0] == 0.5
    assert sp[0, 0] == 0.0 and sp[1, 0] == 0.0 and sp[2, 0] == 0.25


def test_sigmoid_matches_seed_sigmoid(seed):
    z = np.linspace(-30, 30, 121).reshape(-1, 1)
    np.testing.assert_allclose(get_activation("sigmoid").fn(z), seed["sigmoid"](z), rtol=1e-14, atol=0)
    np.testing.assert_allclose(get_activation("sigmoid").prime(z), seed["sigmoid_prime"](z),
                               rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_activation_prime_matches_central_differences(name):
    act = get_activation(name)
    z = np.random.default_rng(0).uniform(-4, 4, 200)
    z = z[np.abs(z) > 1e-3]  # ReLU has a kink at 0
    h = 1e-6
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.prime(z), numeric, rtol=1e-6, atol=1e-9)


# ---- a network small enough to do by hand ---------------------------------------------
def test_1_1_1_network_by_hand():
    w1, b1, w2, b2, x, y, eta = 0.7, -0.3, -1.2, 0.4, 0.5, 1.0, 2.0
    sig = lambda t: 1.0 / (1.0 + math.exp(-t))  # noqa: E731
    z1 = w1 * x + b1
    a1 = sig(z1)
    z2 = w2 * a1 + b2
    a2 = sig(z2)
    d2 = (a2 - y) * a2 * (1 - a2)         # dC/dz2 for C = (a2 - y)^2 / 2
    d1 = w2 * d2 * a1 * (1 - a1)          # back through w2, times sigma'(z1)
    net = Network([1, 1, 1])
    net.weights = [np.array([[w1]]), np.array([[w2]])]
    net.biases = [np.array([[b1]]), np.array([[b2]])]
    X, Y = np.array([[x]]), np.array([[y]])
    assert net.feedforward(X)[0, 0] == pytest.approx(a2, rel=1e-14)
    nb, nw = net.backprop(X, Y)
    assert nb[1][0, 0] == pytest.approx(d2, rel=1e-13)
    assert nw[1][0, 0] == pytest.approx(d2 * a1, rel=1e-13)
    assert nb[0][0, 0] == pytest.approx(d1, rel=1e-13)
    assert nw[0][0, 0] == pytest.approx(d1 * x, rel=1e-13)
    net.update_mini_batch([(X, Y)], eta)
    assert net.weights[0][0, 0] == pytest.approx(w1 - eta * d1 * x, rel=1e-13)
    assert net.weights[1][0, 0] == pytest.approx(w2 - eta * d2 * a1, rel=1e-13)
    assert net.biases[1][0, 0] == pytest.approx(b2 - eta * d2, rel=1e-13)


def test_2_1_network_by_hand_cross_entropy():
    w, b, x, y = (0.3, -0.8), 0.1, (1.5, 0.25), 0.0
    z = w[0] * x[0] + w[1] * x[1] + b
    a = 1.0 / (1.0 + math.exp(-z))
    d = a - y  # cross-entropy with a sigmoid output: sigma'(z) cancels
    net = Network([2, 1], cost="cross_entropy")
    net.weights, net.biases = [np.array([list(w)])], [np.array([[b]])]
    nb, nw = net.backprop(np.array([[x[0]], [x[1]]]), np.array([[y]]))
    assert nb[0][0, 0] == pytest.approx(d, rel=1e-14)
    assert nw[0][0].tolist() == pytest.approx([d * x[0], d * x[1]], rel=1e-14)


# ---- bad input: ValueError naming the problem, never a numpy error -------------------
NUMPY_NOISE = ("broadcast", "operands could not", "inhomogeneous", "setting an array element")


def raises_clear(match, fn, *args, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        fn(*args, **kwargs)
    assert type(info.value) is not FloatingPointError
    msg = str(info.value)
    assert not any(n in msg for n in NUMPY_NOISE), msg
    return msg


@pytest.mark.parametrize("sizes, match", [
    ([3, 0, 1], r"at least 1"), ([3, -2, 1], r"at least 1"), ([3, 2.5, 1], r"whole number"),
    ([3, "two", 1], r"whole numbers"), ([3, None], r"whole numbers"), ([4], r"at least two layers"),
    ([], r"at least two layers"),
])
def test_bad_sizes(sizes, match):
    raises_clear(match, Network, sizes)


def test_unknown_activation_and_cost_and_bad_pair():
    msg = raises_clear(r"Unknown activation 'softmax'", Network, [2, 1], activation="softmax")
    assert "sigmoid" in msg and "tanh" in msg and "relu" in msg
    msg = raises_clear(r"Unknown cost 'hinge'", Network, [2, 1], cost="hinge")
    assert "quadratic" in msg and "cross_entropy" in msg
    msg = raises_clear(r"cross-entropy", Network, [2, 1], activation="tanh", cost="cross_entropy")
    assert "tanh" in msg and "sigmoid" in msg


@pytest.mark.parametrize("method", ["backprop", "batch", "feedforward"])
def test_wrong_x_shape(method):
    net = Network([3, 2, 2], seed=0)
    y = np.zeros((2, 1))
    for x in (np.zeros((4, 1)), np.zeros(3), np.zeros((1, 3))):
        if method == "backprop":
            msg = raises_clear(r"x \(the input\) must have shape \(3, 1\)", net.backprop, x, y)
        elif method == "batch":
            msg = raises_clear(r"x \(the input\) must have shape \(3, 1\)",
                               net.update_mini_batch, [(np.zeros((3, 1)), y), (x, y)], 1.0)
        else:
            if x.ndim == 2 and x.shape[0] == 3:
                continue
            msg = raises_clear(r"input must have shape \(3, 1\)", net.feedforward, x)
        assert str(x.shape) in msg


def test_wrong_y_shape():
    net = Network([3, 2, 2], seed=0)
    x = np.zeros((3, 1))
    for y in (np.zeros((3, 1)), np.zeros(2), np.zeros((2, 2))):
        msg = raises_clear(r"y \(the target\) must have shape \(2, 1\)", net.backprop, x, y)
        assert str(y.shape) in msg
    raises_clear(r"mini-batch is empty", net.update_mini_batch, [], 1.0)


def test_wrong_weight_shapes_and_counts():
    net = Network([3, 2, 1], seed=0)
    x, y = np.zeros((3, 1)), np.zeros((1, 1))
    net.weights[0] = np.zeros((3, 2))  # transposed
    raises_clear(r"weights\[0\] \(w\^1\) must have shape \(2, 3\); got shape \(3, 2\)", net.backprop, x, y)
    net = Network([3, 2, 1], seed=0)
    net.biases[1] = np.zeros(1)
    raises_clear(r"biases\[1\] \(b\^2\) must have shape \(1, 1\)", net.update_mini_batch, [(x, y)], 1.0)
    net = Network([3, 2, 1], seed=0)
    net.weights = net.weights[:1]
    raises_clear(r"needs 2 weight matrices", net.feedforward, x)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_rejected(bad):
    net = Network([2, 2, 1], seed=0)
    x, y = np.zeros((2, 1)), np.zeros((1, 1))
    net.weights[1][0, 1] = bad
    raises_clear(r"weights\[1\] \(w\^2\) contains NaN or infinity", net.backprop, x, y)
    net = Network([2, 2, 1], seed=0)
    net.biases[0][1, 0] = bad
    raises_clear(r"biases\[0\] \(b\^1\) contains NaN or infinity", net.update_mini_batch, [(x, y)], 1.0)
    net = Network([2, 2, 1], seed=0)
    raises_clear(r"x \(the input\) contains NaN", net.backprop, np.array([[bad], [0.0]]), y)
    raises_clear(r"y \(the target\) contains NaN", net.backprop, x, np.array([[bad]]))


def test_bad_sgd_arguments():
    net = Network([2, 1], seed=0)
    data = easy_problem(4)
    raises_clear(r"epochs must be a whole number", net.SGD, data, 0, 2, 1.0)
    raises_clear(r"mini_batch_size must be a whole number", net.SGD, data, 1, 1.5, 1.0)
    raises_clear(r"eta must be a finite number", net.SGD, data, 1, 2, float("nan"))
