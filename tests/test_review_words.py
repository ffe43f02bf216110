"""Words and numbers a lecturer would object to, read across every preset × activation × cost.

Each test checks a sentence the user sees against the maths it states, with numbers from
independent oracles (``tests/oracles.py``: a forward pass and finite differences written
with numpy alone; the seed's own ``update_mini_batch``), never against nnviz's own output.
"""
from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from nnviz.engine.config import Config
from nnviz.engine.functions import ACTIVATIONS
from nnviz.engine.presets import PRESETS
from nnviz.export.walkthrough import UPDATE_TEXT
from nnviz.lessons.mistakes import no_sigma_prime
from nnviz.lessons.predict import check_prediction, pick_target
from nnviz.lessons.vanishing import vanishing_explanation
from nnviz.trace.explain import explain_markdown
from nnviz.trace.minibatch import trace_mini_batch
from nnviz.trace.record import trace_backprop
from oracles import COST, fd_gradient, plain_output
from seed_reference import seed_namespace, seed_network

COMBOS = [(p, a, c) for p in PRESETS for a in ACTIVATIONS
          for c in (("quadratic", "cross_entropy") if a == "sigmoid" else ("quadratic",))]


def config(preset: str, activation: str, cost: str) -> Config:
    return PRESETS[preset].config.replace(activation=activation, cost=cost)


def batch_of(preset: str, cfg: Config, m: int) -> list:
    data = [(np.array(x, float), np.array(y, float)) for x, y in PRESETS[preset].examples]
    return list(itertools.islice(itertools.cycle(data or [(cfg.x_array, cfg.y_array)]), m))


# ---- the update: a sum over the mini-batch, scaled by η/m --------------------------------
@pytest.mark.parametrize("m", [2, 4])
def test_update_sentences_say_the_gradient_is_summed_over_the_batch(m):
    """w ← w − (η/m) Σ_x ∇C_x: with m > 1 a sentence that writes the step as (η/m)·∂C/∂b
    (one gradient, no sum) understates it m-fold.  Oracle: the seed's update_mini_batch."""
    cfg = config("xor", "sigmoid", "quadratic")
    batch = batch_of("xor", cfg, m)
    trace = trace_mini_batch(cfg.network(), batch, cfg.eta)
    seed = seed_network(cfg.sizes, cfg.network().weights, cfg.network().biases, seed_namespace())
    seed.update_mini_batch([(x.copy(), y.copy()) for x, y in batch], cfg.eta)
    for s in trace.steps:
        if s.kind in ("update_w", "update_b"):
            want = (seed.weights if s.kind == "update_w" else seed.biases)[s.layer - 1]
            np.testing.assert_allclose(s.value, want, rtol=0, atol=1e-12)  # the numbers are right ...
            assert "Σ" in s.explanation, s.explanation  # ... and so must the words be
            assert "(η/m)·∂C/∂b" not in s.explanation
            assert "a step of size η/m" not in s.explanation
    assert "a step of size η/m" not in UPDATE_TEXT and "Σ" in UPDATE_TEXT


# ---- the activation step: "squashes" is true of bounded activations only ------------------
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activation_step_never_calls_an_unbounded_activation_a_squash(activation):
    cfg = config("seed", activation, "quadratic")
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    big = float(plain_output([np.array([[1.0]])], [np.array([[0.0]])], activation, np.array([[1e6]]))[0, 0])
    bounded = abs(big) <= 1.0  # oracle: does a huge input come out squashed into a bounded range?
    for s in trace.steps:
        if s.kind == "a":
            assert ("squash" in s.explanation) <= bounded, s.explanation


# ---- forgetting σ′ under the cross-entropy cost ------------------------------------------
@pytest.mark.parametrize("preset", list(PRESETS))
def test_no_sigma_prime_states_the_right_output_error_for_cross_entropy(preset):
    """With cross-entropy and sigmoid outputs δ^L = a − y (σ′ cancels): the description must
    not teach δ^L = (a − y) ⊙ σ′(z^L) there.  Oracle: finite differences of the cost in b^L."""
    cfg = config(preset, "sigmoid", "cross_entropy")
    net = cfg.network()
    nb, _ = fd_gradient(net.weights, net.biases, "sigmoid", "cross_entropy", cfg.x_array, cfg.y_array)
    a = plain_output(net.weights, net.biases, "sigmoid", cfg.x_array)
    np.testing.assert_allclose(nb[-1], a - cfg.y_array, rtol=1e-5, atol=1e-8)  # δ^L = a − y, no σ′
    mk = no_sigma_prime(net, cfg.x_array, cfg.y_array, cfg.eta)
    assert "δ^L = (a − y) ⊙" not in mk.description, mk.description
    assert "δ^L = a − y" in mk.description
    q = no_sigma_prime(config(preset, "sigmoid", "quadratic").network(), cfg.x_array, cfg.y_array, cfg.eta)
    assert "δ^L = (a − y) ⊙ σ′(z^L)" in q.description  # the quadratic cost keeps its σ′


# ---- nnviz explain: the cost it names is the cost it ran --------------------------------
@pytest.mark.parametrize("preset,activation,cost", COMBOS)
def test_explain_names_the_cost_it_computes(preset, activation, cost):
    cfg = config(preset, activation, cost)
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    md = explain_markdown(trace, sig=9)
    head = md.split("## ", 1)[0]
    if cost == "cross_entropy":
        assert "quadratic" not in head, head
        assert "ln" in head
    else:
        assert "½‖a − y‖²" in head
    a = plain_output(cfg.network().weights, cfg.network().biases, activation, cfg.x_array)
    stated = float(re.search(r"Cost of this example before the update: C = .*?\*\*([-0-9.e]+)\*\*", md).group(1))
    assert stated == pytest.approx(COST[cost](a, cfg.y_array), rel=1e-8)


# ---- vanishing gradients: the numbers and the claims --------------------------------------
def oracle_deltas(cfg: Config) -> list:
    """δ^l = ∂C/∂b^l for one example, by central differences (numpy only)."""
    net = cfg.network()
    nb, _ = fd_gradient(net.weights, net.biases, cfg.activation, cfg.cost, cfg.x_array, cfg.y_array)
    return nb


def shown_digits(text: str) -> int:
    return len(text.replace(".", "").lstrip("0"))


@pytest.mark.parametrize("preset,activation,cost", COMBOS)
def test_vanishing_ratios_agree_with_the_words_around_them(preset, activation, cost):
    cfg = config(preset, activation, cost)
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    text = vanishing_explanation(trace)
    deltas = oracle_deltas(cfg)
    true = {l: np.linalg.norm(deltas[l - 1]) / np.linalg.norm(deltas[l]) for l in range(1, len(deltas))}
    stated = dict(re.findall(r"‖δ\^(\d)‖ = ([0-9.]+) × ‖δ\^\d‖", text))
    assert {int(l) for l in stated} == set(true)
    for l, r in stated.items():
        assert float(r) == pytest.approx(true[int(l)], rel=0.06, abs=1e-3)
        assert float(r) != 1.0 or abs(true[int(l)] - 1) < 5e-4, f"{r} × shown for {true[int(l)]}"
    trend = re.search(r"the error (shrinks|grows|changes size)", text).group(1)
    if trend == "grows":
        assert all(float(r) > 1 for r in stated.values()), text
    if trend == "shrinks":
        assert all(float(r) < 1 for r in stated.values()), text
    if "each layer divides the error by 4 or more" in text:
        assert all(t <= 0.25 for t in true.values()), text


def test_a_zero_output_error_is_not_blamed_on_a_perfect_output():
    """A ReLU output with z^L < 0 has δ^L = 0 although a^L = 0 ≠ y: nothing flows back because
    ReLU′(z^L) = 0, not because the output is right."""
    cfg = Config.parse({"sizes": [1, 1, 1], "weights": [[[1.0]], [[-1.0]]], "biases": [[[0.0]], [[0.0]]],
                        "x": [[1.0]], "y": [[1.0]], "eta": 1.0, "activation": "relu"})
    a = plain_output(cfg.network().weights, cfg.network().biases, "relu", cfg.x_array)
    assert a[0, 0] != cfg.y_array[0, 0]  # the output is wrong
    assert np.all(oracle_deltas(cfg)[-1] == 0)  # and still δ^L = 0
    text = vanishing_explanation(trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta))
    assert "output equals the target" not in text, text
    assert "ReLU′" in text


# ---- predict: a rounded value is not written as exact -------------------------------------
def test_verdict_writes_a_rounded_value_with_approx():
    cfg = config("seed", "sigmoid", "quadratic")
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    step = next(s for s in trace.steps if s.kind == "a" and s.layer == 1)
    t = pick_target(step, 0, j=1)
    exact = 1.0 / (1.0 + math.exp(0.31))  # σ(z¹₂) with z¹₂ = −0.31, by hand
    assert t.value == pytest.approx(exact, rel=1e-15)
    for guess in (repr(exact), "0.5"):
        msg = check_prediction(t, guess).message
        shown = re.search(r"a\^1_2 (=|≈) ([-0-9.e]+)", msg)
        assert shown, msg
        assert (shown.group(1) == "=") == (float(shown.group(2)) == exact), msg
    x_step = trace.steps[0]
    msg = check_prediction(pick_target(x_step, 0, j=2), "0.8").message
    assert "a^0_3 = 0.8" in msg  # an exact value keeps its "="


# ---- graph hover: a running sum is labelled as the sum so far ---------------------------
def test_node_hover_labels_the_running_bias_sum_so_far_then_the_whole_batch():
    from nnviz.draw.graph import node_id
    from nnviz.draw.state import graph_state
    cfg = config("xor", "sigmoid", "quadratic")
    batch = batch_of("xor", cfg, 2)
    net = cfg.network()
    per_example = [fd_gradient(net.weights, net.biases, "sigmoid", "quadratic", x, y)[0] for x, y in batch]
    trace = trace_mini_batch(net, batch, cfg.eta)

    def stated(i):
        hover = graph_state(trace, i).nodes[node_id(2, 0)].hover
        return re.search(r"Σ_x ∂C_x/∂b\^2_1 \(([a-z -]+)\) = ([-0-9.e]+)", hover).groups()

    first = next(s.index for s in trace.steps if s.kind == "sum_nabla_b" and s.layer == 2 and s.example == 0)
    label, value = stated(first)
    assert label == "so far" and float(value) == pytest.approx(per_example[0][1][0, 0], rel=1e-6)
    last = next(s.index for s in trace.steps if s.kind == "update_b" and s.layer == 2)
    label, value = stated(last)
    assert label == "mini-batch"
    assert float(value) == pytest.approx(per_example[0][1][0, 0] + per_example[1][1][0, 0], rel=1e-6)


# ---- common mistakes: labels and conventions for the network shown -----------------------
@pytest.mark.parametrize("activation,cost", [("relu", "quadratic"), ("tanh", "quadratic"),
                                             ("sigmoid", "cross_entropy")])
def test_mistakes_panel_speaks_of_the_networks_own_activation_and_cost(activation, cost):
    from apptest_support import make_app
    from nnviz.engine.functions import get_activation
    from nnviz_app.state import encode_config
    at = make_app(cfg=encode_config(config("seed", activation, cost)))
    assert not at.exception
    label = at.toggle(key="ss_mistake_no_sigma_prime").label
    P = get_activation(activation).prime_symbol
    assert P in label and (activation == "sigmoid" or "σ′" not in label), label
    conventions = next(c.value for c in at.caption if c.value.startswith("Conventions used by nnviz"))
    if cost == "cross_entropy":
        assert "quadratic" not in conventions and "ln" in conventions, conventions
    else:
        assert "½‖a^L − y‖²" in conventions


def test_predict_reveal_writes_the_rounded_value_with_approx():
    from apptest_support import make_app
    at = make_app(mode="predict", step="2")  # a¹ = σ(z¹), z¹ = (1.16, −0.31) for the seed
    at.button(key="ss_reveal_2").click().run()
    assert not at.exception
    info = next(e.value for e in at.info if "Revealed without answering" in e.value)
    shown = re.search(r"a\^1\\?_(\d) (=|≈) (-?[0-9]+(?:\.[0-9]+)?)", info)  # md_escape writes \_
    exact = 1.0 / (1.0 + math.exp(-(1.16, -0.31)[int(shown.group(1)) - 1]))
    assert float(shown.group(3)) == pytest.approx(exact, abs=5e-5)
    assert shown.group(2) == "≈", info


# ---- cross-entropy saturation: where σ(z) really rounds to 0 and to 1 --------------------
def test_saturation_note_states_where_the_sigmoid_really_rounds():
    """σ(z) rounds to exactly 1 above z ≈ 36.7 but to exactly 0 only below z ≈ −709.8 (e^−z
    overflows); σ(−40) ≈ 4e−18 is not 0.  Oracle: the sigmoid written here with numpy."""
    from nnviz.engine.functions import CROSS_ENTROPY, saturation_note
    with np.errstate(over="ignore"):
        sigma = lambda z: 1.0 / (1.0 + np.exp(-np.float64(z)))  # noqa: E731
        note = saturation_note(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]), CROSS_ENTROPY)
        hi = float(re.search(r"exactly 1 once z is above about (\d+)", note).group(1))
        lo = -float(re.search(r"exactly 0 once z is below about [−-](\d+)", note).group(1))
        assert sigma(hi + 1) == 1.0 and sigma(hi - 1) < 1.0
        assert sigma(lo - 1) == 0.0 and sigma(lo + 1) > 0.0
        assert sigma(-hi) > 0.0  # the old "|z| above about 37" was wrong for 0


def test_update_animation_title_sums_the_gradients_of_the_batch():
    from nnviz.draw.animation import update_animation_figure
    cfg = config("xor", "sigmoid", "quadratic")
    batch = batch_of("xor", cfg, 2)
    net = cfg.network()
    trace = trace_mini_batch(net, batch, cfg.eta)
    grads = [fd_gradient(net.weights, net.biases, "sigmoid", "quadratic", x, y)[1] for x, y in batch]
    # the rule the title states, computed by hand: w − (η/m)·Σₓ ∂C_x/∂w
    want = net.weights[0] - cfg.eta / 2 * (grads[0][0] + grads[1][0])
    np.testing.assert_allclose(trace.new_weights[0], want, rtol=1e-6, atol=1e-8)
    title = update_animation_figure(trace, n_frames=2).layout.title.text
    assert "(η/m)·Σ" in title and "(η/m)·∇w" not in title, title


def test_exported_header_lists_every_example_of_a_mini_batch():
    from nnviz.export.walkthrough import describe
    cfg = config("xor", "sigmoid", "quadratic")
    batch = batch_of("xor", cfg, 4)
    meta = describe(trace_mini_batch(cfg.network(), batch, cfg.eta))
    assert "m = 4" in meta
    stated = re.findall(r"x = \(([^)]*)\), y = \(([^)]*)\)", meta)
    assert [([float(v) for v in x.split(", ")], float(y)) for x, y in stated] == \
        [(list(x.ravel()), float(y[0, 0])) for x, y in batch]


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_no_sigma_prime_right_code_computes_the_right_output_error(cost):
    """Run the panel's "right way" output line with numpy and compare it with δ^L from finite
    differences: under cross-entropy it must not multiply by sigmoid_prime."""
    cfg = config("mazur", "sigmoid", cost)
    net = cfg.network()
    mk = no_sigma_prime(net, cfg.x_array, cfg.y_array, cfg.eta)
    activations, zs, a = [cfg.x_array], [], cfg.x_array
    for w, b in zip(net.weights, net.biases, strict=True):
        zs.append(w @ a + b)
        a = 1.0 / (1.0 + np.exp(-zs[-1]))
        activations.append(a)
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731

    class Self:
        def cost_derivative(self, out, y):  # the seed's (quadratic) cost_derivative
            return out - y

    ns = {"np": np, "self": Self(), "activations": activations, "zs": zs, "y": cfg.y_array,
          "sigmoid_prime": lambda z: sig(z) * (1 - sig(z))}
    exec(mk.right_code.splitlines()[0], ns)  # noqa: S102 - our own one-line snippet
    want = fd_gradient(net.weights, net.biases, "sigmoid", cost, cfg.x_array, cfg.y_array)[0][-1]
    np.testing.assert_allclose(ns["delta"], want, rtol=1e-5, atol=1e-8)


# ---- every number a one-neuron formula ends with, against numpy by hand ---------------------
SLOPE = {"sigmoid": lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "tanh": lambda z: 1 - np.tanh(z) ** 2,
         "relu": lambda z: (z > 0).astype(float)}


def latex_number(text: str) -> float:
    text = text.strip()
    m = re.fullmatch(r"(-?[0-9.]+)\\times 10\^\{(-?\d+)\}", text)
    return float(m.group(1)) * 10.0 ** int(m.group(2)) if m else float(text)


def independent_values(cfg: Config, batch: list) -> dict:
    """For each example e: z, a, f'(z) per layer by a forward pass written here, and
    ∂C/∂b, ∂C/∂w by central differences (oracles.fd_gradient); then the update."""
    from oracles import ACTIVATION
    net = cfg.network()
    out, sum_b, sum_w = [], None, None
    for x, y in batch:
        zs, acts = [None], [x]
        for w, b in zip(net.weights, net.biases, strict=True):
            zs.append(w @ acts[-1] + b)
            acts.append(ACTIVATION[cfg.activation](zs[-1]))
        nb, nw = fd_gradient(net.weights, net.biases, cfg.activation, cfg.cost, x, y)
        sum_b = nb if sum_b is None else [s + g for s, g in zip(sum_b, nb, strict=True)]
        sum_w = nw if sum_w is None else [s + g for s, g in zip(sum_w, nw, strict=True)]
        out.append({"x": x, "z": zs, "a": acts, "nb": nb, "nw": nw, "sum_b": sum_b, "sum_w": sum_w})
    m = len(batch)
    new_w = [w - cfg.eta / m * g for w, g in zip(net.weights, sum_w, strict=True)]
    new_b = [b - cfg.eta / m * g for b, g in zip(net.biases, sum_b, strict=True)]
    return {"examples": out, "new_w": new_w, "new_b": new_b}


def expected(step, ref, activation) -> float:
    l, j, k = step.layer, step.value.shape[0] - 1, step.value.shape[1] - 1
    e = ref["examples"][step.example] if step.example is not None else None
    return float({
        "input": lambda: e["x"][j, 0], "backprop": lambda: e["x"][j, 0],
        "z": lambda: e["z"][l][j, 0], "a": lambda: e["a"][l][j, 0],
        "sp": lambda: SLOPE[activation](e["z"][l])[j, 0],
        "delta": lambda: e["nb"][l - 1][j, 0], "nabla_b": lambda: e["nb"][l - 1][j, 0],
        "nabla_w": lambda: e["nw"][l - 1][j, k],
        "sum_nabla_b": lambda: e["sum_b"][l - 1][j, 0], "sum_nabla_w": lambda: e["sum_w"][l - 1][j, k],
        "update_w": lambda: ref["new_w"][l - 1][j, k], "update_b": lambda: ref["new_b"][l - 1][j, 0],
    }[step.kind]())


@pytest.mark.parametrize("m", [1, 2, 4])
@pytest.mark.parametrize("preset,activation,cost", COMBOS)
def test_every_scalar_formula_ends_with_the_independently_computed_value(preset, activation, cost, m):
    cfg = config(preset, activation, cost)
    batch = batch_of(preset, cfg, m) if m > 1 else [(cfg.x_array, cfg.y_array)]
    trace = trace_mini_batch(cfg.network(), batch, cfg.eta)
    ref = independent_values(cfg, batch)
    for s in trace.steps:
        j, k = s.value.shape[0] - 1, s.value.shape[1] - 1
        shown = latex_number(s.latex_numbers("scalar", j=j, k=k).rsplit(" = ", 1)[1])
        true = expected(s, ref, activation)
        half_unit = 0.5 * 10.0 ** (np.floor(np.log10(abs(true))) - 3) if true else 0.0
        assert abs(shown - true) <= 1.02 * half_unit + 1e-6 * abs(true) + 1e-9, (s, shown, true)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_note_that_the_seed_writes_sigmoid_sits_only_on_lines_that_do(activation):
    from nnviz.trace.seed_source import SOURCES
    cfg = config("deep", activation, "quadratic")
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    noted = 0
    for s in trace.steps:
        lines = "\n".join(SOURCES[s.code.source].splitlines()[i - 1] for i in s.code.lines)
        if "where the seed writes sigmoid" in s.code.note:
            noted += 1
            assert "sigmoid" in lines, (s, lines)
        elif "sigmoid" in lines:  # and every line that does write it says what nnviz runs
            assert activation in s.code.note.lower() or "ReLU" in s.code.note, (s, s.code.note)
    assert noted > 0


def test_explorer_cost_chart_says_it_plots_the_mean_over_the_presets_examples():
    """XOR steps through its four examples; the chart beside 'Cost on this example' plots the
    mean over all four, and must say so.  Oracle: the mean computed here with numpy."""
    import json
    from apptest_support import make_app
    at = make_app(preset="xor")
    next(b for b in at.button if b.label.startswith("Apply update")).click().run()
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[-1].proto.spec)
    cfg = PRESETS["xor"].config
    net = cfg.network()
    costs = [COST["quadratic"](plain_output(net.weights, net.biases, "sigmoid", np.array(x, float)),
                               np.array(y, float)) for x, y in PRESETS["xor"].examples]
    series = fig["data"][0]
    assert series["y"][0] == pytest.approx(np.mean(costs), rel=1e-12)
    assert series["y"][0] != pytest.approx(costs[0], rel=1e-3)  # not the one example's cost
    assert f"mean cost C over the {len(costs)} examples" in (series["name"], fig["layout"]["yaxis"]["title"]["text"])
