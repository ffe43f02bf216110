"""The drawn graph, measured in Chromium (issue 12): on every step of the presets, at the
three screens — a 1280 × 800 desktop, a 1024 × 768 projector, a 390 × 844 phone — no two
texts overlap, none is cut at the chart's edge, no text is smaller than the screen's floor
(projector 16 px, phone and desktop 12 px), no "hover" note; in the app, the graph takes
at least half the projected screen and the running seed line and the formula are in view.

What is measured is what plotly drew: the SVG text boxes (tests/graph_measure.js).  The
same measurement gives the before/after table of the change: ``python3 tests/graph_measure.py``.
"""
from __future__ import annotations

import os

import pytest

from conftest import REPO_ROOT, wait_for_app_run
from graph_measure import APP_GRAPH, SCREENS, app_rows, bare_page, draw
from nnviz.draw.animation import update_animation_figure
from nnviz.draw.layout import screen_figure_size
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop

pytestmark = pytest.mark.browser
FLOOR = {"desktop": 12, "projected": 16, "phone": 12}  # px
ASSET = {"desktop": "graph-1280x800.png", "projected": "graph-projected-1024x768.png",
         "phone": "graph-phone-390x844.png"}


def _trace(name):
    cfg = PRESETS[name].config
    return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)


def _check(row, screen, where):
    assert not row["overlaps"], f"{where}: overlapping texts {row['overlaps']}"
    assert not row["cut"], f"{where}: texts cut at the edge {row['cut']}"
    assert row["min_px"] >= FLOOR[screen], f"{where}: text of {row['min_px']} px"
    assert not row["hover_note"], f"{where}: {row['hover_note']}"


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_figure_of_the_presets_drawn_at_its_size(page, screen):
    """The figures alone (as the player draws them: Plotly.react of the figure JSON)."""
    from nnviz.draw.figures import step_figure
    theme, w, h = screen_figure_size(screen)
    bare_page(page, w, h)
    for name in ("seed", "mazur", "xor"):
        trace = _trace(name)
        for i in range(len(trace)):
            _check(draw(page, step_figure(trace, i, theme=theme, width=w, height=h)), screen,
                   f"{name} step {i + 1} @ {screen}")
        _check(draw(page, update_animation_figure(trace, theme=theme, width=w, height=h)), screen,
               f"{name} update @ {screen}")


GRAPH = {"desktop": APP_GRAPH, "projected": APP_GRAPH, "phone": APP_GRAPH}  # the player's chart


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("name", ["seed", "mazur"])
def test_the_app_at_each_screen(page, streamlit_server, name, screen):
    """Every step with →: the graph as drawn in the page, and what else must be in view."""
    trace = _trace(name)
    shot = None
    if os.environ.get("NNVIZ_WRITE_ASSETS") == "1" and name == "seed":  # the README's pictures: step 12
        shot = (11, REPO_ROOT / "assets" / ASSET[screen])
    rows = app_rows(page, streamlit_server, name, screen, len(trace), GRAPH[screen], shot)
    vw, vh, projector = SCREENS[screen]
    for i, row in enumerate(rows):
        where = f"{name} step {i + 1} @ {screen}"
        _check(row, screen, where)
        assert row["page_w"] <= vw, f"{where}: the page scrolls sideways ({row['page_w']} px)"
        if projector:
            assert row["share"] >= 0.5, f"{where}: the graph is {row['share']:.0%} of the screen"
        if screen != "phone":
            assert row["code_in_view"], f"{where}: the running seed line is out of view"
            assert row["formula_in_view"], f"{where}: the formula is out of view"
        else:  # under the graph, the running lines only (no scrolling inside the panel)
            assert row["graph"][1] < vh / 2, f"{where}: the graph starts below half the screen"
            assert row["code_lines"] and not row["other_code_lines"], where
    wait_for_app_run(page, settle_ms=0)
