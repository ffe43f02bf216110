"""Honest numbers for every choice the app offers (issue 13, item 5).

Each test fails on the code before its fix: tanh's threshold and heatmap range, the
gradient check near ReLU's kink and next to a huge cost, and cross-entropy saturation.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz import Network, gradient_check
from nnviz.engine.config import Config
from nnviz.engine.functions import CROSS_ENTROPY, QUADRATIC, get_activation, saturation_note
from nnviz.engine.presets import PRESETS
from nnviz.lessons.training import label_targets, train
from nnviz.lessons.training_figures import decision_boundary_figure
from nnviz.trace.record import trace_backprop


def one_neuron(activation: str, w: float = 1.0, b: float = 0.0) -> Network:
    net = Network([2, 1], seed=0, activation=activation)
    net.weights, net.biases = [np.array([[w, 0.0]])], [np.array([[b]])]
    return net


def sign_data():
    """Label 1 where x1 > 0: the net a = act(x1) separates it exactly at x1 = 0."""
    xs = np.linspace(-0.9, 0.9, 10)
    return [(np.array([[v], [0.3]]), np.array([[float(v > 0)]])) for v in xs]


def test_tanh_accuracy_uses_its_own_midpoint():
    net, data = one_neuron("tanh"), sign_data()
    # the oracle: tanh(x1) >= 0 exactly when x1 >= 0, so every point is right
    expected = np.mean([(x[0, 0] >= 0) == (y[0, 0] == 1) for x, y in data])
    assert expected == 1.0
    assert net.accuracy(label_targets(data, net.activation)) == expected
    # training reports the same measure: with eta tiny the parameters barely move
    hist = train(net, data, 1, len(data), 1e-9, seed=0)
    assert hist[0]["accuracy"] == expected


def test_label_targets_are_the_ends_of_tanhs_range():
    (_, y0), (_, y1) = label_targets([(None, [[0]]), (None, [[1]])], get_activation("tanh"))
    assert (y0[0, 0], y1[0, 0]) == (-1.0, 1.0)
    with pytest.raises(ValueError, match="Example 1: a label must be 0 or 1"):
        label_targets([(None, [[0.5]])], get_activation("tanh"))


def test_tanh_decision_boundary_figure_spans_minus_one_to_one_with_the_boundary_at_zero():
    net, data = one_neuron("tanh"), sign_data()
    fig = decision_boundary_figure(net, data, resolution=21)
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax) == (-1.0, 1.0)
    contour = next(t for t in fig.data if t.type == "contour")
    assert contour.contours.start == contour.contours.end == 0.0
    assert "100.0% of 10 points" in fig.layout.title.text


def test_sigmoid_boundary_unchanged():
    fig = decision_boundary_figure(one_neuron("sigmoid"), sign_data(), resolution=21)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0.0, 1.0)


def relu_kink_net(z1: float) -> tuple[Network, np.ndarray, np.ndarray]:
    """1-1-1 ReLU: z1 = w·1 + b = ``z1``, then a2 = ReLU(2·a1 + 0.5)."""
    net = Network([1, 1, 1], seed=0, activation="relu")
    net.weights = [np.array([[1.0]]), np.array([[2.0]])]
    net.biases = [np.array([[z1 - 1.0]]), np.array([[0.5]])]
    return net, np.array([[1.0]]), np.array([[0.0]])


def test_gradient_check_shrinks_its_step_off_relus_kink():
    net, x, y = relu_kink_net(3e-7)  # inside the default step 1e-5
    check = gradient_check(net, x, y)
    assert check.passed and check.n_kink == 0, check
    assert check.steps_w[0][0, 0] < 3e-7  # a step that keeps z1 on its side
    # the independent value: dC/dw1 = (a2 - y) * 2 * x with z1 > 0 on both sides
    a2 = 2 * 3e-7 + 0.5
    assert check.numeric_w[0][0, 0] == pytest.approx(a2 * 2 * 1.0, rel=1e-6)


def test_gradient_check_names_an_exact_kink_instead_of_failing():
    net, x, y = relu_kink_net(0.0)  # z1 exactly 0: every step straddles
    check = gradient_check(net, x, y)
    assert check.passed, check
    assert check.n_kink >= 1 and check.kink_w[0][0, 0]
    assert "across ReLU's kink" in repr(check)


def scaled(name: str, scale: float, **changes) -> Config:
    d = PRESETS[name].config.model_dump()
    for key in ("weights", "biases"):
        d[key] = [np.clip(np.array(m) * scale, -1e6, 1e6).tolist() for m in d[key]]
    return Config.parse({**d, **changes})


@pytest.mark.parametrize("changes", [dict(activation="relu"), dict(cost="cross_entropy")])
def test_gradient_check_of_a_correct_backprop_at_the_parameter_limit(changes):
    """Mazur's net with every parameter ×1e6 (the limit): the old check failed 6 (ReLU, the
    cost ~1e23 swamps a step of 1e-5) or 12 of 12 (cross-entropy, ln 0 = -inf) derivatives."""
    cfg = scaled("mazur", 1e6, **changes)
    check = gradient_check(cfg.network(), cfg.x_array, cfg.y_array)
    assert check.passed, check


def test_gradient_check_still_fails_a_wrong_backprop_at_the_limit(monkeypatch):
    import dataclasses
    cfg = scaled("mazur", 1e6, activation="relu")
    net = cfg.network()
    monkeypatch.setattr(net, "cost", dataclasses.replace(
        QUADRATIC, delta=lambda z, a, y, act: 1.5 * (a - y) * act.prime_from(z, a)))
    assert gradient_check(net, cfg.x_array, cfg.y_array).failed > 0


def test_saturated_cross_entropy_cost_is_computed_from_z():
    cfg = scaled("mazur", 1e3, cost="cross_entropy")
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert set(trace.output.ravel()) == {1.0}  # both outputs rounded to exactly 1
    z = next(s.value for s in trace.steps if s.kind == "z" and s.layer == 2).ravel()
    y = cfg.y_array.ravel()
    # C = sum_j -y ln σ(z) - (1-y) ln(1-σ(z)); for z > 40, ln(1 - σ(z)) = -z - ln(1 + e^-z) ≈ -z
    expected = sum((1 - yj) * zj + math.log1p(math.exp(-zj)) for zj, yj in zip(z, y, strict=True))
    assert trace.cost_value == pytest.approx(expected, rel=1e-12)
    assert trace.cost_value < 1e10  # not 1.8e308 from nan_to_num
    assert CROSS_ENTROPY.fn(trace.output, trace.y) == math.inf  # from a alone: honestly infinite
    note = saturation_note(trace.output, trace.y, CROSS_ENTROPY)
    assert note and "a^L_1 = 1" in note and "a^L_2 = 1" in note
    assert np.all(np.isfinite(trace.nabla_w[0])) and np.all(np.isfinite(trace.nabla_w[1]))


def test_no_saturation_note_for_ordinary_outputs():
    cfg = PRESETS["mazur"].config.replace(cost="cross_entropy")
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert saturation_note(trace.output, trace.y, CROSS_ENTROPY) is None


def test_app_says_which_derivatives_the_check_could_not_resolve():
    from apptest_support import make_app
    from nnviz_app.state import encode_config
    at = make_app(cfg=encode_config(scaled("mazur", 1e6, activation="relu")))
    assert not at.exception
    verdict = " ".join(s.value for s in at.success)
    assert "Gradient check passed" in verdict and "FAILED" not in " ".join(e.value for e in at.error)
    assert "own rounding error" in verdict  # the unresolvable ones are named, not failed
