"""The deep presets: δ shrinks layer by layer under the sigmoid, not under ReLU (issue 13,
item 4), and the explanation states this network's numbers.

Oracles: the seed's own ``backprop`` (for one example nabla_b^l = δ^l) for the sigmoid,
and central differences of the cost with respect to the biases (∂C/∂b^l = δ^l) for ReLU.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from apptest_support import make_app
from nnviz.engine.gradcheck import gradient_check
from nnviz.engine.presets import PRESETS
from nnviz.lessons.vanishing import delta_profile, vanishing_explanation
from nnviz.trace.record import trace_backprop
from seed_reference import seed_namespace, seed_network


def trace_of(name):
    cfg = PRESETS[name].config
    return cfg, trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


def stated_ratios(text: str) -> dict[int, float]:
    """{l: r} from the sentence's "‖δ^l‖ = r × ‖δ^(l+1)‖" parts."""
    return {int(l): float(r) for l, r in re.findall(r"‖δ\^(\d)‖ = ([0-9.]+) × ‖δ\^\d‖", text)}


def oracle_ratios(deltas: list) -> dict[int, float]:
    """‖δ^l‖ / ‖δ^(l+1)‖ for l = 1 .. L-1 from δ^1 .. δ^L (list index l-1)."""
    norms = [float(np.linalg.norm(d)) for d in deltas]
    return {l: norms[l - 1] / norms[l] for l in range(1, len(norms))}


def test_sigmoid_delta_shrinks_by_the_stated_factors():
    cfg, trace = trace_of("deep")
    ref = seed_network(cfg.sizes, cfg.network().weights, cfg.network().biases, seed_namespace())
    seed_deltas, _ = ref.backprop(cfg.x_array, cfg.y_array)
    want = oracle_ratios(seed_deltas)
    assert len(want) == len(cfg.sizes) - 2 == 3
    assert all(r < 1 for r in want.values())  # shrinks at every step back
    text = vanishing_explanation(trace)
    said = stated_ratios(text)
    assert said.keys() == want.keys()
    for l, r in want.items():
        assert said[l] == pytest.approx(r, rel=0.05)  # printed to 2 significant digits
    total = float(np.linalg.norm(seed_deltas[0]) / np.linalg.norm(seed_deltas[-1]))
    assert total < 0.01
    m = re.search(r"so ‖δ\^1‖ is ([0-9.]+) × ‖δ\^4‖ \(about 1/(\d+)\)", text)
    assert m and float(m.group(1)) == pytest.approx(total, rel=0.05)
    assert int(m.group(2)) == pytest.approx(1 / total, rel=0.05)
    assert "shrinks" in text and "at most 0.25" in text


def test_relu_contrast_keeps_delta_and_says_so():
    cfg, trace = trace_of("deep_relu")
    check = gradient_check(cfg.network(), cfg.x_array, cfg.y_array)
    assert check.passed and check.n_kink == 0
    want = oracle_ratios(check.numeric_b)  # dC/db^l = δ^l, by finite differences
    total = float(np.prod(list(want.values())))
    assert 0.5 < total < 2  # no vanishing: same weights, only the activation differs
    said = stated_ratios(vanishing_explanation(trace))
    for l, r in want.items():
        assert said[l] == pytest.approx(r, rel=0.05)
    hidden = sum(cfg.sizes[1:-1])
    assert f"({hidden} of the {hidden} hidden neurons here)" in vanishing_explanation(trace)


def test_the_two_presets_differ_only_in_the_activation():
    a, b = PRESETS["deep"].config.model_dump(), PRESETS["deep_relu"].config.model_dump()
    assert (a.pop("activation"), b.pop("activation")) == ("sigmoid", "relu")
    assert a == b


@pytest.mark.parametrize("name", ["deep", "deep_relu", "seed", "mazur"])
def test_each_step_ratio_is_within_its_bound(name):
    _, trace = trace_of(name)
    for r in delta_profile(trace)[1:]:
        w = trace.weights[r.layer]  # w^(l+1)
        assert r.w_norm == pytest.approx(np.sqrt(np.max(np.linalg.eigvalsh(w @ w.T))), rel=1e-9)
        assert r.ratio <= r.bound * (1 + 1e-12)


def test_app_shows_the_explanation_and_switches_to_relu_and_back():
    at = make_app(preset="deep")
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "the error shrinks" in shown
    at.button(key="depth_switch").click().run()
    assert not at.exception
    assert at.session_state.ui["preset"] == "deep_relu"
    assert "12 of the 12 hidden neurons here" in " ".join(m.value for m in at.markdown)
    at.button(key="depth_switch").click().run()
    assert at.session_state.ui["preset"] == "deep"
