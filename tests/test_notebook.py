"""nnviz in a notebook without a browser: ``nnviz.show``'s checks, the cell's text/html.

* Bad arguments: one ValueError that names the argument and says what is allowed.
* The output: the walk-through page, byte for byte, in a sandboxed iframe's ``srcdoc``
  (recovered with the standard library's HTML parser, an independent unescaper); the
  trace shown is the one ``trace_backprop`` records for the same network.
* Importing nnviz (and nnviz.notebook) loads no Jupyter module.
"""
from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnviz
from nnviz.engine.presets import PRESETS
from nnviz.notebook import Player, frame_html, player_page, show
from nnviz.trace.record import trace_backprop

CFG = PRESETS["seed"].config


class _Frames(HTMLParser):
    """Every <iframe>'s attributes and the text of every <script>, as a browser parses them."""

    def __init__(self):
        super().__init__()
        self.frames, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> _Frames:
    p = _Frames()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def seed_player() -> Player:
    return show(CFG.network(), CFG.x_array, CFG.y_array, eta=CFG.eta)


def test_show_traces_the_same_call_as_trace_backprop(seed_player):
    want = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
    got = seed_player.trace
    assert len(got) == len(want) > 0
    for a, b in zip(got.steps, want.steps, strict=True):
        assert (a.kind, a.layer) == (b.kind, b.layer)
        np.testing.assert_array_equal(a.value, b.value)
    assert seed_player[5] is got[5] and len(seed_player) == len(want)


def test_show_accepts_flat_lists_and_leaves_the_network_alone():
    net = CFG.network()
    before = [w.copy() for w in net.weights]
    flat = show(net, np.ravel(CFG.x_array).tolist(), [1.0], eta=CFG.eta)
    np.testing.assert_array_equal(flat.trace.x, CFG.x_array)
    for w, w0 in zip(net.weights, before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_the_cell_html_is_the_walkthrough_page_in_a_sandboxed_frame(seed_player):
    html = seed_player._repr_html_()
    p = parse(html)
    assert len(p.frames) == 1
    frame = p.frames[0]
    assert frame["sandbox"] == "allow-scripts allow-downloads"  # no same-origin: it cannot reach the notebook
    assert frame["srcdoc"] == player_page(seed_player.trace)
    assert "data-nnviz-frame" in frame
    # the only markup outside the frame is the wrapper and its sizing script: no request
    outside = html.replace(html[html.index('srcdoc="'):html.index('"', html.index('srcdoc="') + 8) + 1], "")
    for needle in ("src=", "href=", "http", "import("):
        assert needle not in outside, needle
    assert len(p.scripts) == 1 and "postMessage" not in p.scripts[0]  # frame.js only listens


def test_a_trace_displays_itself_as_the_same_player(seed_player):
    assert parse(seed_player.trace._repr_html_()).frames[0]["srcdoc"] == \
        parse(seed_player.html()).frames[0]["srcdoc"]


def test_title_is_escaped_in_the_frame_and_the_page():
    t = trace_backprop(CFG.network(), CFG.x_array, CFG.y_array, CFG.eta)
    evil = '"><script>alert(1)</script>'
    p = parse(frame_html(t, title=evil))
    assert p.frames[0]["title"] == evil
    assert "<script>alert(1)" not in p.frames[0]["srcdoc"]


NET = CFG.network()
BAD = [  # (arguments, words the message must contain)
    (("not a network", [1, 2, 3], [1]), {}, ["net must be an nnviz.Network", "str"]),
    ((NET, [1, 2], [1]), {}, ["x (the input)", "3 numbers", "(3, 1)", "(2,)"]),
    ((NET, [[1, 2, 3]], [1]), {}, ["x (the input)", "(1, 3)"]),
    ((NET, [1, np.nan, 3], [1]), {}, ["x (the input)", "NaN or infinity"]),
    ((NET, [1, 2, 3], [np.inf]), {}, ["y (the target)", "NaN or infinity"]),
    ((NET, [1, 2, 3], [1, 0]), {}, ["y (the target)", "1 number,", "(2,)"]),
    ((NET, [1, 2, 3], "abc"), {}, ["y (the target)", "'abc'"]),
    ((NET, [1, 2, 3], [1]), {"eta": 0}, ["eta", "0 < eta ≤ 100", "got 0"]),
    ((NET, [1, 2, 3], [1]), {"eta": -1.5}, ["eta", "0 < eta ≤ 100"]),
    ((NET, [1, 2, 3], [1]), {"eta": 101}, ["eta", "0 < eta ≤ 100"]),
    ((NET, [1, 2, 3], [1]), {"eta": float("nan")}, ["eta", "got nan"]),
    ((NET, [1, 2, 3], [1]), {"eta": "3"}, ["eta", "got '3'"]),
    ((NET, [1, 2, 3], [1]), {"eta": True}, ["eta", "got True"]),
    ((NET, [1, 2, 3], [1]), {"theme": "dark"}, ["theme", "light, projector", "'dark'"]),
    ((NET, [1, 2, 3], [1]), {"height": 50}, ["height", "200 to 3000"]),
    ((NET, [1, 2, 3], [1]), {"title": ""}, ["title", "non-empty"]),
    ((nnviz.Network([3, 9, 1]), [1, 2, 3], [1]), {}, ["layer size", "1 to 8 neurons"]),
    ((NET,), {}, ["x and y", "mini_batch=[(x, y), ...]"]),
    ((NET, [1, 2, 3], [1]), {"mini_batch": [([1, 2, 3], [1])]}, ["either x and y", "not both"]),
    ((NET,), {"mini_batch": 7}, ["mini_batch must be a list of (x, y) pairs", "got 7"]),
    ((NET,), {"mini_batch": []}, ["1 to 10", "got 0"]),
    ((NET,), {"mini_batch": [([1, 2, 3], [1])] * 11}, ["1 to 10", "got 11"]),
    ((NET,), {"mini_batch": [([1, 2, 3], [1]), ([1, 2, 3],)]}, ["Example 2", "not an (x, y) pair"]),
    ((NET,), {"mini_batch": [([1, 2, 3], [1]), ([1, 2], [1])]}, ["Example 2 of mini_batch: x (the input)", "(2,)"]),
    ((NET,), {"mini_batch": [([1, 2, 3], [1])], "eta": -2}, ["eta (the learning rate)", "got -2"]),
]


@pytest.mark.parametrize("args,kwargs,words", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_arguments_get_one_clear_value_error(args, kwargs, words):
    with pytest.raises(ValueError) as info:
        show(*args, **kwargs)
    msg = str(info.value)
    assert "\n" not in msg and info.value.__cause__ is None
    for w in words:
        assert w in msg, (w, msg)


def test_show_a_mini_batch_records_every_example_like_trace_mini_batch():
    pairs = [([0.5, -1.0, 0.8], [1.0]), ([0.1, 0.2, 0.3], [0.0]), ([-1.0, 0.0, 1.0], [1.0])]
    cols = [(np.array(x).reshape(3, 1), np.array(y).reshape(1, 1)) for x, y in pairs]
    got = show(NET, mini_batch=pairs, eta=2.0).trace
    want = nnviz.trace_mini_batch(NET, cols, 2.0)
    assert got.m == len(pairs) and len(got) == len(want)
    for a, b in zip(got.steps, want.steps, strict=True):
        assert (a.kind, a.layer, a.example) == (b.kind, b.layer, b.example)
        np.testing.assert_array_equal(a.value, b.value)
    # the update is the seed's: w - (eta/m) * sum of the per-example gradients
    grads = [NET.backprop(x, y)[1][0] for x, y in cols]
    np.testing.assert_allclose(got.new_weights[0], NET.weights[0] - 2.0 / 3 * sum(grads), rtol=1e-12)


def test_a_network_with_a_wrongly_shaped_weight_is_refused():
    net = nnviz.Network([3, 2, 1], seed=0)
    net.weights[0] = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"w\^1 must have shape 2×3; got \(2, 2\)"):
        show(net, [1, 2, 3], [1])


@settings(max_examples=40, deadline=None)
@given(eta=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6)))
def test_eta_is_accepted_exactly_in_the_documented_range(eta):
    """0 < eta ≤ 100 passes the check; everything else is a ValueError naming eta."""
    from nnviz.notebook.host import checked
    ok = bool(np.isfinite(eta)) and 0 < eta <= 100
    if ok:
        assert checked(NET, [1, 2, 3], [1], eta).eta == float(eta)
    else:
        with pytest.raises(ValueError, match="eta"):
            checked(NET, [1, 2, 3], [1], eta)


def test_importing_nnviz_loads_no_jupyter_module():
    code = ("import sys, nnviz, nnviz.notebook; nnviz.show; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('IPython', 'ipykernel', 'ipywidgets', 'anywidget', 'nbformat', 'nbclient', 'jupyter_client')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_nnviz_has_no_other_lazy_attribute():
    with pytest.raises(AttributeError, match="no attribute 'shwo'"):
        nnviz.shwo  # noqa: B018


def test_live_player_step_is_checked_and_its_output_keeps_the_plain_html(seed_player):
    pytest.importorskip("anywidget")
    w = seed_player.live(step=3)
    n = len(seed_player.trace)
    assert w.step == 3 and w.trace is seed_player.trace
    assert w.srcdoc == player_page(seed_player.trace)
    w.step = n  # the update animation
    for bad in (-1, n + 1):
        with pytest.raises(ValueError, match=f"step must be a whole number from 0 to {n}"):
            w.step = bad
    assert w.step == n  # the last good value stays
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"] == seed_player.html()  # shown where no widget manager runs
