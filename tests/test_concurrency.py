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
