"""Downloads (HTML walk-through, PNG/SVG/GIF, JSON trace) and JSON upload, in the sidebar.

(Stubs: filled in by the export work; app.py already calls these.)
"""
from __future__ import annotations

from nnviz.trace import Trace


def export_ui(ss, cfg_json: str, trace: Trace, i: int, theme: str) -> None:
    """Download buttons for the current view."""


def upload_ui(ss) -> None:
    """Load a JSON config or trace; on success make it the current network (via ui.editing)."""
