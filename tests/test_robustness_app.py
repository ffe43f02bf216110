"""Bad values in every widget and every URL parameter (Streamlit AppTest, no browser).

Each case: no exception element, a visible st.error / st.warning saying what is wrong
(where the input can carry a wrong value at all), and the previous state intact — the
same network (``ui.cfg``/``ui.preset``) and the same step.
"""
from __future__ import annotations

import base64
import json

import pytest

from nnviz.engine.presets import PRESETS
from nnviz_app.state import FIELDS, encode_config

from apptest_support import make_app, step_forward

START = {"preset": "mazur", "step": "5"}  # a non-default state, so "intact" means something
SCRIPT = "<script>alert(1)</script>"


def snapshot(at) -> tuple:
    ui = at.session_state["ui"]
    return ui["preset"], ui["cfg"], ui["step"], ui["view"], ui["mode"]


def messages(at) -> str:
    """The text of every error and warning, Markdown escapes dropped."""
    return " ".join(e.value for e in [*at.error, *at.warning]).replace("\\", "")


def assert_rejected(at, before: tuple, *words: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = messages(at)
    assert text, "a bad value must show a message"
    for w in words:
        assert w.lower() in text.lower(), (w, text)
    assert snapshot(at) == before


def edit_cell(at, key, column, value):
    at.session_state[key] = {"edited_rows": {0: {column: value}}, "added_rows": [], "deleted_rows": []}
    return at.run()


# ---- the data editors: w, b, x, y ---------------------------------------------------
EDITORS = [("w1-0", "k=1", "w"), ("b1-0", "b^1", "b"), ("x-0", "x", "x"), ("y-0", "y", "y")]


@pytest.mark.parametrize("key,column,what", EDITORS, ids=[e[2] for e in EDITORS])
@pytest.mark.parametrize("value", [None, float("nan"), 1e9, -1e9, float("inf"), "abc", SCRIPT],
                         ids=["None", "NaN", "1e9", "-1e9", "inf", "text", "script"])
def test_bad_cell_in_a_data_editor(key, column, what, value):
    at = make_app(**START)
    before = snapshot(at)
    edit_cell(at, key, column, value)
    assert_rejected(at, before, "finite numbers", "last valid network")
    # the bad edit is thrown away: the editors show the last good values again
    assert at.session_state["editor_version"] == 1
    at.run()  # and a later run (e.g. the next step) stays clean
    assert not at.exception and snapshot(at) == before


# ---- the learning rate η --------------------------------------------------------------
@pytest.mark.parametrize("eta", [0.0, -1.0, -1e9, 100.5, 1e9])
def test_bad_learning_rate(eta):
    at = make_app(**START)
    before = snapshot(at)
    at.number_input(key="eta-0").set_value(eta).run()
    assert_rejected(at, before, "learning rate", "greater than 0", "at most 100")
    assert at.number_input(key="eta-1").value == PRESETS["mazur"].config.eta  # last good value


def test_negative_learning_rate_through_session_state():
    at = make_app(**START)
    before = snapshot(at)
    at.session_state["eta-0"] = -3.0
    at.run()
    assert_rejected(at, before, "learning rate", "got -3")


def test_a_bad_eta_does_not_block_the_next_good_edit():
    at = make_app(**START)
    at.number_input(key="eta-0").set_value(0.0).run()
    at.number_input(key="eta-1").set_value(0.25).run()
    assert not at.exception and not at.error
    assert at.session_state["ui"]["cfg"].eta == 0.25
    assert at.session_state["ui"]["step"] == 5


# ---- layer sizes ------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["0-2", "9-9-9", "abc", "3-2-1-1-1-1", SCRIPT, "", "-3-2", "3,,", "1e3-2",
                                  "3-2-" + "1" * 400])
def test_bad_layer_sizes(text):
    at = make_app(**START)
    before = snapshot(at)
    next(t for t in at.text_input if t.label == "Layer sizes").set_value(text)
    next(b for b in at.button if b.label == "Apply").click().run()
    assert_rejected(at, before, "layer sizes", "2 to 5", "1 to 8")
    assert "<script>" not in " ".join(e.value for e in at.error)  # Markdown-escaped


def test_good_layer_sizes_after_bad_ones_still_apply():
    at = make_app(**START)
    for text in ("abc", "2-3-2"):
        next(t for t in at.text_input if t.label == "Layer sizes").set_value(text)
        next(b for b in at.button if b.label == "Apply").click().run()
    assert not at.exception and not at.error
    assert at.session_state["ui"]["cfg"].sizes == [2, 3, 2]


# ---- preset select, view, mode ----------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_switch_is_clean(name):
    """The select offers only the presets (an unknown one is refused before the app runs,
    and by nnviz_app.state on the URL: see test_bad_url_parameter)."""
    at = make_app(**START)
    at.selectbox(key="preset_select").set_value(name).run()
    assert not at.exception and not at.error
    assert at.session_state["ui"]["preset"] == name


@pytest.mark.parametrize("key,value", [("view_choice", None), ("mode_choice", None),
                                       ("view_choice", "bogus")])
def test_deselected_or_unknown_view_and_mode_keep_the_current_one(key, value):
    """A segmented control can be deselected in the browser (value None): nothing changes."""
    at = make_app(**START, view="scalar")
    before = snapshot(at)
    at.session_state[key] = value
    at.run()
    assert not at.exception and not at.error
    assert snapshot(at) == before


# ---- URL parameters: every field of nnviz_app.state.FIELDS -----------------------------------
def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_GOOD = json.loads(PRESETS["xor"].config.model_dump_json())
BAD_CFGS = {
    "not-base64": "not a network!!",
    "empty": "",
    "bad-json": _b64(b"{not json"),
    "script-json": _b64(json.dumps({SCRIPT: 1, "sizes": SCRIPT}).encode()),
    "nan": _b64(json.dumps({**_GOOD, "eta": "NaN"}).encode()),
    "huge-weight": _b64(json.dumps({**_GOOD, "weights": [[[1e9, 0], [0, 0]], [[0, 0]]]}).encode()),
    "too-long": "A" * 20_000,
    "deep": _b64(b"[" * 5000 + b"]" * 5000),
}
BAD_URL = {
    "preset": ["nope", SCRIPT, "", "SEED", "seed\x00"],
    "cfg": list(BAD_CFGS.values()),
    "step": ["-1", "1.5", "banana", "1e3", "99999999999999999999", SCRIPT, ""],
    "view": ["vector", SCRIPT, ""],
    "j": ["-1", "8", "x", SCRIPT],
    "k": ["99", "0.5", ""],
    "mode": ["teach", SCRIPT, "EXPLORE"],
    "projector": ["maybe", "2", SCRIPT],
    "batch": ["0,0", "a;b", "|".join(["0,0;0"] * 11), SCRIPT, "1e999;1", "0,0;0;1"],
}
URL_CASES = [(name, v) for name, vs in BAD_URL.items() for v in vs]


def test_every_url_field_has_bad_cases():
    assert set(BAD_URL) == {f.name for f in FIELDS}


@pytest.mark.parametrize("name,value", URL_CASES, ids=[f"{n}-{i}" for n, vs in BAD_URL.items()
                                                       for i in range(len(vs))])
def test_bad_url_parameter(name, value):
    params = {**START, name: value}
    at = make_app(**params)
    assert not at.exception, [e.value for e in at.exception]
    text = messages(at)
    assert f"({name}=" in text and "Ignored" in text and "Showing the default" in text, text
    good = {k: v for k, v in START.items() if k != name}  # the other parameters still apply
    ui = at.session_state["ui"]
    assert ui["preset"] == good.get("preset", "seed")
    assert ui["step"] == int(good.get("step", 0))
    assert ui[name] == next(f.default for f in FIELDS if f.name == name)
    raw = " ".join(e.value for e in [*at.error, *at.warning])
    assert "<script>" not in raw  # Markdown-escaped: shown as text, never as a tag
    step = ui["step"]
    step_forward(at)  # and the app keeps working from there
    assert not at.exception and at.session_state["ui"]["step"] == step + 1


def test_unknown_url_parameters_are_named_in_a_notice():
    at = make_app(**START, **{SCRIPT: "1", "eta": "5"})
    assert not at.exception
    assert "unknown link parameters" in messages(at)
    assert at.session_state["ui"]["preset"] == "mazur" and at.session_state["ui"]["step"] == 5


def test_a_good_cfg_with_bad_other_parameters_keeps_the_network():
    cfg = PRESETS["seed"].config.replace(eta=0.75)
    at = make_app(cfg=encode_config(cfg), step="4", view="<b>", mode="x", projector="?")
    assert not at.exception
    assert at.session_state["ui"]["cfg"] == cfg and at.session_state["ui"]["step"] == 4
    assert len(at.warning) >= 3
