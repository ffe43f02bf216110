"""Helpers for the notebook tests: the example notebook's traces and the player's state.

``notebook_traces(nb)`` runs the notebook's own setup cells in this process (so the tests
never retype its numbers); ``STATE_JS`` reads a player page's label, graph text and numeric
formula (the client-side player's DOM, or the older page of slides); ``check_numbers``
asserts that a step's values, as ``nnviz.trace.numfmt.fmt`` writes them, are on the graph
and in the formula.
"""
from __future__ import annotations

import time

import numpy as np

from nnviz.trace.numfmt import fmt

# Steps whose output the graph labels (hover text and the formula carry sp and the bias updates).
GRAPH_KINDS = {"input", "z", "a", "delta", "nabla_b", "nabla_w", "update_w"}
MINUS = "\u2212"

STATE_JS = """() => {
  const text = e => e ? e.textContent.replace(/\\s+/g, ' ') : '';
  const p = document.querySelector('.nnviz-player');
  if (p) {  // the client-side player
    return {label: text(p.querySelector('.nnp-label')), drawn: p.dataset.drawn === p.dataset.step,
            graph: text(p.querySelector('.nnp-fig .main-svg') && p.querySelector('.nnp-fig')),
            numbers: text(p.querySelector('.nnp-num:not([hidden])'))};
  }
  const s = document.querySelector('.slide:not([hidden])');  // the page of slides
  return {label: text(document.getElementById('counter')), drawn: !!(s && s.querySelector('.main-svg')),
          graph: text(s && s.querySelector('.main-svg') && s.querySelector('.fig')),
          numbers: text(s && s.querySelector('.tex.numbers'))};
}"""


def check_numbers(st: dict, step, i: int) -> None:
    for v in np.ravel(step.value):
        want = fmt(v).replace("-", MINUS)
        if step.kind in GRAPH_KINDS:
            assert want in st["graph"], (i, step.kind, want, st["graph"][:400])
        assert want in st["numbers"], (i, step.kind, want, st["numbers"][:400])


def player_frame(page, k: int, timeout_ms: float = 30_000):
    """The k-th player's frame (in page order), once it has loaded its page."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        frames = [f for f in page.frames if f.url.startswith("about:srcdoc")]
        if len(frames) > k or time.monotonic() > deadline:
            return frames[k]
        page.wait_for_timeout(100)


def state(page, k: int) -> dict:
    return player_frame(page, k).evaluate(STATE_JS)


def wait_step(page, k: int, label: str) -> dict:
    frame = player_frame(page, k)
    frame.wait_for_function(f"() => {{ const s = ({STATE_JS})(); return s.drawn && s.label.includes({label!r}); }}",
                            timeout=15_000)
    return frame.evaluate(STATE_JS)


def notebook_traces(nb) -> tuple:
    """(the trace of the notebook's ``nnviz.show`` player, the trace its last cell displays)."""
    ns: dict = {}
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = next(i for i, c in enumerate(code) if "nnviz.show(" in c.source)
    for c in code[: first + 1]:
        exec(c.source, ns)  # noqa: S102  (our own example notebook)
    last = code[-1].source.strip()
    assert last.startswith("nnviz.trace_backprop(")
    return ns["player"].trace, eval(last, ns)  # noqa: S307
