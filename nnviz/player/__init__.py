"""The client-side player's files (package data) and where its libraries are installed.

``player.js`` (an ES module exporting ``render(el, walkthrough, options)``) and
``player.css`` draw a walk-through from ``nnviz.export.walkthrough``; ``offline.js`` boots
it in the offline HTML file (``page.html.j2``); ``streamlit_host.js`` in the app.  The
libraries it needs: plotly.js from the installed plotly package and the vendored KaTeX.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
KATEX = HERE.parent / "vendor" / "katex"


def plotly_js_path() -> Path:
    """plotly.min.js of the installed plotly package (the version that made the figures)."""
    import plotly
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@cache
def text(name: str) -> str:
    """The text of one of the player's files, e.g. ``text("player.js")``."""
    return (HERE / name).read_text(encoding="utf-8")
