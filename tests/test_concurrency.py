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
    monkeypatch.setattr(images, "RENDER_TIMEOUT_S", 0.5)
    return images


def test_one_sessions_timeout_does_not_break_another_sessions_export(fake_browser):
    images = fake_browser
    # the hanging export times out at 0.5 s; the two-figure one (1 s allowed) ends after that
    jobs = [[{"hang": 1}], [{"ms": 450}], [{"ms": 700}, {"ms": 50}]]
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
