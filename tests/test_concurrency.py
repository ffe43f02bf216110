"""Nothing shared between sessions can be broken by another session (issue 14).

Races are made likely, not left to luck: slow fakes hold a thread inside the window
where the old code went wrong, and a barrier starts every thread at once.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from nnviz.export import html as export_html


def run_at_once(fn, n: int, stagger_s: float = 0.0) -> list:
    """fn() in n threads started together (thread i after i·stagger_s); the results, or
    the exceptions raised."""
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait()
        time.sleep(i * stagger_s)
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - the test inspects it
            return e

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(go, range(n)))


# ---- katex_assets --------------------------------------------------------------------
class SlowDir:
    """A stand-in for nnviz/vendor/katex whose files are slow to read."""

    def __init__(self, path):
        self.path = path

    def __truediv__(self, name):
        return SlowDir(self.path / name)

    def read_text(self, **kw):
        time.sleep(0.05)
        return self.path.read_text(**kw)

    def read_bytes(self):
        return self.path.read_bytes()


def test_first_katex_exports_at_once_all_get_the_assets(monkeypatch):
    monkeypatch.setattr(export_html, "VENDOR", SlowDir(export_html.VENDOR))
    export_html.katex_assets.cache_clear()
    try:
        results = run_at_once(export_html.katex_assets, 8, stagger_s=0.02)
    finally:
        export_html.katex_assets.cache_clear()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    css, js = results[0]
    assert "data:font/woff2;base64," in css and "katex" in js
    assert all(r == (css, js) for r in results)


# ---- the shared image-export browser --------------------------------------------------
class FakeRenderer:
    """Stands in for the kaleido browser: a figure {"ms": t} is drawn in t ms, {"hang": 1}
    never; {"crash": 1} kills the first browser started (drawn at once by later ones).  Closing it fails whatever is still drawing,
    as closing the real browser does."""

    started: list = []

    def __init__(self, path):
        self.pending, self.closed = [], False
        FakeRenderer.started.append(self)

    def render(self, fig, fmt, width, height):
        import concurrent.futures

        f = concurrent.futures.Future()
        self.pending.append(f)
        if fig.get("crash") and self is FakeRenderer.started[0]:
            self.close()
        elif not fig.get("hang"):
            threading.Timer(fig.get("ms", 1) / 1000, lambda: f.done() or f.set_result(b"png")).start()
        return f

    def close(self):
        self.closed = True
        for f in self.pending:
            if not f.done():
                f.set_exception(RuntimeError("the browser was closed"))


@pytest.fixture
def fake_browser(monkeypatch):
    from nnviz.export import images

    FakeRenderer.started = []
    monkeypatch.setattr(images, "_Renderer", FakeRenderer)
    monkeypatch.setattr(images, "_RENDERER", None)
    monkeypatch.setattr(images, "chromium_path", lambda: "/usr/bin/true")
    monkeypatch.setattr(images, "RENDER_TIMEOUT_S", 2.0)
    return images


def test_one_sessions_timeout_does_not_break_another_sessions_export(fake_browser):
    images = fake_browser
    # the hanging export times out at 2 s; the two-figure one (4 s allowed) ends at 3 s,
    # after it (margins of a second, for a loaded machine)
    jobs = [[{"hang": 1}], [{"ms": 100}], [{"ms": 3000}, {"ms": 50}]]
    results = run_at_once(lambda: images.render_figures(jobs.pop()), len(jobs))
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and "TimeoutError" in str(failures[0]), results
    assert sorted(len(r) for r in results if not isinstance(r, Exception)) == [1, 2]
    assert len(FakeRenderer.started) == 1 and FakeRenderer.started[0].closed  # closed when idle
    assert images.render_figures([{"ms": 10}]) == [b"png"]  # the next export gets a fresh one
    assert len(FakeRenderer.started) == 2


def test_a_crashed_browser_is_replaced_and_the_exports_in_flight_are_drawn_again(fake_browser):
    images = fake_browser
    # started 50 ms apart, in this order: two exports are in flight when the browser crashes
    jobs = [[{"crash": 1}], [{"ms": 300}], [{"ms": 200}, {"ms": 100}]]
    results = run_at_once(lambda: images.render_figures(jobs.pop()), len(jobs), stagger_s=0.05)
    assert sorted(map(len, results)) == [1, 1, 2] and all(set(r) == {b"png"} for r in results), results
    assert len(FakeRenderer.started) == 2 and FakeRenderer.started[0].closed


def test_shutdown_waits_for_the_exports_in_flight(fake_browser):
    images = fake_browser
    timer = threading.Timer(0.1, images.shutdown_renderer)
    timer.start()
    assert images.render_figures([{"ms": 400}]) == [b"png"]
    timer.join()
    assert FakeRenderer.started[0].closed and images._RENDERER is None


# ---- what every session shares cannot be changed by one -----------------------------
def test_a_preset_handed_out_cannot_be_changed_for_the_next_session():
    from nnviz.engine.presets import PRESETS

    before = PRESETS["seed"].config.model_dump_json()
    mine = PRESETS["seed"].config
    mine.weights[0][0][0] = 99.0
    mine.x.append([1.0])
    assert PRESETS["seed"].config.model_dump_json() == before
    with pytest.raises(TypeError):
        PRESETS["xor"].examples[0][0][0] = (5.0,)
    with pytest.raises(TypeError):
        PRESETS["mine"] = PRESETS["seed"]


def step_fig():
    from nnviz.draw.figures import step_figure
    from nnviz.engine.presets import PRESETS
    from nnviz.trace.record import trace_backprop

    cfg = PRESETS["mazur"].config
    return step_figure(trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta), 9)


def test_a_frozen_figure_cannot_be_changed_and_hands_out_copies():
    import json

    from nnviz.draw.frozen import FrozenFigure

    fig = step_fig()
    frozen = FrozenFigure(fig)
    assert frozen.to_dict() == json.loads(fig.to_json())
    copy = frozen.to_dict()
    copy["layout"]["title"] = {"text": "changed"}
    copy["data"].clear()
    assert frozen.to_dict() == json.loads(fig.to_json())
    for change in (lambda: frozen.update_layout(title="x"), lambda: frozen.add_trace({}),
                   lambda: setattr(frozen, "_spec", "{}"), lambda: setattr(frozen, "layout", {}),
                   lambda: frozen.layout.update(title="x")):
        with pytest.raises((TypeError, AttributeError)):
            change()
    assert frozen.to_dict() == json.loads(fig.to_json())
    mine = frozen.figure()
    mine.update_layout(title="mine")
    assert frozen.to_dict()["layout"]["title"] == json.loads(fig.to_json())["layout"]["title"]


def _chart_script():
    import streamlit as st

    from nnviz.draw.frozen import FrozenFigure
    from test_concurrency import step_fig

    fig = step_fig()
    st.plotly_chart(fig, key="plain", theme=None)
    st.plotly_chart(FrozenFigure(fig), key="frozen", theme=None)


def test_streamlit_draws_a_frozen_figure_exactly_as_the_figure():
    import json

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_chart_script, default_timeout=60).run()
    assert not at.exception
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    assert len(specs) == 2 and specs[0] == specs[1] and specs[0]["data"]


# ---- a download made on a worker thread reports to its own session --------------------
def test_the_export_board_hands_each_session_its_own_outcome():
    from nnviz.export.files import ExportError
    from nnviz.export.outcomes import ExportBoard

    board = ExportBoard(max_entries=4)

    def fail():
        time.sleep(0.3)
        raise ExportError("Chromium crashed.")

    def export(token, make):
        try:
            return board.run(token, make, (ExportError,))
        except ExportError:
            return None

    with ThreadPoolExecutor(2) as pool:
        pool.submit(export, "a", fail)
        pool.submit(export, "b", lambda: b"png")
        # each session's rerun waits for its own export and gets its own outcome
        assert board.wait("a", start_s=2, done_s=5) == "Chromium crashed."
        assert board.wait("b", start_s=2, done_s=5) is None
    assert board.wait("a", start_s=0.1, done_s=1) is None  # reported once
    for i in range(10):
        export(f"t{i}", lambda: b"x")
    assert len(board._entries) == 4  # bounded
