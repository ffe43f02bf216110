"""The app's CSS: ``app.css`` always, ``projector.css`` in projection mode (package data).

Passed to ``st.html`` as one ``<style>`` element; the files are read once per process.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
STYLESHEETS = {False: ("app.css",), True: ("app.css", "projector.css")}


@cache
def page_css(projector: bool) -> str:
    """``<style>`` + the stylesheets for this mode + ``</style>`` (our own files only)."""
    css = "\n".join((HERE / name).read_text(encoding="utf-8") for name in STYLESHEETS[bool(projector)])
    return f"<style>\n{css}</style>"
