"""Browser helpers for the client-side player (nnviz/player/player.js), wherever it is hosted.

    player_state(page)            -> what the player shows now (step, label, numbers, fonts)
    wait_step(page, i)            -> waits until position i (0-based) is drawn, returns its state
    assert_numbers_match(state, trace, i)  the graph's and the formula's numbers equal the trace's
    swipe(page, dx)               -> a one-finger horizontal swipe over the graph (touch events)
"""
from __future__ import annotations

import re

import numpy as np

from test_walkthrough import close, result

PLAYER = ".nnviz-player"

STATE_JS = """(sel) => {
  const r = document.querySelector(sel);
  if (!r) return null;
  const gd = r.querySelector('.nnp-fig');
  const nodes = gd && gd.data ? gd.data.find(t => t.name === 'nodes') : null;
  const tex = e => { const a = e && e.querySelector('annotation'); return a ? a.textContent : null; };
  const fams = new Set();
  r.querySelectorAll('.nnp-side .katex-html *').forEach(e => {
    if (e.childElementCount === 0 && e.textContent.trim()) fams.add(getComputedStyle(e).fontFamily.split(',')[0].replace(/"/g, '').trim());
  });
  return {step: Number(r.dataset.step), drawn: Number(r.dataset.drawn || 0), phase: r.dataset.phase,
          label: r.querySelector('.nnp-label').textContent,
          svg: !!r.querySelector('.nnp-fig .main-svg'), traces: gd && gd.data ? gd.data.length : 0,
          frames: gd && gd._transitionData ? gd._transitionData._frames.length : 0,
          nodes: nodes ? {ids: nodes.customdata, colour: nodes.marker.color} : null,
          sym: tex(r.querySelector('.nnp-sym')), num: r.querySelector('.nnp-num').hidden ? null : tex(r.querySelector('.nnp-num')),
          katexErrors: r.querySelectorAll('.katex-error').length,
          hl: [...r.querySelectorAll('.nnp-code:not([hidden]) .nnviz-code .hl .no')].map(e => Number(e.textContent)),
          fonts: [...fams], title: gd && gd.layout && gd.layout.title ? gd.layout.title.text : ''};
}"""


def player_state(page, selector: str = PLAYER) -> dict:
    return page.evaluate(STATE_JS, selector)


def wait_step(page, i: int, selector: str = PLAYER, timeout_ms: float = 10_000) -> dict:
    """Wait until the player shows position ``i`` (0-based) with its chart drawn."""
    page.wait_for_function(
        "([sel, n]) => { const r = document.querySelector(sel); return r && r.dataset.step === String(n)"
        " && r.dataset.drawn === String(n) && !!r.querySelector('.nnp-fig .main-svg'); }",
        arg=[selector, i + 1], timeout=timeout_ms)
    return player_state(page, selector)


def assert_numbers_match(state: dict, trace, i: int) -> None:
    """Position i shows step i: its label, formula result, highlighted seed lines, and
    (for a, δ and x) the graph's node colours are the trace's values."""
    s = trace[i]
    assert state["label"] == f"Step {i + 1} of {len(trace)}", state["label"]
    assert state["katexErrors"] == 0 and state["sym"] == s.latex("matrix")
    shown = result(state["num"])
    assert len(shown) == s.value.size and all(close(a, b) for a, b in zip(shown, s.value.ravel(), strict=True)), \
        (i, state["num"])
    assert state["hl"] == list(s.code.lines)
    assert f"Step {i + 1}/{len(trace)}" in re.sub("<[^>]+>", "", state["title"])
    if s.kind in ("input", "a", "delta"):
        colour = {tuple(c): v for c, v in zip(state["nodes"]["ids"], state["nodes"]["colour"], strict=True)}
        got = [colour[(s.layer, j)] for j in range(s.value.shape[0])]
        np.testing.assert_allclose(got, s.value[:, 0], rtol=1e-12)


def swipe(page, dx: float, selector: str = PLAYER) -> None:
    """A one-finger swipe of ``dx`` px across the player's graph (needs a touch context)."""
    page.evaluate("""([sel, dx]) => {
      const el = document.querySelector(sel + ' .nnp-fig'), b = el.getBoundingClientRect();
      const x = b.left + b.width / 2, y = b.top + b.height / 2;
      const t = (cx) => new Touch({identifier: 1, target: el, clientX: cx, clientY: y});
      el.dispatchEvent(new TouchEvent('touchstart', {touches: [t(x)], changedTouches: [t(x)], bubbles: true}));
      el.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [t(x + dx)], bubbles: true}));
    }""", [selector, dx])
