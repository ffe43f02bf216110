"""nnviz.lessons.mistakes: each mistake changes the result; the right side equals an independent
oracle (the seed's own backprop, or finite differences: tests/oracles.py)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.engine.config import random_config
from nnviz.engine.functions import SIGMOID
from nnviz.lessons.conventions import CONVENTIONS
from nnviz.lessons.mistake import Mistake
from nnviz.lessons.mistakes import (MISTAKES, all_mistakes, no_sigma_prime, show_mistake, stale_weights,
                                    wrong_transpose)
from nnviz.engine.presets import PRESETS
from oracles import reference_gradient

sig, sp = SIGMOID.fn, SIGMOID.prime


def case(name):
    cfg = PRESETS[name].config
    return cfg.network(), cfg.x_array, cfg.y_array, cfg.eta


def deep_case(seed=4, cost="quadratic"):
    cfg = random_config([2, 3, 3, 2], seed, cost=cost, eta=2.0)
    return cfg.network(), cfg.x_array, cfg.y_array, cfg.eta


CASES = {"seed": case("seed"), "mazur": case("mazur"), "xor": case("xor"), "deep": deep_case(),
         "deep_ce": deep_case(5, "cross_entropy")}


def forward(net, x):
    acts, zs = [x], []
    for w, b in zip(net.weights, net.biases, strict=True):
        zs.append(w @ acts[-1] + b)
        acts.append(sig(zs[-1]))
    return acts, zs


@pytest.mark.parametrize("which", list(CASES))
@pytest.mark.parametrize("name", list(MISTAKES))
def test_right_side_matches_an_independent_oracle_and_net_is_unchanged(name, which):
    net, x, y, eta = CASES[which]
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    m = show_mistake(name, net, x, y, eta)
    assert isinstance(m, Mistake) and m.name == name
    nb, nw, rtol, atol = reference_gradient(net, x, y)
    for got, want in zip(m.right_nabla_b + m.right_nabla_w, nb + nw, strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    for d, b in zip(m.right_delta, m.right_nabla_b, strict=True):  # m = 1: ∂C/∂b = δ
        np.testing.assert_array_equal(d, b)
    after = net.weights + net.biases
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    assert m.description and m.symptom and m.wrong_code != m.right_code
    assert len(m.layer_diffs) == len(net.weights)


@pytest.mark.parametrize("which", list(CASES))
def test_every_mistake_changes_the_result(which):
    for m in all_mistakes(*CASES[which]):
        assert m.changed, m
        assert m.wrong_layers


def test_stale_weights_by_hand_on_the_seed_network():
    net, x, y, eta = CASES["seed"]
    (w1, w2), (b1, b2) = net.weights, net.biases
    a1 = sig(w1 @ x + b1)
    z2 = w2 @ a1 + b2
    d2 = (sig(z2) - y) * sp(z2)
    w2_new = w2 - eta * (d2 @ a1.T)            # updated too early ...
    d1_wrong = (w2_new.T @ d2) * sp(w1 @ x + b1)  # ... and then used to send δ back
    d1_right = (w2.T @ d2) * sp(w1 @ x + b1)
    m = stale_weights(net, x, y, eta)
    np.testing.assert_allclose(m.wrong_delta[1], d2, rtol=1e-13)
    np.testing.assert_allclose(m.wrong_delta[0], d1_wrong, rtol=1e-13)
    np.testing.assert_allclose(m.wrong_nabla_w[0], d1_wrong @ x.T, rtol=1e-13)
    np.testing.assert_allclose(m.right_delta[0], d1_right, rtol=1e-13)
    assert m.layer_diffs[1] == 0.0 and m.layer_diffs[0] > 1e-4
    assert m.max_abs_diff == pytest.approx(np.max(np.abs(np.hstack([d1_wrong - d1_right,
                                                                      (d1_wrong - d1_right) @ x.T]))))


def test_stale_weights_by_hand_on_a_deeper_network():
    net, x, y, eta = CASES["deep"]
    (w1, w2, w3), (b1, b2, b3) = net.weights, net.biases
    z1 = w1 @ x + b1
    a1 = sig(z1)
    z2 = w2 @ a1 + b2
    a2 = sig(z2)
    z3 = w3 @ a2 + b3
    d3 = (sig(z3) - y) * sp(z3)
    w3_new = w3 - eta * d3 @ a2.T
    d2 = (w3_new.T @ d3) * sp(z2)
    w2_new = w2 - eta * d2 @ a1.T
    d1 = (w2_new.T @ d2) * sp(z1)
    m = stale_weights(net, x, y, eta)
    for got, want in zip(m.wrong_delta, (d1, d2, d3), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert m.wrong_layers == [1, 2]


def test_stale_weights_error_grows_with_eta_and_vanishes_with_it():
    net, x, y, _ = CASES["xor"]
    small, big = stale_weights(net, x, y, 0.1), stale_weights(net, x, y, 1.0)
    assert big.max_abs_diff == pytest.approx(10 * small.max_abs_diff, rel=0.01)  # linear in eta
    assert stale_weights(net, x, y, 1e-12).max_abs_diff < 1e-12


def test_no_sigma_prime_quadratic_output_is_a_minus_y():
    net, x, y, _ = CASES["seed"]
    acts, zs = forward(net, x)
    m = no_sigma_prime(net, x, y)
    np.testing.assert_allclose(m.wrong_delta[-1], acts[-1] - y)
    ratio = m.wrong_delta[-1] / m.right_delta[-1]
    np.testing.assert_allclose(ratio, 1 / sp(zs[-1]))
    assert np.all(ratio >= 4)
    np.testing.assert_allclose(m.wrong_delta[0], net.weights[1].T @ (acts[-1] - y))
    assert all(d > 0 for d in m.layer_diffs)


def test_no_sigma_prime_with_cross_entropy_changes_only_hidden_layers():
    net, x, y, eta = CASES["deep_ce"]
    m = no_sigma_prime(net, x, y, eta)
    assert m.layer_diffs[-1] == 0.0 and all(d > 0 for d in m.layer_diffs[:-1])
    assert any("cross-entropy" in n for n in m.notes)


def test_no_sigma_prime_changes_nothing_without_a_hidden_layer_under_cross_entropy():
    cfg = random_config([2, 1], 0, cost="cross_entropy")
    m = no_sigma_prime(cfg.network(), cfg.x_array, cfg.y_array)
    assert not m.changed  # honest: nothing to forget


def test_wrong_transpose_gives_the_transpose_and_explains_the_shapes():
    net, x, y, eta = CASES["seed"]   # w^1 is 2×3, w^2 is 1×2: neither is square
    m = wrong_transpose(net, x, y, eta)
    for wrong, right in zip(m.wrong_nabla_w, m.right_nabla_w, strict=True):
        assert wrong.shape == right.shape[::-1]
        np.testing.assert_array_equal(wrong.T, right)
    assert m.max_abs_diff == 0.0 and len(m.shape_problems) == 2  # nothing lines up to compare
    assert m.changed and m.wrong_layers == [1, 2]
    layer1, layer2 = m.shape_problems
    assert "2×3" in layer1 and "3×2" in layer1 and "could not be broadcast" in layer1
    assert "broadcasts" in layer2 and "2×2" in layer2  # (1,2) - (2,1) silently becomes (2,2)
    for wrong, right in zip(m.wrong_delta + m.wrong_nabla_b, m.right_delta + m.right_nabla_b, strict=True):
        np.testing.assert_array_equal(wrong, right)


def test_wrong_transpose_on_square_layers_is_silent_but_wrong():
    net, x, y, eta = CASES["mazur"]  # 2-2-2: both weight matrices square
    m = wrong_transpose(net, x, y, eta)
    assert m.shape_problems == () and m.max_abs_diff > 1e-3
    assert sum("square" in n for n in m.notes) == 2
    np.testing.assert_array_equal(m.wrong_nabla_w[1], m.right_nabla_w[1].T)


def test_unknown_mistake_and_bad_eta():
    net, x, y, _ = CASES["seed"]
    with pytest.raises(ValueError, match="stale_weights, no_sigma_prime, wrong_transpose"):
        show_mistake("typo", net, x, y)
    with pytest.raises(ValueError, match="eta"):
        stale_weights(net, x, y, float("nan"))
    with pytest.raises(ValueError, match="shape"):
        stale_weights(net, np.zeros((2, 1)), y)


def test_mistake_values_are_frozen_copies():
    net, x, y, eta = CASES["seed"]
    m = stale_weights(net, x, y, eta)
    with pytest.raises(Exception):
        m.name = "other"
    assert isinstance(m.wrong_delta, tuple) and "stale_weights" in repr(m)


def test_conventions_text():
    for phrase in ("½‖a^L − y‖²", "summed", "not averaged", "from neuron k of layer l−1",
                   "to neuron j of layer l", "no bias"):
        assert phrase in CONVENTIONS


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=4), st.integers(0, 10**6),
       st.sampled_from(["quadratic", "cross_entropy"]), st.floats(0.1, 5))
def test_any_network_right_side_matches_and_stale_keeps_the_output_layer(sizes, seed, cost, eta):
    cfg = random_config(sizes, seed, cost=cost, eta=eta)
    net, x, y = cfg.network(), cfg.x_array, cfg.y_array
    nb, nw, rtol, atol = reference_gradient(net, x, y)
    for m in all_mistakes(net, x, y, eta):
        for got, want in zip(m.right_nabla_b + m.right_nabla_w, nb + nw, strict=True):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
        assert np.isfinite(m.max_abs_diff) and m.max_abs_diff >= 0
    stale = stale_weights(net, x, y, eta)
    assert stale.layer_diffs[-1] == 0.0
    transpose = wrong_transpose(net, x, y, eta)
    for wrong, right in zip(transpose.wrong_nabla_w, transpose.right_nabla_w, strict=True):
        np.testing.assert_array_equal(wrong.T, right)
