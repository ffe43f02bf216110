"""Streamlit AppTest: the app's fast UI layer, without a browser."""
from __future__ import annotations


import numpy as np
import pytest

from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop
from nnviz_app.state import encode_config

from apptest_support import make_app, page_steps_to, player_data, report_position




def preset_trace(name):
    cfg = PRESETS[name].config
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)



def step_of(at) -> int:
    return at.session_state["ui"]["step"]


def test_app_opens_on_the_seed_preset_without_exception():
    at = make_app()
    assert not at.exception
    assert at.session_state["ui"]["preset"] == "seed"
    assert step_of(at) == 0
    data, trace = player_data(at), preset_trace("seed")
    assert data["step"] == 0 and len(data["wt"]["steps"]) == len(trace)
    assert [e["numbers"]["matrix"] for e in data["wt"]["steps"]] == [s.latex_numbers() for s in trace.steps]
    # explore mode steps in the page: no step buttons or scrubber on the server
    assert not [b for b in at.button if b.key in ("next", "prev", "first", "last")]
    assert not at.get("slider")


def test_the_pages_address_moves_the_step_and_a_server_restart_wins():
    at = make_app(preset="mazur")
    page_steps_to(at, 5)  # the player wrote ?step=5 (no message); some later run reads it
    assert not at.exception and step_of(at) == 5 and player_data(at)["step"] == 5
    at.run()
    assert step_of(at) == 5
    # "Apply update → next example" starts the next call at step 1, whatever the address said
    next(b for b in at.button if b.label.startswith("Apply update")).click().run()
    assert step_of(at) == 0 and player_data(at)["step"] == 0
    page_steps_to(at, 3)
    assert step_of(at) == 3
    # the view and neuron the page's player shows reach the server too
    page_steps_to(at, 3, view="scalar", j=1)
    assert at.session_state["ui"]["view"] == "scalar" and player_data(at)["j"] == 1


def _report(at, **at_state):
    report_position(at, **at_state)
    return at.run()


def test_the_pages_position_counts_only_for_the_walkthrough_it_was_on_and_only_once():
    at = make_app(preset="mazur")
    old = player_data(at)["id"]
    page_steps_to(at, 6)
    next(b for b in at.button if b.label.startswith("Apply update")).click().run()
    assert step_of(at) == 0 and player_data(at)["id"] != old
    # a late report from the previous network's player is not this network's step
    _report(at, id=old, step=9, view="matrix", j=0, k=0, n=99)
    assert step_of(at) == 0 and player_data(at)["step"] == 0
    # the server moves the step; the page's report of a position it had before is taken again
    page_steps_to(at, 4)
    next(b for b in at.button if b.label.startswith("Apply update")).click().run()
    page_steps_to(at, 4)
    assert step_of(at) == 4
    at.run()  # the same report, already taken: nothing moves
    assert step_of(at) == 4


@pytest.mark.parametrize("at_state", [
    {"step": "banana"}, {"step": -3}, {"step": 1e300}, {"step": True, "view": 7}, {"view": "<b>"},
    {"j": -1, "k": "x"}, {"step": None}, {"step": [1, 2]}, {}])
def test_a_hostile_position_report_keeps_the_last_good_state(at_state):
    at = make_app(preset="mazur")
    page_steps_to(at, 5, view="scalar", j=1)
    before = {f: at.session_state["ui"][f] for f in ("step", "view", "j", "k")}
    _report(at, **{"id": player_data(at)["id"], "n": 50, **at_state})
    assert not at.exception
    assert {f: at.session_state["ui"][f] for f in ("step", "view", "j", "k")} == before
    at.session_state["player"] = {**at.session_state["player"], "at": "not a dict"}
    at.run()
    assert not at.exception


def test_predict_mode_keeps_the_server_step_buttons():
    at = make_app(mode="predict")
    n = len(preset_trace("seed"))
    at.button(key="next").click().run()
    assert step_of(at) == 1
    at.button(key="next").click().run()
    at.button(key="prev").click().run()
    assert step_of(at) == 1
    at.button(key="last").click().run()
    assert step_of(at) == n - 1
    at.button(key="first").click().run()
    assert step_of(at) == 0
    at.slider(key="scrub").set_value(7).run()
    assert step_of(at) == 6
    assert not at.exception


def test_url_parameters_restore_preset_and_step():
    at = make_app(preset="mazur", step="9")
    assert not at.exception
    assert at.session_state["ui"]["preset"] == "mazur"
    assert step_of(at) == 9
    trace = preset_trace("mazur")
    # The player opens at the step the URL named.
    data = player_data(at)
    assert data["step"] == 9 and trace[9].kind == "delta"
    assert data["wt"]["steps"][9]["tex"]["matrix"] == trace[9].latex()


def test_url_carries_an_edited_network():
    cfg = PRESETS["xor"].config.replace(eta=0.25)
    at = make_app(cfg=encode_config(cfg), step="2")
    assert not at.exception
    assert at.session_state["ui"]["cfg"] == cfg


@pytest.mark.parametrize("params", [{"step": "banana"}, {"preset": "<script>alert(1)</script>"},
                                    {"cfg": "not-a-network"}, {"step": "99999999"}])
def test_bad_url_parameter_falls_back_with_a_visible_notice(params):
    at = make_app(**params)
    assert not at.exception
    assert at.warning, "a notice must say the parameter was ignored"
    assert "Ignored" in at.warning[0].value
    assert at.session_state["ui"]["preset"] == "seed"
    assert step_of(at) == 0


def test_a_links_notice_stays_while_its_view_is_shown_and_goes_when_the_user_changes_it():
    at = make_app(eta="banana")
    note = at.warning[0].value
    assert "eta" in note
    page_steps_to(at, 3)  # the player's own step and reruns keep it
    at.run()
    assert [w.value for w in at.warning] == [note] and step_of(at) == 3
    at.selectbox(key="preset_select").set_value("mazur").run()  # a new network: the link is history
    assert not at.exception and not at.warning
    at = make_app(eta="banana")
    next(b for b in at.button if b.label == "Dismiss").click().run()
    assert not at.exception and not at.warning


def test_step_beyond_the_trace_is_clamped_to_the_last_step():
    at = make_app(step="500")  # explore: the last position is the update animation, after the steps
    assert not at.exception
    assert step_of(at) == player_data(at)["step"] == len(preset_trace("seed"))
    at = make_app(step="500", mode="predict")
    assert not at.exception and step_of(at) == len(preset_trace("seed")) - 1


def edit_cell(at, key, row, column, value):
    """Seed a keyed st.data_editor's edit state, as a user's cell edit would."""
    at.session_state[key] = {"edited_rows": {row: {column: value}}, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_editing_a_weight_retraces_and_keeps_the_step():
    at = make_app(step="1")  # z^1 = w^1 a^0 + b^1
    edit_cell(at, "w1-0", 0, "k=1", 0.9)
    assert not at.exception
    assert step_of(at) == 1
    cfg = at.session_state["ui"]["cfg"]
    assert cfg.weights[0][0][0] == 0.9
    expected = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)[1]
    assert player_data(at)["wt"]["steps"][1]["numbers"]["matrix"] == expected.latex_numbers()


def test_a_bad_edit_shows_a_message_and_keeps_the_last_good_network():
    at = make_app(step="1")
    before = at.session_state["ui"]["cfg"]
    edit_cell(at, "w1-0", 0, "k=1", 5e9)  # beyond the allowed magnitude
    assert not at.exception
    assert at.error and "1e+06" in at.error[0].value.replace("\\", "")
    assert at.session_state["ui"]["cfg"] == before
    assert step_of(at) == 1


def test_editing_eta_retraces():
    at = make_app(step=str(len(preset_trace("seed")) - 1))
    at.number_input(key="eta-0").set_value(0.5).run()
    assert not at.exception
    assert at.session_state["ui"]["cfg"].eta == 0.5
    assert r"\frac{0.5}{1}" in player_data(at)["wt"]["steps"][-1]["numbers"]["matrix"]


def test_preset_switch_retraces():
    at = make_app()
    at.selectbox(key="preset_select").set_value("mazur").run()
    assert not at.exception
    assert at.session_state["ui"]["preset"] == "mazur"
    assert player_data(at)["wt"]["sizes"] == PRESETS["mazur"].config.sizes


def test_apply_update_starts_the_next_trace_from_the_updated_network_and_records_loss():
    at = make_app(preset="mazur")
    trace = preset_trace("mazur")
    for _ in range(3):
        next(b for b in at.button if b.label.startswith("Apply update")).click().run()
    assert not at.exception
    cfg = at.session_state["ui"]["cfg"]
    assert cfg is not None
    history = at.session_state["history"]
    costs = [h["cost"] for h in history]
    assert len(costs) == 4 and all(b < a for a, b in zip(costs, costs[1:]))
    assert np.allclose(costs[0], trace.cost_value)
