"""Shared helpers for the Streamlit AppTest files."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT = 60


def make_app(**params) -> AppTest:
    """Run app.py once with ``params`` as its URL query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def latex_shown(at) -> list[str]:
    """The LaTeX of every st.latex element, without the $$ fences AppTest keeps."""
    return [e.value.strip().removeprefix("$$").removesuffix("$$").strip() for e in at.latex]
