"""The gradient check of a mini-batch (issue 13): central differences of the cost summed over
the m examples, against the running sums nabla_b / nabla_w after the m-th example — the
numbers the mini-batch view shows and the seed's update_mini_batch multiplies by eta/m.

Oracles: the seed's own backprop and update_mini_batch (tests/seed_reference.py), and central
differences of a forward pass written with numpy alone (tests/oracles.py: its cost sums over
every column, so the examples as columns give the summed cost)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnviz import Network, get_activation, trace_mini_batch
from nnviz.engine.config import Config
from nnviz.engine.gradcheck import gradient_check, gradient_check_batch
from nnviz.engine.presets import PRESETS
from oracles import fd_gradient
from seed_reference import seed_namespace, seed_network
from test_gradcheck import PAIRS, VALUE, extreme_networks, min_abs_z

XOR = [(np.array(x, dtype=float), np.array(y, dtype=float)) for x, y in PRESETS["xor"].examples]


def random_batch(sizes, m, s):
    rng = np.random.default_rng([s, 7])
    return [(rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))) for _ in range(m)]


def last_sums(trace, p: str) -> list:
    """The running sums Σ∇p after the last example, read from the trace's sum steps."""
    L = len(trace.sizes) - 1
    last = {s.layer: s.value for s in trace.steps if s.kind == f"sum_nabla_{p}"}
    return [last[l] for l in range(1, L + 1)]


def test_xor_batch_against_the_seed_and_the_views_running_sums():
    cfg = PRESETS["xor"].config
    net = cfg.network()
    check = gradient_check_batch(net, XOR)
    assert check.passed and check.m == len(XOR), check
    # backprop's side is exactly the running sums the mini-batch view steps to
    trace = trace_mini_batch(net, XOR, cfg.eta)
    for got, shown in zip(check.nabla_w + check.nabla_b, last_sums(trace, "w") + last_sums(trace, "b"),
                          strict=True):
        np.testing.assert_array_equal(got, shown)
    # ... and the seed's: the sum of its backprop over the examples
    seed = seed_network(cfg.sizes, net.weights, net.biases, seed_namespace())
    sum_b = [np.zeros(b.shape) for b in net.biases]
    sum_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in XOR:
        nb, nw = seed.backprop(x, y)
        sum_b = [a + b for a, b in zip(sum_b, nb, strict=True)]
        sum_w = [a + b for a, b in zip(sum_w, nw, strict=True)]
    for got, want in zip(check.nabla_w + check.nabla_b, sum_w + sum_b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # the finite differences are of the summed cost: an independent difference agrees
    x = np.hstack([x for x, _ in XOR])
    y = np.hstack([y for _, y in XOR])
    fd_b, fd_w = fd_gradient(net.weights, net.biases, "sigmoid", "quadratic", x, y)
    for got, want in zip(check.numeric_w + check.numeric_b, fd_w + fd_b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


def test_eta_over_m_times_the_checked_gradient_is_the_seeds_update():
    """The view's update, w − (η/m)·Σ∇w, from the finite differences alone equals the seed's
    update_mini_batch (to the finite differences' accuracy): the check is of what is applied."""
    cfg = PRESETS["xor"].config
    net = cfg.network()
    batch = XOR[1:4]
    check = gradient_check_batch(net, batch)
    seed = seed_network(cfg.sizes, net.weights, net.biases, seed_namespace())
    seed.update_mini_batch(batch, cfg.eta)
    m = len(batch)
    for p, g, want in zip(net.weights + net.biases, check.numeric_w + check.numeric_b,
                          seed.weights + seed.biases, strict=True):
        np.testing.assert_allclose(p - (cfg.eta / m) * g, want, rtol=1e-8, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), m=st.integers(1, 5),
       s=st.integers(0, 2**32 - 1), pair=st.sampled_from(PAIRS))
def test_batch_check_agrees_with_independent_differences(sizes, m, s, pair):
    net = Network(sizes, seed=s, activation=pair[0], cost=pair[1])
    batch = random_batch(sizes, m, s)
    if pair[0] == "relu" and min(min_abs_z(net, x) for x, _ in batch) < 1e-3:
        return  # a difference across ReLU's kink is no oracle (the kink's own test is below)
    before = [p.copy() for p in net.weights + net.biases]
    check = gradient_check_batch(net, batch)
    assert check.passed and check.m == m, check
    x = np.hstack([x for x, _ in batch])
    y = np.hstack([y for _, y in batch])
    fd_b, fd_w = fd_gradient(net.weights, net.biases, pair[0], pair[1], x, y)
    for got, want in zip(check.nabla_w + check.nabla_b, fd_w + fd_b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for p, q in zip(before, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(p, q)  # the network is unchanged


def test_a_batch_of_one_is_the_single_example_check():
    net = Network([3, 4, 2], seed=3)
    (x, y), = random_batch([3, 4, 2], 1, 3)
    one, single = gradient_check_batch(net, [(x, y)]), gradient_check(net, x, y)
    assert one.m == single.m == 1
    for a, b in zip(one.numeric_w + one.nabla_w + one.numeric_b, single.numeric_w + single.nabla_w
                    + single.numeric_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_wrong_backprop_fails_the_batch_check(monkeypatch):
    net = Network([3, 4, 2], seed=2)
    true = get_activation("sigmoid")
    wrong = dataclasses.replace(true, prime=lambda z: 1.1 * true.prime(z),
                                prime_from=lambda z, a: 1.1 * true.prime(z))
    monkeypatch.setattr(net, "activation", wrong)
    check = gradient_check_batch(net, random_batch([3, 4, 2], 3, 2))
    assert check.failed > 0 and "FAILED" in repr(check) and "summed cost of 3 examples" in repr(check)


@pytest.mark.parametrize("batch,message", [
    ([], "empty"),
    (5, "list of (x, y) pairs"),
    ([(np.zeros((2, 1)), np.zeros((1, 1))), (np.zeros((3, 1)), np.zeros((1, 1)))], "Example 2 of the mini-batch"),
    ([(np.zeros((2, 1)), np.zeros((1, 1))), "xy"], "Example 2 of the mini-batch is not an (x, y) pair"),
    ([(np.array([[np.nan], [0.0]]), np.zeros((1, 1)))], "Example 1 of the mini-batch"),
])
def test_bad_mini_batches_are_named(batch, message):
    with pytest.raises(ValueError, match=None) as err:
        gradient_check_batch(Network([2, 2, 1], seed=0), batch)
    assert message in str(err.value)


def scaled_mazur(scale: float, **changes) -> Config:
    d = PRESETS["mazur"].config.model_dump()
    for key in ("weights", "biases"):
        d[key] = [np.clip(np.array(v) * scale, -1e6, 1e6).tolist() for v in d[key]]
    return Config.parse({**d, **changes})


HOSTILE = [(np.array([[0.05], [0.10]]), np.array([[0.01], [0.99]])),
           (np.array([[1e6], [-3.0]]), np.array([[0.5], [1e6]])),
           (np.array([[0.0], [0.0]]), np.array([[0.0], [1.0]]))]


@pytest.mark.parametrize("changes", [dict(activation="relu"), dict(cost="cross_entropy"), dict()])
def test_extreme_parameters_and_examples_are_not_called_failures(changes):
    """Parameters at the 1e6 limit with inputs and targets at it: a correct backprop is never
    FAILED; what cannot be resolved is counted as such (and so named by the app)."""
    cfg = scaled_mazur(1e6, **changes)
    check = gradient_check_batch(cfg.network(), HOSTILE)
    assert check.passed, check
    assert all(np.all(np.isfinite(g)) for g in check.nabla_w + check.nabla_b)


def test_a_wrong_backprop_still_fails_at_the_limit(monkeypatch):
    from nnviz.engine.functions import QUADRATIC
    net = scaled_mazur(1e6, activation="relu").network()
    monkeypatch.setattr(net, "cost", dataclasses.replace(
        QUADRATIC, delta=lambda z, a, y, act: 1.5 * (a - y) * act.prime_from(z, a)))
    assert gradient_check_batch(net, HOSTILE[:1] + [(HOSTILE[0][0] * 2, HOSTILE[0][1])]).failed > 0


@st.composite
def extreme_batches(draw):
    """A network with any numbers the app allows (test_gradcheck's), and 2-3 such examples."""
    net, x, y = draw(extreme_networks())

    def column(n):
        return arrays(np.float64, (n, 1), elements=VALUE)
    more = draw(st.lists(st.tuples(column(net.sizes[0]), column(net.sizes[-1])), min_size=1, max_size=2))
    return net, [(x, y), *more]


@settings(max_examples=40, deadline=None)
@given(case=extreme_batches())
def test_the_batch_check_never_fails_a_correct_backprop_at_extreme_values(case):
    net, batch = case
    check = gradient_check_batch(net, batch)
    assert check.failed == 0, check


# ---- the app: the check of the mini-batch in the URL ------------------------------------
XOR_URL = "0,0;0|0,1;1|1,0;1|1,1;0"


def check_expander(at):
    (exp,) = [e for e in at.expander if e.label.startswith("Gradient check")]
    return exp


def test_app_checks_the_mini_batch_in_use():
    from apptest_support import make_app
    at = make_app(preset="xor", batch=XOR_URL)
    assert not at.exception
    exp = check_expander(at)
    said = " ".join(m.value for m in exp.markdown).replace("\\", "")
    assert "m = 4 examples" in said and "C = C₁ + C₂ + C₃ + C₄" in said and "after example 4" in said
    verdict = " ".join(m.value for m in exp.success).replace("\\", "")
    assert "9 of 9 derivatives of the summed cost of the 4 examples agree with backprop's running sums" in verdict
    # the table's backprop column: the seed's backprop summed over XOR's four examples
    cfg = PRESETS["xor"].config
    net = cfg.network()
    seed = seed_network(cfg.sizes, net.weights, net.biases, seed_namespace())
    sums = {}
    for x, y in XOR:
        nb, nw = seed.backprop(x, y)
        for l, (b, w) in enumerate(zip(nb, nw, strict=True), start=1):
            for (j, k), v in np.ndenumerate(w):
                sums[f"w^{l}_{j + 1}{k + 1}"] = sums.get(f"w^{l}_{j + 1}{k + 1}", 0.0) + v
            for (j, _), v in np.ndenumerate(b):
                sums[f"b^{l}_{j + 1}"] = sums.get(f"b^{l}_{j + 1}", 0.0) + v
    rows = [r for df in exp.dataframe for r in df.value.to_dict("records")]
    assert sorted(r["parameter"] for r in rows) == sorted(sums)
    for r in rows:
        assert float(r["backprop Σₓ ∂Cₓ/∂p"].replace("−", "-")) == pytest.approx(sums[r["parameter"]],
                                                                                  rel=1e-7, abs=1e-12)
        assert r["ok"] == "✓"


def test_app_without_a_batch_checks_the_one_example():
    from apptest_support import make_app
    at = make_app(preset="xor")
    exp = check_expander(at)
    said = " ".join(m.value for m in exp.markdown)
    assert "one example" in said and "m = " not in said
    assert "derivatives of the cost agree with backprop (" in " ".join(m.value for m in exp.success)
    assert "backprop ∂C/∂p" in exp.dataframe[0].value.columns


def test_app_check_of_a_hostile_mini_batch_says_what_happened():
    from apptest_support import make_app
    from nnviz_app.state import encode_config
    batch = "|".join(",".join(f"{v:g}" for v in x.ravel()) + ";" + ",".join(f"{v:g}" for v in y.ravel())
                     for x, y in HOSTILE)
    at = make_app(cfg=encode_config(scaled_mazur(1e6, activation="relu")), batch=batch)
    assert not at.exception
    exp = check_expander(at)
    verdict = " ".join(m.value for m in exp.success)
    assert "FAILED" not in " ".join(m.value for m in exp.error)
    assert "summed cost of the 3 examples" in verdict
    assert "own error bound" in verdict and "the check cannot resolve them" in verdict


def test_a_kink_in_one_example_of_the_batch_is_named_not_failed():
    """1-1-1 ReLU where example 1 puts z¹ exactly at 0 (every step straddles ReLU's kink) and
    example 2 does not: the check says which derivatives it could not check, and passes."""
    from test_honesty import relu_kink_net
    net, x, y = relu_kink_net(0.0)
    check = gradient_check_batch(net, [(x, y), (2 * x, y)])
    assert check.passed and check.n_kink >= 1 and check.kink_w[0][0, 0], check
    assert "across ReLU's kink" in repr(check) and "summed cost of 2 examples" in repr(check)


def test_app_names_a_kink_in_the_mini_batch():
    from apptest_support import make_app
    from nnviz_app.state import encode_config
    from test_honesty import relu_kink_net
    net, x, y = relu_kink_net(0.0)
    cfg = Config.parse({"sizes": [1, 1, 1], "activation": "relu", "cost": "quadratic", "eta": 0.5,
                        "weights": [w.tolist() for w in net.weights], "biases": [b.tolist() for b in net.biases],
                        "x": x.tolist(), "y": y.tolist()})
    at = make_app(cfg=encode_config(cfg), batch="1;0|2;0")
    assert not at.exception
    verdict = " ".join(m.value for m in check_expander(at).success)
    assert "summed cost of the 2 examples" in verdict and "could not be checked at ReLU's kink" in verdict
