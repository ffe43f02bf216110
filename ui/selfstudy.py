"""Self-study panels: predict-then-reveal, gradient check, reference check, mistakes, training.

(Stubs: filled in by the self-study work; app.py already calls these.)
"""
from __future__ import annotations

import streamlit as st

from nnviz.trace import Trace


def predict_ui(ss, trace: Trace, i: int) -> bool:
    """Ask for a prediction of step i's result; return True once it may be revealed."""
    return True


def checks_ui(ss, cfg, trace: Trace, i: int) -> None:
    """Gradient check, reference check (Mazur preset) and common mistakes, below the explorer."""


def training_ui(ss) -> None:
    """The training view (replaces the explorer in mode 'train')."""
    st.info("Training view: coming soon.")
