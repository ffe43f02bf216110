"""Pixel-aware layout of the network figure: themes, text widths, title wrapping, geometry.

``make_scene`` lays one network out at one figure size (node positions and sizes, edge widths,
axis ranges and margins) so that ``nnviz.draw.figures`` and ``nnviz.draw.labels`` work in px.
"""
from __future__ import annotations

import math
import re
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
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
    "projector": Theme(20, 20, 24, 112, (1.5, 11.0), 5.0, (1024, 768), 150),
})


def get_theme(name: str) -> Theme:
    if name in THEMES:
        return THEMES[name]
    raise ValueError(f"Unknown theme {name!r}; choose one of: {', '.join(THEMES)}.")


def text_width(text: str, size: float) -> float:
    """Rough width (px) of the widest line of Arial text at ``size`` px."""
    em = {".": 0.28, ",": 0.28, ":": 0.28, " ": 0.28, "+": 0.59, "−": 0.59, "=": 0.59, "→": 1.0}
    lines = re.sub(r"<[^>]*>", "", text.replace("<br>", "\n")).split("\n")
    return max(size * sum(em.get(c, 0.56) for c in line) for line in lines)


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
# edge hover points ``spread`` (data units); node diameter and ring growth (read, write) in
# px; whether node labels fit ``inside`` nodes (else ``label_dy`` px above them); edge widths
# and opacity; axis ranges; px per data unit (sx, sy); figure width, height and margins.
@dataclass(frozen=True)
class Scene:
    pos: Mapping          # node -> (x, y) in data units
    spread: Mapping       # edge -> its hover point (data units)
    node_px: float        # largest node diameter
    grow: tuple           # ring growth (read, write), px
    inside: bool          # node labels fit inside the nodes
    label_dy: float       # else: px above them
    edge_px: tuple        # (thinnest, thickest) edge
    edge_alpha: float
    xr: tuple             # axis ranges
    yr: tuple
    sx: float             # px per data unit
    sy: float
    width: int            # figure size and margins, px
    height: int
    margin: Mapping


def make_scene(trace, th: Theme, width, height, bottom_px=0, top_px=0) -> Scene:
    sizes, g = trace.sizes, network_graph(trace.sizes)
    pos = {v: d["pos"] for v, d in g.nodes(data=True)}
    xs, ys = sorted({p[0] for p in pos.values()}), [p[1] for p in pos.values()]
    unit, rows = xs[1] - xs[0], max(sizes)  # multipartite: one unit between layers and rows
    vals = [s.value for s in trace.steps if s.kind in ("input", "z", "a", "delta", "update_b")]
    longest = max((signed(v) for a in vals for v in np.ravel(a)), key=len)
    h = int(height or min(th.size[1] + 200, max(th.size[1] * 0.6, 150 + th.row * max(rows, 3))))
    margin = {"l": 10, "r": 10 + 5 * th.font, "t": 24 + int(1.3 * th.title + 1.6 * th.label) + top_px,
              "b": 30 + 3 * th.font + bottom_px}
    plot_w = int(width or th.size[0]) - margin["l"] - margin["r"]
    plot_h = h - margin["t"] - margin["b"]
    lab_h, lab_w = 1.3 * th.label, text_width(longest, th.label)
    node = min(th.node, 0.45 * plot_w / len(xs), 0.8 * plot_h / rows)
    inside = lab_w <= node - 8
    # no larger than its label needs (labels above: smaller still): room for edge labels
    node = min(node, lab_w + 14) if inside else min(node, max(0.3 * plot_w / len(xs), 24))
    grows = lambda n: (0.08 * n + 3, max(0.25 * n, 2 * th.ring) + 4)  # noqa: E731
    outer = lambda n: (n + grows(n)[1] + th.ring) / 2 + 2  # write ring's outer radius  # noqa: E731
    while not inside and node > 10 and 2 * outer(node) + lab_h + 2 > plot_h / rows:
        node -= 1  # a smaller node, its label above its rings, within one row
    top, bottom = outer(node) + 8 + (0 if inside else lab_h), outer(node) + 8
    sy = ((plot_h - top - bottom) / (rows - 1) if rows > 1 else plot_h) / unit
    pad_l = max(node / 2, 0 if inside else lab_w / 2) + 8
    # Nodes and rings are drawn over the margin (cliponaxis False), so a left margin as wide
    # as the write ring keeps the first column whole when the chart is shown narrower than
    # laid out; the plot starts further right by what the padding gives up (same positions).
    shift = max(math.ceil(outer(node)) + 2 - margin["l"], 0)
    margin["l"] += shift
    plot_w -= shift
    pad_l = max(pad_l - shift, 0)
    pad_r = node * 0.64 + text_width("y8 = " + max(map(fmt, np.ravel(trace.y)), key=len), th.label) + 20
    sx = (plot_w - pad_l - pad_r) / (xs[-1] - xs[0])
    mid, half = (max(ys) + min(ys)) / 2, (plot_h - top - bottom) / 2 / sy
    spread = {}
    for u, v, d in g.edges(data=True):  # hover points: t in [.3, .7] by source neuron
        n = sizes[d["layer"] - 1]
        t = 0.5 if n == 1 else 0.3 + 0.4 * d["k"] / (n - 1)
        spread[(u, v)] = tuple(a + t * (b - a) for a, b in zip(pos[u], pos[v]))
    dense = max(a * b for a, b in zip(sizes, sizes[1:]))
    edge_px = (th.edge[0], th.edge[0] + (th.edge[1] - th.edge[0]) * min(1.0, 3.5 / dense ** 0.5))
    return Scene(MappingProxyType(pos), MappingProxyType(spread), node, grows(node), inside,
                  outer(node), edge_px, 1.0 if dense <= 16 else 0.65,
                  (xs[0] - pad_l / sx, xs[-1] + pad_r / sx),
                  (mid - half - bottom / sy, mid + half + top / sy), sx, sy, width, h,
                  MappingProxyType(margin))
