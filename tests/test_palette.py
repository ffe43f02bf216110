"""nnviz.draw.palette: colours, and text that reads on every node colour (WCAG AA).

The contrast is computed here from the colours themselves, by the WCAG 2 formulas written
out in this file (not the palette's own), over the whole RdBu scale plotly draws."""
from __future__ import annotations

import re

import numpy as np
import pytest
from plotly.colors import sample_colorscale

from nnviz.draw import palette
from nnviz.draw.figures import step_figure
from nnviz.engine.presets import PRESETS
from nnviz.trace.record import trace_backprop


def _channels(color: str) -> list[float]:
    if color.startswith("#"):
        return [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return [float(v) for v in re.findall(r"[\d.]+", color)[:3]]


def _wcag_luminance(color: str) -> float:
    """https://www.w3.org/TR/WCAG21/#dfn-relative-luminance"""
    lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
           for c in _channels(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _ratio(a: str, b: str) -> float:
    hi, lo = sorted((_wcag_luminance(a), _wcag_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_known_contrast_ratios():
    """The formula's fixed points: black on white 21:1, a colour on itself 1:1, and
    WebAIM's #767676 on white 4.54:1 (the lightest grey passing AA)."""
    assert _ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert _ratio("#2166ac", "#2166ac") == pytest.approx(1.0)
    assert _ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert palette.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_text_on_every_colour_of_the_scale_passes_aa():
    """At 2001 points along the scale and at its stops, the text colour nnviz picks is
    4.5:1 or better against the fill plotly draws there."""
    ts = list(np.linspace(0, 1, 2001))
    for t, fill in zip(ts, sample_colorscale(palette.COLORSCALE, ts), strict=True):
        assert _ratio(palette.text_on(fill), fill) >= 4.5, (t, fill)


def test_scale_color_is_the_fill_plotly_draws():
    """value -> colour as plotly maps cmin..cmax (here -2..2) onto the scale."""
    for v in (-2.0, -0.7, 0.0, 0.3, 2.0, 5.0):
        t = min(max((v + 2) / 4, 0), 1)
        assert palette.scale_color(v, 2.0) == sample_colorscale(palette.COLORSCALE, [t])[0]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_node_text_on_the_figures_passes_aa(name):
    """On every step of every preset: each coloured node's text against its own fill."""
    cfg = PRESETS[name].config
    trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    for i in range(len(trace)):
        fig = step_figure(trace, i)
        nodes = next(t for t in fig.data if t.name == "nodes")
        m = nodes.marker
        for v, ink in zip(m.color, nodes.textfont.color, strict=True):
            fill = sample_colorscale(palette.COLORSCALE, [(v - m.cmin) / (m.cmax - m.cmin)])[0]
            assert _ratio(ink, fill) >= 4.5, (i, v, ink, fill)
        for name_, ink, fill in (("nodes (not computed)", palette.UNKNOWN_TEXT, palette.UNKNOWN_FILL),
                                 ("nodes (other)", nodes.textfont.color and palette.INK, "#ffffff")):
            assert _ratio(ink, fill) >= 4.5, name_


def test_edge_label_inks_pass_aa_on_white():
    for ink in (palette.POS_TEXT, palette.NEG_TEXT, palette.DIM, palette.INK, palette.GREY):
        assert _ratio(ink, "#ffffff") >= 4.5, ink
