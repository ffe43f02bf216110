"""Streamlit AppTest: the self-study panels (predict-then-reveal, checks, mistakes, training)."""
from __future__ import annotations


import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnviz.trace.numfmt import bmatrix, fmt
from nnviz.lessons.predict import pick_target
from nnviz.engine.presets import MAZUR_PUBLISHED, PRESETS
from nnviz.trace.record import trace_backprop
from nnviz_app.panels import two_lines
from nnviz_app.state import encode_config

from apptest_support import latex_shown, make_app, player_data




def trace_of(cfg):
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)



def guess_box(at):
    boxes = [t for t in at.text_input if (t.key or "").startswith("ss_guess_")]
    return boxes[0] if boxes else None


def predict(at, step: int, text: str) -> AppTest:
    guess_box(at).input(text)
    return at.button(key=f"ss_check_{step}").click().run()


def expander(at, prefix: str):
    found = [e for e in at.expander if e.label.startswith(prefix)]
    return found[0] if found else None


def score(at) -> dict:
    return dict(at.session_state["ss_score"])


# ---- predict, then reveal ----------------------------------------------------------
SEED_TRACE = trace_of(PRESETS["seed"].config)


def test_a_correct_prediction_scores_once_and_reveals_the_numbers():
    step = SEED_TRACE[1]
    target = pick_target(step, rng=1)
    at = make_app(mode="predict", step="1")
    assert not at.exception
    assert two_lines(step.latex_numbers()) not in latex_shown(at), "the numbers stay hidden until answered"
    assert any(target.latex in m.value for m in at.markdown), "the prompt names the entry to predict"
    predict(at, 1, fmt(target.value, 5))
    assert not at.exception
    assert at.success and "Right" in at.success[0].value and "Counted as right within" in at.success[0].value
    assert score(at) == {"attempted": 1, "correct": 1}
    assert two_lines(step.latex_numbers()) in latex_shown(at), "revealed: the equation shows its numbers"
    assert guess_box(at) is None, "an answered step cannot be answered (and scored) again"
    metric = next(m for m in at.metric if m.label == "Score")
    assert metric.value == "1 / 1"
    at.run()
    assert score(at) == {"attempted": 1, "correct": 1}


def test_a_wrong_prediction_does_not_score_and_shows_the_correct_computation():
    step = SEED_TRACE[5]  # the output error
    target = pick_target(step, rng=5)
    at = make_app(mode="predict", step="5")
    predict(at, 5, fmt(target.value + 0.5, 5))
    assert not at.exception
    assert at.error and "Not quite" in at.error[0].value
    assert score(at) == {"attempted": 1, "correct": 0}
    shown = latex_shown(at)
    assert two_lines(step.latex_numbers("scalar", target.j, target.k or 0)) in shown, "the right computation"
    assert two_lines(step.latex_numbers()) in shown


@pytest.mark.parametrize("text", ["banana", "1/3", "12%", ""])
def test_unreadable_text_warns_keeps_the_text_and_is_not_scored(text):
    step = SEED_TRACE[3]
    at = make_app(mode="predict", step="3")
    predict(at, 3, text)
    assert not at.exception
    assert at.warning and "decimal number" in at.warning[0].value
    assert not at.error and not any("Right" in e.value for e in at.success)
    assert score(at) == {"attempted": 0, "correct": 0}
    assert guess_box(at) is not None and guess_box(at).value == text, "nothing typed is lost"
    assert two_lines(step.latex_numbers()) not in latex_shown(at), "still hidden"
    # ... and a readable answer afterwards is scored normally.
    predict(at, 3, fmt(pick_target(step, rng=3).value, 6))
    assert score(at) == {"attempted": 1, "correct": 1}


def test_hints_come_formula_first_then_numbers_and_reveal_is_not_scored():
    at = make_app(mode="predict", step="3")
    assert not at.info
    at.button(key="ss_hint_3").click().run()
    assert len(at.info) == 1 and "Hint" in at.info[0].value
    at.button(key="ss_hint_3").click().run()
    assert len(at.info) == 2 and "Plug in" in at.info[1].value
    assert at.button(key="ss_hint_3").disabled
    at.button(key="ss_reveal_3").click().run()
    assert not at.exception
    assert score(at) == {"attempted": 0, "correct": 0}
    assert at.session_state["ss_skipped"] == 1
    assert two_lines(SEED_TRACE[3].latex_numbers()) in latex_shown(at)


def test_the_input_step_needs_no_prediction():
    at = make_app(mode="predict", step="0")
    assert not at.exception and guess_box(at) is None
    assert two_lines(SEED_TRACE[0].latex_numbers()) in latex_shown(at)


# ---- checks below the explorer -------------------------------------------------------
@pytest.mark.parametrize("activation,cost", [("sigmoid", "quadratic"), ("tanh", "quadratic"),
                                             ("relu", "quadratic"), ("sigmoid", "cross_entropy")])
def test_gradient_check_passes_for_every_activation_and_cost(activation, cost):
    cfg = PRESETS["seed"].config.replace(activation=activation, cost=cost)
    at = make_app(cfg=encode_config(cfg))
    assert not at.exception
    assert at.session_state["ui"]["cfg"] == cfg
    panel = expander(at, "Gradient check")
    assert panel is not None and not panel.proto.expanded
    assert panel.success and "passed" in panel.success[0].value and not panel.error
    tables = [t.value for t in panel.dataframe]
    assert len(tables) == 2, "one table per layer"
    assert sum(len(t) for t in tables) == 8 + 3  # 3·2 + 2·1 weights, 2 + 1 biases
    assert all((t["ok"] == "✓").all() for t in tables)


def test_mazur_reference_check_shows_every_published_figure_ticked():
    at = make_app(preset="mazur")
    assert not at.exception
    panel = expander(at, "Reference check")
    assert panel is not None
    assert panel.success and "All 11" in panel.success[0].value
    table = panel.dataframe[0].value
    assert list(table["figure"]) == list(MAZUR_PUBLISHED)
    assert (table["agree"] == "✓").all()


def test_reference_check_only_for_the_unedited_mazur_preset():
    assert expander(make_app(), "Reference check") is None
    edited = PRESETS["mazur"].config.replace(eta=0.25)
    assert expander(make_app(preset="mazur", cfg=encode_config(edited)), "Reference check") is None


@pytest.mark.parametrize("name", ["stale_weights", "no_sigma_prime", "wrong_transpose"])
def test_a_mistake_toggle_shows_the_wrong_way_and_leaves_the_right_path_unchanged(name):
    cfg = PRESETS["seed"].config
    trace = trace_of(cfg)
    at = make_app(step="0")
    before = latex_shown(at)
    panel = expander(at, "Common mistakes")
    assert panel.caption and "Conventions" in panel.caption[0].value
    right_w1 = bmatrix(trace.nabla_w[0])
    assert not any(right_w1 in s for s in before)
    at.toggle(key=f"ss_mistake_{name}").set_value(True).run()
    assert not at.exception
    after = latex_shown(at)
    new = [s for s in after if s not in before]
    assert len(new) == 2, "the wrong way and the right way, side by side"
    wrong, right = new
    assert wrong != right, "the mistake changes the shown result"
    assert right_w1 in right and bmatrix(trace.nabla_w[1]) in right, "right = the explorer's values"
    assert r"\color" in wrong
    assert after[:len(before)] == before, "the explorer's own equation is unchanged"
    assert at.session_state["ui"]["cfg"] is None, "the network is unchanged"
    panel = expander(at, "Common mistakes")
    text = " ".join(m.value for m in panel.markdown)
    assert "Largest" in text
    if name == "wrong_transpose":  # 3-2-1: no square layer, so both layers have a shape problem
        assert len(panel.warning) == 2 and "Layer 1" in panel.warning[0].value
    at.toggle(key=f"ss_mistake_{name}").set_value(False).run()
    assert latex_shown(at) == before


# ---- training ------------------------------------------------------------------------
def test_training_xor_with_the_recipe_reaches_95_percent_and_the_cost_falls():
    at = make_app(mode="train")
    assert not at.exception
    assert at.selectbox(key="ss_tr_dataset").value == "xor"
    assert at.number_input(key="ss_tr_epochs").value == 100
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    untrained = charts[1].proto.spec
    at.button(key="ss_tr_train").click().run()
    assert not at.exception
    run = at.session_state["ss_train"]
    history = run["history"]
    assert run["epochs_done"] == 100 and len(history) == 100
    assert history[-1]["accuracy"] >= 0.95
    assert history[-1]["cost"] < 0.5 * history[0]["cost"]
    assert np.mean([h["cost"] for h in history[-10:]]) < np.mean([h["cost"] for h in history[:10]])
    assert at.session_state["ss_tr_job"] is None
    charts = at.get("plotly_chart")
    assert len(charts) == 2 and charts[1].proto.spec != untrained
    assert "Epoch 100" in charts[1].proto.spec
    assert at.info and "Trained 100 epochs" in at.info[0].value
    assert not at.button(key="ss_tr_continue").disabled and at.button(key="ss_tr_stop").disabled
    # Continue resumes from the trained network.
    at.number_input(key="ss_tr_epochs").set_value(10).run()
    at.button(key="ss_tr_continue").click().run()
    assert not at.exception
    run = at.session_state["ss_train"]
    assert run["epochs_done"] == 110 and [h["epoch"] for h in run["history"]] == list(range(1, 111))
    # Step into one backprop call of the trained network.
    at.number_input(key="ss_tr_example").set_value(3).run()
    at.button(key="ss_tr_step_into").click().run()
    assert not at.exception
    ui = at.session_state["ui"]
    assert ui["mode"] == "explore" and ui["step"] == 0
    cfg = ui["cfg"]
    assert cfg.sizes == [2, 3, 1] and cfg.eta == 3.0
    assert np.allclose(cfg.weights[0], run["weights"][0])
    data = player_data(at)  # the explorer's player got the trained network's walk-through
    assert data["step"] == 0 and len(data["wt"]["steps"]) == len(trace_of(cfg))


@pytest.mark.parametrize("key,value,words", [("ss_tr_epochs", 0, "Epochs must be a whole number from 1"),
                                             ("ss_tr_n", 10**9, "dataset size n must be"),
                                             ("ss_tr_eta", -1.0, "learning rate"),
                                             ("ss_tr_batch", 0, "mini-batch size")])
def test_bad_training_input_gives_a_message_and_loses_nothing(key, value, words):
    at = make_app(mode="train")
    before = {k: at.number_input(key=k).value for k in ("ss_tr_epochs", "ss_tr_eta", "ss_tr_batch", "ss_tr_n")}
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert at.error and any(words in e.value for e in at.error)
    assert at.button(key="ss_tr_train").disabled
    assert at.number_input(key=key).value == value, "what was typed stays, to be corrected"
    others = {k: at.number_input(key=k).value for k in before if k != key}
    assert others == {k: v for k, v in before.items() if k != key}
    assert at.session_state["ss_train"] is None if "ss_train" in at.session_state else True
    at.number_input(key=key).set_value(before[key]).run()
    assert not at.error and not at.button(key="ss_tr_train").disabled
