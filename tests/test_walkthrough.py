"""The walk-through contract (``nnviz.export.walkthrough``): what the player draws.

The numbers in the JSON are checked against the trace (and the update against its own
arithmetic, w − (η/m)·∇w), parsed back from the text the player shows.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nnviz.engine.config import random_config
from nnviz.engine.presets import PRESETS
from nnviz.draw.animation import update_animation_figure
from nnviz.draw.figures import step_figure
from nnviz.draw.layout import SCREENS
from nnviz.export.walkthrough import FIG_WIDTH, PHONE, neuron_counts, step_figures, update_figure, walkthrough
from nnviz.trace.table import update_rows
from nnviz.trace.record import trace_backprop

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:\\times 10\^\{(-?\d+)\})?")


def make(cfg):
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


def numbers(latex: str) -> list[float]:
    """The numbers of a LaTeX fragment, in order ("1.5\\times 10^{-7}" is one number)."""
    out = []
    for m in NUMBER.finditer(latex.replace("{-}", "-")):
        head = m.group().split("\\times")[0]
        out.append(float(head) * (10.0 ** int(m.group(1)) if m.group(1) else 1.0))
    return out


def result(latex: str) -> list[float]:
    """The numbers after the formula's last '=' (its result)."""
    return numbers(latex.rpartition(" = ")[2])


def close(shown: float, true: float, sig: int = 4) -> bool:
    """``shown`` is ``true`` rounded to ``sig`` significant digits."""
    return abs(shown - true) <= 0.51 * 10 ** (np.floor(np.log10(abs(true) or 1)) - sig + 1) + 1e-300


@pytest.fixture(scope="module")
def seed():
    t = make(PRESETS["seed"].config)
    return t, walkthrough(t)


def test_one_entry_per_step_and_it_is_json(seed):
    trace, wt = seed
    assert wt["format"] == "nnviz-walkthrough" and len(wt["steps"]) == len(trace)
    text = json.dumps(wt, allow_nan=False)  # plain JSON: no NaN, no numpy types
    assert json.loads(text) == wt
    for i, (s, e, fig) in enumerate(zip(trace.steps, wt["steps"], step_figures(wt), strict=True)):
        assert e["label"] == f"Step {i + 1} of {len(trace)}" and e["phase"] == s.phase
        assert fig["layout"]["width"] == FIG_WIDTH["light"]
        code = wt["code"][e["code"]]
        marked = [int(n) for n in re.findall(r'data-hl=1><span class="no">\s*(\d+)</span>', code)]
        assert marked == list(s.code.lines)


def test_matrix_numbers_are_the_steps_values(seed):
    trace, wt = seed
    for s, e in zip(trace.steps, wt["steps"], strict=True):
        shown = result(e["numbers"]["matrix"])
        assert len(shown) == s.value.size, e["numbers"]["matrix"]
        assert all(close(a, b) for a, b in zip(shown, s.value.ravel(), strict=True)), (s, shown)


def test_one_neuron_numbers_for_every_neuron(seed):
    trace, wt = seed
    for s, e in zip(trace.steps, wt["steps"], strict=True):
        n = e["neurons"]
        assert n == neuron_counts(s, trace.sizes)
        assert len(e["numbers"]["scalar"]) == n["j"] and all(len(r) == n["k"] for r in e["numbers"]["scalar"])
        for j in range(n["j"]):
            for k in range(n["k"]):
                v = s.value[j, 0] if s.value.shape[1] == 1 else s.value[j, k]
                assert close(result(e["numbers"]["scalar"][j][k])[-1], v), (s, j, k)
        assert e["tex"] == {"matrix": s.latex("matrix"), "scalar": s.latex("scalar")}


def test_graph_colours_the_values_the_step_computed(seed):
    trace, wt = seed
    checked = 0
    for s, fig in zip(trace.steps, step_figures(wt), strict=True):
        if s.kind not in ("input", "a", "delta"):
            continue
        nodes = next(d for d in fig["data"] if d.get("name") == "nodes")
        colour = {tuple(c): v for c, v in zip(nodes["customdata"], nodes["marker"]["color"], strict=True)}
        for j in range(s.value.shape[0]):
            assert colour[(s.layer, j)] == pytest.approx(s.value[j, 0], rel=1e-12)
            checked += 1
    assert checked == sum(trace.sizes) + sum(trace.sizes[1:])  # x, every a, every delta


def test_update_rows_before_after_and_their_arithmetic(seed):
    trace, wt = seed
    rows = wt["update"]["rows"]
    assert len(rows) == sum(w.size + b.size for w, b in zip(trace.weights, trace.biases, strict=True))
    for r in rows:
        old, new = (trace.weights, trace.new_weights) if r["p"] == "w" else (trace.biases, trace.new_biases)
        idx = (r["j"] - 1, (r["k"] or 1) - 1)
        before, grad, after = float(r["before"]), float(r["gradient"]), float(r["after"])
        assert close(before, old[r["l"] - 1][idx], 6) and close(after, new[r["l"] - 1][idx], 6)
        assert after == pytest.approx(before - trace.eta / trace.m * grad, rel=1e-4, abs=1e-6)
    frames = update_figure(wt)["frames"]
    assert len(frames) == 20


def test_theme_and_size_reach_the_figures():
    trace = make(PRESETS["mazur"].config)
    wt = walkthrough(trace, theme="projector", width=700, height=500)
    lay = step_figures(wt)[3]["layout"]
    assert (lay["width"], lay["height"]) == (700, 500)
    assert update_figure(wt)["layout"]["width"] == 700 and wt["theme"] == "projector"


@settings(max_examples=6, deadline=None)
@given(sizes=st.lists(st.integers(1, 3), min_size=2, max_size=3), seed=st.integers(0, 10_000))
def test_any_small_network_matches_its_trace(sizes, seed):
    trace = make(random_config(sizes, seed))
    wt = walkthrough(trace)
    for s, e in zip(trace.steps, wt["steps"], strict=True):
        assert all(close(a, b) for a, b in zip(result(e["numbers"]["matrix"]), s.value.ravel(), strict=True))
    assert [float(r["after"]) for r in update_rows(trace) if r["p"] == "b"] == pytest.approx(
        np.concatenate([b.ravel() for b in trace.new_biases]), rel=1e-5, abs=1e-9)


def _json(fig) -> dict:
    return json.loads(fig.to_json())


def test_the_patches_give_back_every_figure_whole(seed):
    """The walk-through stores each step's figure as the patch from the step before; put
    back, every figure (desktop and phone, steps and the update's frames) is the figure
    step_figure / update_animation_figure draw, and the patches are smaller."""
    trace, wt = seed
    _, w, h = SCREENS["desktop"]
    whole = [_json(step_figure(trace, i, width=w, height=h)) for i in range(len(trace))]
    assert step_figures(wt) == whole
    assert step_figures(wt, phone=True) == [_json(step_figure(trace, i, theme="phone", width=PHONE[1], height=PHONE[2]))
                                            for i in range(len(trace))]
    assert update_figure(wt) == _json(update_animation_figure(trace, width=w, height=h))
    assert update_figure(wt, phone=True) == _json(update_animation_figure(trace, theme="phone", width=PHONE[1],
                                                                          height=PHONE[2]))
    size = lambda v: len(json.dumps(v))  # noqa: E731
    assert all(size(s["figure_patch"]) < size(f) for s, f in zip(wt["steps"][1:], whole[1:], strict=True))
    assert wt["version"] == 2 and "figure" not in wt["steps"][0]
    with pytest.raises(ValueError, match="no phone figures"):
        step_figures(walkthrough(trace, phone=False), phone=True)
