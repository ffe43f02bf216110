"""The engine at the speed floor (issue 13, item 6) keeps its contract.

``update_mini_batch`` no longer scans every parameter for NaN/inf on each call and
``SGD`` scores its epoch once from the kept outputs z^L; these tests pin what must not
change: the seed's numbers (to 1e-12), the precise error for a bad parameter, a failed
call changing nothing, and divergence undoing the epoch.
"""
from __future__ import annotations

import numpy as np
import pytest

from nnviz import Network
from seed_reference import seed_namespace, seed_network

TOL = dict(rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def seed():
    return seed_namespace()


def data(sizes, n, s=0):
    rng = np.random.default_rng(s)
    return [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(n)]


@pytest.mark.parametrize("mbs", [1, 3, 10])
def test_sgd_equals_the_seeds_update_mini_batch_over_the_same_slices(seed, mbs):
    sizes, eta = [4, 5, 3], 2.5
    train = data(sizes, 23)
    net = Network(sizes, seed=7)
    ref = seed_network(sizes, net.weights, net.biases, seed)
    rng_state = np.random.default_rng(11)
    order = np.random.default_rng(11).permutation(len(train))  # SGD's first epoch order
    net.SGD(train, 1, mbs, eta, rng=rng_state)
    shuffled = [train[i] for i in order]
    for k in range(0, len(shuffled), mbs):
        ref.update_mini_batch(shuffled[k:k + mbs], eta)
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(a, b, **TOL)


def test_sgd_history_is_the_cost_and_accuracy_of_each_batchs_forward_pass():
    sizes, eta, mbs = [2, 3, 1], 1.0, 4
    train = data(sizes, 10, 3)
    net, shadow = Network(sizes, seed=2), Network(sizes, seed=2)
    order = np.random.default_rng(5).permutation(len(train))
    hist = net.SGD(train, 1, mbs, eta, rng=np.random.default_rng(5))
    cost = right = 0.0
    for k in range(0, len(train), mbs):  # the oracle: score each batch before its update
        batch = [train[i] for i in order[k:k + mbs]]
        for x, y in batch:
            a = shadow.feedforward(x)
            cost += 0.5 * float(np.sum((a - y) ** 2))
            right += float((a[0, 0] >= 0.5) == (y[0, 0] >= 0.5))
        shadow.update_mini_batch(batch, eta)
    assert hist[0]["cost"] == pytest.approx(cost / len(train), rel=1e-12)
    assert hist[0]["accuracy"] == right / len(train)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_bad_weight_written_in_place_is_named_and_nothing_changes(bad):
    net = Network([3, 2, 1], seed=0)
    net.update_mini_batch(data([3, 2, 1], 2), 1.0)  # the fast path has run once
    net.weights[0][1, 2] = bad  # in place, behind the network's back
    before = [p.copy() for p in net.weights + net.biases]
    x = np.array([[1.0], [2.0], [0.0]])  # x_3 = 0: inf·0 is NaN, still caught
    with pytest.raises(ValueError, match=r"weights\[0\] \(w\^1\) contains NaN or infinity"):
        net.update_mini_batch([(x, np.array([[1.0]]))], 1.0)
    for p, q in zip(before, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)


def test_a_bad_example_is_named():
    net = Network([2, 1], seed=0)
    with pytest.raises(ValueError, match=r"y \(the target\) contains NaN"):
        net.update_mini_batch([(np.zeros((2, 1)), np.zeros((1, 1))), (np.zeros((2, 1)), np.array([[np.nan]]))], 1.0)


def test_weights_given_as_lists_still_work():
    net, ref = Network([2, 2, 1], seed=0), Network([2, 2, 1], seed=0)
    net.weights = [w.tolist() for w in net.weights]
    batch = data([2, 2, 1], 3)
    net.update_mini_batch(batch, 0.5)
    ref.update_mini_batch(batch, 0.5)
    for a, b in zip(net.weights, ref.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_sgd_divergence_raises_and_keeps_the_network_from_before_the_epoch():
    net = Network([1, 1], seed=0, activation="relu")
    net.weights, net.biases = [np.array([[1.0]])], [np.array([[0.0]])]
    net.SGD([(np.array([[2.0]]), np.array([[1.0]]))], 1, 1, 0.1)  # one good epoch
    good = [p.copy() for p in net.weights + net.biases]
    train = [(np.array([[1e200]]), np.array([[0.0]]))]  # ReLU, huge input: ∇w = a·x overflows
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="diverged in epoch 1"):
        net.SGD(train, 3, 1, 100.0)
    for p, q in zip(good, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)


def test_sgd_names_a_bad_example_and_keeps_the_network():
    net = Network([2, 1], seed=0)
    before = [p.copy() for p in net.weights + net.biases]
    train = data([2, 1], 6) + [(np.array([[np.inf], [0.0]]), np.array([[1.0]]))]
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=r"x \(the input\) contains NaN or infinity"):
        net.SGD(train, 2, 3, 1.0)
    for p, q in zip(before, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)
