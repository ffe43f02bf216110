"""Pixel-aware layout of the network figure: themes, the screens, text widths, title wrapping,
geometry.

``make_scene`` lays one network out at one figure size (node positions and sizes, edge widths,
axis ranges and margins), in px: one data unit is one pixel, x from the plot area's left
edge, y up from its bottom edge.  ``nnviz.draw.figures`` and ``nnviz.draw.labels`` work in
these px.  Node positions do not depend on the step: stepping never moves the network.
"""
from __future__ import annotations

import math
import re
from collections import namedtuple
from types import MappingProxyType

import numpy as np

from nnviz.draw.graph import network_graph, signed
from nnviz.trace.numfmt import fmt


# Sizes in px: font (legend, colour bar, hover), label (node/edge/target labels), title,
# node (largest node diameter), edge ((thinnest, thickest) edge), ring (highlight line),
# size ((width, height) assumed when not given), row (default height per neuron row).
Theme = namedtuple("Theme", "font label title node edge ring size row")
THEMES = MappingProxyType({
    "light": Theme(13, 13, 16, 76, (0.8, 7.0), 3.0, (960, 560), 110),
    # the back row of a lecture hall: no text under 18 px
    "projector": Theme(18, 18, 22, 112, (1.5, 11.0), 5.0, (600, 690), 150),
    # a phone held upright (390 px screen, 8 px page padding each side): 12 px text
    "phone": Theme(12, 12, 14, 52, (0.8, 5.0), 2.5, (374, 560), 90),
})
# The graph's space on each screen nnviz is used on: (theme, width, height) px.
# desktop: the left 3/5 of a 1280 px page; projected: 1024 × 768, the graph beside the
# equation and taking over half the screen; phone: 390 × 844, the page's full width.
SCREENS = MappingProxyType({
    "desktop": ("light", 660, 520),
    "projected": ("projector", 600, 690),
    "phone": ("phone", 374, 560),
    "notebook": ("light", 760, 520),
})
EXTRA_LINES = 3  # lines of a node's step values drawn under it (``graph.node_extras``)


def screen_figure_size(screen: str) -> tuple[str, int, int]:
    """(theme, width, height) of the graph on ``screen`` (a key of SCREENS)."""
    if screen not in SCREENS:
        raise ValueError(f"Unknown screen {screen!r}; choose one of: {', '.join(SCREENS)}.")
    return SCREENS[screen]


def get_theme(name: str) -> Theme:
    if name in THEMES:
        return THEMES[name]
    raise ValueError(f"Unknown theme {name!r}; choose one of: {', '.join(THEMES)}.")


def text_width(text: str, size: float) -> float:
    """Width (px) of the widest line of sans-serif text at ``size`` px, by DejaVu Sans's
    advances (wider than Arial's: a layout that fits this fits either)."""
    em = {".": 0.318, ",": 0.318, ":": 0.337, " ": 0.318, "+": 0.838, "−": 0.838, "=": 0.838,
          "→": 0.838, "∇": 0.84, "δ": 0.61, "σ": 0.63, "′": 0.3, "Σ": 0.7, "━": 1.0, "╍": 1.0,
          "◯": 1.1, "?": 0.531, "i": 0.278, "l": 0.278, "j": 0.278, "t": 0.392, "r": 0.411,
          "f": 0.352, "w": 0.818, "m": 0.974, "₁": 0.4, "₂": 0.4, "₃": 0.4, "₄": 0.4}
    lines = re.sub(r"<[^>]*>", "", text.replace("<br>", "\n")).replace("&gt;", ">").replace(
        "&lt;", "<").split("\n")
    return max(size * sum(em.get(c, 0.636 if c.isdigit() else 0.62) for c in line) for line in lines)


def wrap_title(title: str, th: Theme, width) -> tuple[str, int]:
    """The title broken (at " · ", ", " or "  ") into lines that fit ``width``; (text, lines)."""
    room = 0.99 * int(width or th.size[0]) - 10
    words = re.split(r"(?<=· )|(?<=, )|(?<=  )", title)
    lines = [""]
    for w in words:
        if lines[-1] and text_width(lines[-1] + w.rstrip(), th.title) > room:
            lines.append("")
        lines[-1] += w
    return "<br>".join(x.strip() for x in lines), len(lines)


# Pixel-aware geometry of one network at one size: node positions ``pos`` and default
# edge hover points ``spread`` (px in the plot area); node diameter and ring growth (read,
# write) in px; whether node labels fit ``inside`` nodes (else ``label_dy`` px above them);
# edge widths and opacity; axis ranges; px per data unit (sx, sy: 1); figure width, height
# and margins; whether the targets go under the output nodes (a narrow figure).
Scene = namedtuple("Scene", "pos spread node_px grow inside label_dy edge_px edge_alpha "
                             "xr yr sx sy width height margin target_below")


def _columns(sizes, left: float, right: float, least: float) -> list[float]:
    """x (px) of each layer: every gap at least ``least`` wide (a label and a node), the rest
    shared ∝ edges, so a crowded layer gets the room its labels need."""
    weights = [a * b for a, b in zip(sizes, sizes[1:])]
    spare = max(right - left - least * len(weights), 0)
    xs, total = [left], sum(weights)
    for w in weights:
        xs.append(xs[-1] + min(least, (right - left) / len(weights)) + spare * w / total)
    return xs


def make_scene(trace, th: Theme, width, height, bottom_px=0, top_px=0) -> Scene:
    sizes, g = trace.sizes, network_graph(trace.sizes)
    rows = max(sizes)
    vals = [s.value for s in trace.steps if s.kind in ("input", "z", "a", "delta", "update_b")]
    longest = max((signed(v) for a in vals for v in np.ravel(a)), key=len)
    w = int(width or th.size[0])
    h = int(height or min(th.size[1] + 200, max(th.size[1] * 0.6, 150 + th.row * max(rows, 3))))
    margin = {"l": 4, "r": 4, "t": 18 + int(1.3 * th.title + 1.5 * th.label) + top_px,
              "b": 8 + bottom_px}
    plot_w, plot_h = w - margin["l"] - margin["r"], h - margin["t"] - margin["b"]
    lab_h, lab_w = 1.3 * th.label, text_width("z=" + longest, th.label)
    # labels inside nodes only while the nodes stay small beside the gaps between layers
    node = min(th.node, 0.16 * plot_w, 0.8 * plot_h / rows)
    inside = lab_w + 10 <= node and 2.6 * lab_h + 8 <= node
    node = min(node, lab_w + 14) if inside else min(node, max(0.08 * plot_w, 22))
    grows = lambda n: (0.08 * n + 3, max(0.25 * n, 2 * th.ring) + 4)  # noqa: E731
    outer = lambda n: (n + grows(n)[1] + th.ring) / 2 + 2  # write ring's outer radius  # noqa: E731
    below = w < 640  # a narrow figure: the targets y_j go under the output nodes, not beside them
    under = (EXTRA_LINES + below) * lab_h + 4  # a node's step values (and target), under it
    while node > 12 and 2 * outer(node) + lab_h * (0 if inside else 1) + under + 8 > plot_h / rows:
        node -= 1  # a smaller node, its labels above and under its rings, within one row
    top = outer(node) + 10 + (0 if inside else lab_h)
    bottom = outer(node) + under
    # Nodes and rings are drawn over the margin (cliponaxis False), so a left margin as wide
    # as the write ring keeps the first column whole when the chart is drawn narrower.
    shift = max(math.ceil(outer(node)) + 2 - margin["l"], 0)
    margin["l"] += shift
    plot_w -= shift
    pad_l = max(0, (0 if inside else lab_w / 2 + 2) - margin["l"], text_width(longest, th.label) / 2 - margin["l"])
    target = text_width("y8 = " + max(map(fmt, np.ravel(trace.y)), key=len), th.label)
    # the output column's texts: its value above, its target (beside or under) and the
    # values a step reads or writes under it ("∇b=−0.1167")
    L = len(sizes) - 1
    out_vals = [v for s in trace.steps if s.layer == L and s.kind in ("z", "a", "delta")
                for v in np.ravel(s.value)] + list(np.ravel(trace.biases[-1]))
    under_w = max([text_width("∇b=" + signed(v), th.label) for v in out_vals]
                  + ([target] if below else []))
    pad_r = max(outer(node), under_w / 2 + 2, 0 if below else 0.64 * node + 4 + target) + 4
    least = node + 0.8 * text_width("∇ −0.000000", th.label)
    cols = _columns(sizes, pad_l, plot_w - pad_r, least)
    step_y = (plot_h - top - bottom) / (rows - 1) if rows > 1 else 0
    mid = bottom + (plot_h - top - bottom) / 2
    pos = {v: (cols[d["layer"]], mid + step_y * ((sizes[d["layer"]] - 1) / 2 - d["index"]))
           for v, d in g.nodes(data=True)}
    spread = {}
    for u, v, d in g.edges(data=True):  # hover points: t in [.3, .7] by source neuron
        n = sizes[d["layer"] - 1]
        t = 0.5 if n == 1 else 0.3 + 0.4 * d["k"] / (n - 1)
        spread[(u, v)] = tuple(a + t * (b - a) for a, b in zip(pos[u], pos[v]))
    dense = max(a * b for a, b in zip(sizes, sizes[1:]))
    edge_px = (th.edge[0], th.edge[0] + (th.edge[1] - th.edge[0]) * min(1.0, 3.5 / dense ** 0.5))
    return Scene(MappingProxyType(pos), MappingProxyType(spread), node, grows(node), inside,
                  outer(node), edge_px, 1.0 if dense <= 16 else 0.65,
                  (0.0, float(plot_w)), (0.0, float(plot_h)), 1.0, 1.0, w, h,
                  MappingProxyType(margin), below)
