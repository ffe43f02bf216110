"""The explorer's panels: the page's CSS, step controls, graph, equation, code, update numbers."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from nnviz.trace.table import update_rows
from nnviz.trace.codeview import code_html
from nnviz.trace.record import Step, Trace

HERE = Path(__file__).resolve().parent
# The app's CSS (package data): app.css always, projector.css in projection mode.
STYLESHEETS = {False: ("app.css",), True: ("app.css", "projector.css")}


@cache
def page_css(projector: bool) -> str:
    """``<style>`` + the stylesheets for this mode + ``</style>`` (our own files, read once)."""
    css = "\n".join((HERE / name).read_text(encoding="utf-8") for name in STYLESHEETS[bool(projector)])
    return f"<style>\n{css}</style>"


PHASE_BADGE = {"forward": ":blue-badge[Forward]", "backward": ":orange-badge[Backward]",
               "update": ":green-badge[Update]"}


def md_escape(text: str) -> str:
    """Our own prose as Markdown, with the characters Markdown would reinterpret escaped."""
    for ch in "\\*_{}[]<>#+!|~$":
        text = text.replace(ch, "\\" + ch)
    return text


def _go(ss, i: int) -> None:
    ss.ui["step"] = i


def _move(ss, delta: int, n: int) -> None:
    """Step from the *current* step: rapid key presses each count, even if they arrive
    before the page has redrawn."""
    ss.ui["step"] = min(max(ss.ui["step"] + delta, 0), n - 1)


def _on_scrub(ss) -> None:
    ss.ui["step"] = ss.scrub - 1


def step_controls_ui(ss, n: int) -> int:
    """First / Previous / scrubber / Next / Last, with keyboard shortcuts; returns the step."""
    i = min(ss.ui["step"], n - 1)
    ss.ui["step"] = i
    ss.scrub = i + 1
    cols = st.columns([1, 1, 1, 1, 2], vertical_alignment="center")  # "First Home" fits at 1024 px
    cols[0].button("First", icon=":material/first_page:", key="first", help="First step (Home)", on_click=_go, args=(ss, 0),
                   shortcut="Home", disabled=i == 0, width="stretch")
    cols[1].button("Prev", icon=":material/chevron_left:", key="prev", help="Previous step (← or Page Up)", on_click=_move,
                   args=(ss, -1, n), shortcut="Left", disabled=i == 0, width="stretch")
    cols[2].button("Next", icon=":material/chevron_right:", key="next", help="Next step (→ or Page Down)", on_click=_move,
                   args=(ss, 1, n), shortcut="Right", disabled=i == n - 1,
                   width="stretch", type="primary")
    cols[3].button("Last", icon=":material/last_page:", key="last", help="Last step (End)", on_click=_go, args=(ss, n - 1),
                   shortcut="End", disabled=i == n - 1, width="stretch")
    with cols[4]:
        st.slider("Step", 1, n, key="scrub", on_change=_on_scrub, args=(ss,),
                  label_visibility="collapsed", help="Drag to any step of the call")
    # A presenter's clicker sends Page Down / Page Up: the same moves, on keys only.
    with st.container(key="clicker"):
        st.button("next-page", key="pgdn", on_click=_move, args=(ss, 1, n), shortcut="PageDown")
        st.button("prev-page", key="pgup", on_click=_move, args=(ss, -1, n), shortcut="PageUp")
    return i


def step_heading_ui(trace: Trace, i: int) -> None:
    step = trace[i]
    phase, _, rest = step.title.partition(" · ")
    st.markdown(f"{PHASE_BADGE[step.phase]} **Step {i + 1} of {len(trace)}** · {md_escape(rest)}")


def neuron_choice_ui(ss, step: Step, sizes: list[int]) -> tuple[int, int]:
    """Which neuron (j) and, for weights, which input (k) the scalar view shows."""
    n_j = sizes[step.layer] if step.layer < len(sizes) else 1
    j = min(ss.ui["j"], n_j - 1)
    k = 0
    cols = st.columns(2)
    j = cols[0].selectbox("neuron j", range(n_j), index=j, format_func=lambda v: f"j = {v + 1}",
                          key=f"j-{step.layer}")
    if step.op.matrix:
        n_k = sizes[step.layer - 1]
        k = cols[1].selectbox("input k", range(n_k), index=min(ss.ui["k"], n_k - 1),
                              format_func=lambda v: f"k = {v + 1}", key=f"k-{step.layer}")
        ss.ui["k"] = k
    ss.ui["j"] = j
    return j, k


def two_lines(latex: str, limit: int = 160) -> str:
    """A long filled-in formula with its result on a second line, so it fits a column."""
    head, sep, result = latex.rpartition(" = ")
    if not sep or len(latex) < limit:
        return latex
    return r"\begin{gathered}" + head + r" \\ = " + result + r"\end{gathered}"


def equation_ui(ss, trace: Trace, i: int, show_numbers: bool = True) -> None:
    """The formula, symbolic and with numbers, in matrix or one-neuron view."""
    step = trace[i]
    view = st.segmented_control("View", ["matrix", "scalar"], key="view_choice",
                                default=ss.ui["view"], format_func=lambda v: {
                                    "matrix": "Matrix (whole layer)", "scalar": "One neuron"}[v],
                                label_visibility="collapsed") or ss.ui["view"]
    ss.ui["view"] = view
    j = k = 0
    if view == "scalar" and not step.op.given:
        j, k = neuron_choice_ui(ss, step, trace.sizes)
    st.latex(step.latex(view))
    if show_numbers:
        st.latex(two_lines(step.latex_numbers(view, j, k)))


def code_ui(step: Step, font_px: int = 14) -> None:
    st.html(code_html(step.code.source, step.code.lines, step.code.note, font_px))


def update_numbers_ui(trace: Trace) -> None:
    """Before/after table of every weight and bias in the update."""
    rows = [{"parameter": f"{r['p']}^{r['l']}_{r['j']}{r['k'] or ''}", "before": r["before"],
             "gradient Σ∂C/∂·": r["gradient"], "after": r["after"]} for r in update_rows(trace, sig=4)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(36 * len(rows) + 40, 320))
