"""nnviz.lessons.predict: targets, reading a guess, the tolerance, hints and the score."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.trace.numfmt import fmt
from nnviz.lessons.predict import (DEFAULT_ABS_TOL, DEFAULT_REL_TOL, Hint, Score, Target, Verdict,
                           check_prediction, hints, parse_number, pick_target, tolerance)
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop


def preset_trace(name):
    cfg = PRESETS[name].config
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


SEED = preset_trace("seed")
MAZUR = preset_trace("mazur")


def target(value, symbol="δ^2_1"):
    return Target(0, "delta", 2, 0, None, float(value), symbol, r"\delta^{2}_{1}", "test")


def step_of(trace, kind, layer):
    return next(s for s in trace.steps if s.kind == kind and s.layer == layer)


# ---- pick_target ---------------------------------------------------------------------
@pytest.mark.parametrize("i", range(len(SEED.steps)))
def test_pick_target_names_an_entry_of_every_step(i):
    step = SEED.steps[i]
    t = pick_target(step, rng=i)
    assert t.step_index == step.index and t.kind == step.kind and t.layer == step.layer
    assert 0 <= t.j < step.value.shape[0]
    if step.kind in ("nabla_w", "update_w"):
        assert 0 <= t.k < step.value.shape[1]
        assert t.value == step.value[t.j, t.k]
    else:
        assert t.k is None and t.value == step.value[t.j, 0]
    assert t.symbol and t.latex and t.description
    assert pick_target(step, rng=i) == t  # a seed makes it repeatable


def test_symbols_count_from_one():
    assert pick_target(step_of(SEED, "delta", 2), j=0).symbol == "δ^2_1"
    assert pick_target(step_of(SEED, "z", 1), j=1).symbol == "z^1_2"
    t = pick_target(step_of(SEED, "nabla_w", 1), j=1, k=2)
    assert t.symbol == "∂C/∂w^1_23" and t.value == step_of(SEED, "nabla_w", 1).value[1, 2]
    assert "from neuron 3 of layer 0 to neuron 2 of layer 1" in t.description
    assert pick_target(step_of(SEED, "update_w", 2), j=0, k=1).symbol == "new w^2_12"
    assert pick_target(step_of(SEED, "sp", 1), j=0).symbol == "σ′(z^1_1)"


def test_pick_target_accepts_a_generator_and_rejects_bad_indices():
    step = step_of(SEED, "nabla_w", 1)
    rng = np.random.default_rng(0)
    picks = {(t.j, t.k) for t in (pick_target(step, rng) for _ in range(60))}
    assert len(picks) == 6  # all 2×3 entries show up
    with pytest.raises(ValueError, match="j must be a whole number from 0 to 1"):
        pick_target(step, j=2)
    with pytest.raises(ValueError, match="k must be"):
        pick_target(step, j=0, k=-1)


# ---- reading numbers -----------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("0.12", 0.12), ("-1.5e-3", -1.5e-3), ("\u22120.5", -0.5), ("  +.5 ", 0.5), ("0,12", 0.12),
    ("3E2", 300.0), ("- 0.25", -0.25), ("5.", 5.0), ("\u2212 1,5e\u22122", -0.015), ("0", 0.0),
    ("\u2013 2", -2.0), ("1e-999", 0.0), ("\u00a00.7\u00a0", 0.7),
])
def test_parse_number_accepts(text, value):
    assert parse_number(text) == pytest.approx(value, abs=0)


@pytest.mark.parametrize("text, why", [
    ("abc", "not a number"), ("1/3", "fractions"), ("50%", "percentages"), ("nan", "not a number"),
    ("inf", "not a number"), ("-Infinity", "not a number"), ("0x10", "not a number"),
    ("1_000", "not a number"), ("1,000.5", "one decimal separator"), ("1,2,3", "one decimal separator"),
    ("\u0661\u0662", "not a number"), ("", "Nothing typed"), ("   ", "Nothing typed"),
    ("1e999", "too large"), ("1" * 100, "at most 64"), ("δ = 0.1", "not a number"),
    ("0.1 0.2", "not a number"), ("--1", "not a number"), ("e5", "not a number"),
])
def test_parse_number_refuses_with_a_reason_and_the_allowed_forms(text, why):
    with pytest.raises(ValueError, match=why) as err:
        parse_number(text)
    assert "0.12" in str(err.value) and "-1.5e-3" in str(err.value)


# ---- checking ------------------------------------------------------------------------
def test_a_correct_prediction_scores_and_a_wrong_one_does_not():
    t = pick_target(step_of(SEED, "delta", 2), j=0)
    right = check_prediction(t, fmt(t.value, 3))
    assert right.valid and right.correct and "Right" in right.message
    wrong = check_prediction(t, "0.5")
    assert wrong.valid and not wrong.correct
    assert fmt(t.value, 4) in wrong.message  # the reveal
    score = Score().record(right).record(wrong)
    assert (score.attempted, score.correct) == (2, 1) and score.accuracy == 0.5
    assert str(score) == "1 of 2 right"


def test_garbage_gets_a_message_and_does_not_count():
    t = target(0.25)
    v = check_prediction(t, "about a quarter")
    assert isinstance(v, Verdict) and not v.valid and not v.correct and v.guess is None
    assert v.problem == v.message and "0.12" in v.message
    assert Score(3, 2).record(v) == Score(3, 2)


def test_the_tolerance_rule_and_its_statement():
    t = target(0.5)
    tol = tolerance(0.5)
    assert tol == max(DEFAULT_ABS_TOL, DEFAULT_REL_TOL * 0.5) == 0.0025
    assert check_prediction(t, repr(0.5 + 0.9 * tol)).correct
    assert not check_prediction(t, repr(0.5 + 1.1 * tol)).correct
    assert check_prediction(t, repr(0.5 - 0.9 * tol)).correct
    v = check_prediction(t, "0.5")
    assert v.tolerance == tol and "3 significant digits" in v.tolerance_text and "0.0025" in v.tolerance_text
    # tiny values: the absolute floor applies, so 0 is accepted for |value| below 1e-4
    assert check_prediction(target(3e-5), "0").correct
    assert not check_prediction(target(3e-3), "0").correct
    # custom tolerances
    assert not check_prediction(t, "0.501", rel_tol=0, abs_tol=1e-4).correct
    with pytest.raises(ValueError, match="rel_tol"):
        check_prediction(t, "0.5", rel_tol=-1)


def test_messages_spot_a_sign_or_decimal_point_slip():
    t = target(-0.1167)
    assert "sign" in check_prediction(t, "0.1167").message
    assert "decimal point" in check_prediction(t, "-1.167").message
    assert "decimal point" in check_prediction(t, "-0.01167").message
    assert "too high" in check_prediction(t, "0.5").message


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-300))
def test_the_value_rounded_to_three_significant_digits_is_always_right(value):
    assert check_prediction(target(value), f"{value:.3g}").correct
    assert check_prediction(target(value), fmt(value, 4)).correct


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789.,eE+-\u2212 /%"), st.none(),
                 st.integers(), st.floats(), st.binary(), st.lists(st.integers())))
def test_check_prediction_never_raises(text):
    v = check_prediction(target(0.125), text)
    assert isinstance(v, Verdict) and v.message
    if v.valid:
        assert isinstance(text, str) and math.isfinite(v.guess) and v.problem is None
        assert v.correct == (abs(v.guess - 0.125) <= v.tolerance)
    else:
        assert not v.correct and v.guess is None and "0.12" in v.problem


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_printed_float_is_read_back(x):
    assert parse_number(repr(x)) == x
    assert parse_number(repr(x).replace("-", "\u2212")) == x


# ---- hints ---------------------------------------------------------------------------
@pytest.mark.parametrize("i", range(len(MAZUR.steps)))
def test_two_hints_that_do_not_give_the_answer_away(i):
    step = MAZUR.steps[i]
    t = pick_target(step, rng=i)
    formula, numbers = hints(step, t)
    assert isinstance(formula, Hint) and (formula.kind, numbers.kind) == ("formula", "numbers")
    assert formula.text.startswith(t.symbol) and formula.latex
    assert numbers.text.startswith("Plug in: ") and numbers.latex
    if step.kind not in ("input", "nabla_b"):  # their value *is* the number to plug in
        assert fmt(t.value, 4) not in numbers.text
        assert fmt(t.value, 4, latex=True) not in numbers.latex


def test_hidden_delta_hint_uses_a_column_of_the_next_weights():
    step = step_of(SEED, "delta", 1)
    t = pick_target(step, j=1)
    formula, numbers = hints(step, t)
    assert "w^2_i2" in formula.text and "column 2 of w^2" in numbers.text
    assert "(-0.9)" in numbers.text  # w^2_12 of the seed network


def test_hints_refuse_a_target_from_another_step():
    t = pick_target(SEED.steps[3], rng=0)
    with pytest.raises(ValueError, match="belongs to step 3"):
        hints(SEED.steps[4], t)


# ---- score ---------------------------------------------------------------------------
def test_score_is_immutable_and_validated():
    s = Score()
    assert (s.attempted, s.correct, s.accuracy) == (0, 0, None)
    assert s.record(True).record(False).record(True) == Score(3, 2)
    assert s == Score()  # unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.correct = 5
    for bad in [dict(attempted=1, correct=2), dict(attempted=-1), dict(attempted=1.5), dict(correct=True)]:
        with pytest.raises(ValueError):
            Score(**bad)


# ---- check_prediction against every float and string (issue 14) -----------------------
@pytest.mark.parametrize("answer", ["-1e308", "-5e-324", "5e-324", "1.7976931348623157e308",
                                    "-1.7976931348623157e308", "2.2250738585072014e-308", "1e-320"])
@pytest.mark.parametrize("value", [-0.1167, 0.125, 1e-300, -7.5e5, 5e-324])
def test_extreme_answers_get_a_verdict_not_an_exception(answer, value):
    v = check_prediction(target(value), answer)
    assert v.valid and v.guess == float(answer)
    assert v.correct == (abs(v.guess - value) <= v.tolerance)
    if not v.correct:
        assert ("too high" if v.guess > value else "too low") in v.message


@settings(max_examples=400, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda v: abs(v) <= 1e6),
       answer=st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr),
                        st.floats().map(str), st.text(), st.text(alphabet="0123456789.,eE+-\u2212 ")))
def test_check_prediction_never_raises_for_any_target_and_answer(value, answer):
    v = check_prediction(target(value), answer)
    assert isinstance(v, Verdict) and v.message
    if v.valid:
        diff = v.guess - value
        assert v.correct == (abs(diff) <= v.tolerance)
        if not v.correct:
            assert ("too high" if diff > 0 else "too low") in v.message
    else:
        assert v.problem and "0.12" in v.problem
