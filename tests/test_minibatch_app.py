"""The mini-batch view in the app (issue 13, item 1, app side): choose m and the examples,
carried in the URL; step into or skip past an example; the update equals the seed's own
update_mini_batch; predict mode and the exports work with it."""
from __future__ import annotations

import json

import numpy as np
import pytest

from apptest_support import make_app
from nnviz.engine.presets import PRESETS
from nnviz.export.files import load_trace
from nnviz_app import state as ui_state
from seed_reference import seed_namespace, seed_network

XOR = "0,0;0|0,1;1|1,0;1|1,1;0"


def choose(at, m, source="preset", start=1):
    at.number_input(key="mb_m").set_value(m)
    at.radio(key="mb_source").set_value(source)
    if source != "typed":
        at.number_input(key="mb_from").set_value(start)
    return at.button(key="mb_use").click().run()


def test_url_field_round_trips_and_bad_links_are_named():
    state = {**ui_state.defaults(), "preset": "xor", "batch": ui_state.parse_batch(XOR)}
    query = ui_state.to_query(state)
    assert query["batch"] == XOR
    back, notices = ui_state.from_query(query)
    assert back["batch"] == state["batch"] and not notices
    _, notices = ui_state.from_query({"batch": "0,0;0|zz;1"})
    assert "mini-batch" in notices[0] and "not a number in example 2" in notices[0]
    _, notices = ui_state.from_query({"batch": "|".join(["0,0;0"] * 11)})
    assert "1 to 10 examples" in notices[0]


def test_choose_four_xor_examples_and_apply_the_update_as_the_seed_does():
    at = make_app(preset="xor")
    choose(at, 2, start=3)  # examples 3 and 4 of XOR's four
    assert not at.exception
    batch = at.session_state.ui["batch"]
    assert batch == ui_state.parse_batch(XOR)[2:4]
    assert ui_state.to_query(at.session_state.ui)["batch"] == "1,0;1|1,1;0"
    cfg = PRESETS["xor"].config
    ref = seed_network(cfg.sizes, cfg.network().weights, cfg.network().biases, seed_namespace())
    ref.update_mini_batch([(np.array([[a] for a in x]), np.array([[b] for b in y])) for x, y in batch], cfg.eta)
    at.button(key="apply_update").click().run()
    assert not at.exception
    new = at.session_state.ui["cfg"]
    for got, want in zip(new.weights + new.biases, ref.weights + ref.biases, strict=True):
        np.testing.assert_allclose(np.array(got), want, rtol=1e-12, atol=1e-12)
    # the next mini-batch: the next two examples of the pool (1 and 2, cyclically)
    assert at.session_state.ui["batch"] == ui_state.parse_batch(XOR)[0:2]


def test_step_into_and_skip_past_an_example():
    at = make_app(preset="xor", batch=XOR)
    assert not at.exception
    trace = load_trace(ui_state.trace_key(at.session_state.ui))
    assert trace.m == 4
    at.button(key="mb_into_1").click().run()
    i = at.session_state.ui["step"]
    assert trace[i].example == 1 and trace[i].kind == "input"  # the first operation inside the call
    assert any("Went to step %d, in example 2: inside its backprop call" % (i + 1) in m.value for m in at.markdown)
    at.button(key="mb_skip_2").click().run()
    i = at.session_state.ui["step"]
    assert trace[i].example == 2 and trace[i].kind.startswith("sum_nabla")
    assert all(s.kind.startswith("sum") or s.index <= i for s in trace.steps[i:i + 1])


def test_typed_examples_with_a_bad_line_are_named_and_the_view_stays():
    at = make_app(preset="xor", batch=XOR)
    at.radio(key="mb_source").set_value("typed").run()
    at.text_area(key="mb_text").set_value("0, 1 ; 1\n0.5, x ; 0\n1, 1, 1 ; 0").run()
    at.button(key="mb_use").click().run()
    shown = " ".join(e.value for e in at.error)
    assert "Line 2: it has something that is not a number" in shown
    assert "Line 3: 3 inputs and 1 targets" in shown
    assert at.session_state.ui["batch"] == ui_state.parse_batch(XOR)  # unchanged


@pytest.mark.parametrize("mode", ["predict", "explore"])
def test_modes_and_json_export_work_with_a_mini_batch(mode):
    at = make_app(preset="xor", batch=XOR, mode=mode, step="20")
    assert not at.exception
    doc = json.loads(load_trace(ui_state.trace_key(at.session_state.ui)).to_json())
    assert len(doc["examples"]) == 4 and doc["m"] == 4
