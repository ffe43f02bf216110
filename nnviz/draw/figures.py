"""The network at one step of a trace, as a plotly figure: ``step_figure``.

A pure function of (trace, step, options); what each node/edge shows comes from
``nnviz.draw.state``, every number from ``nnviz.trace.numfmt.fmt``.  An edge carries w^l_jk, from
neuron k of layer l-1 to neuron j of layer l (w^l has shape (sizes[l], sizes[l-1])).
Traces and annotations are named as ``nnviz.draw.marks`` says; node traces: "nodes" (on the
colour scale), "nodes (other)", "nodes (not computed)"; highlights "reads (nodes)",
"writes (nodes)", "reads (edges)", "writes (edges)".  Under the graph: the colour bar and
the legend.  Layout in px (themes, geometry) is ``nnviz.draw.layout``; label placement
``nnviz.draw.labels``.  The weight update's animation is ``nnviz.draw.animation``, the cost
curve ``nnviz.draw.cost_curve``.
"""
from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

from nnviz.draw import marks
from nnviz.draw import palette as pal
from nnviz.draw.graph import signed
from nnviz.draw.labels import label_boxes, label_clearance, place_labels
from nnviz.draw.layout import Theme, get_theme, make_scene, text_width, wrap_title
from nnviz.draw.marks import (GOLD, GREY, HINT, INK, NEG, POS, SCALE, base_layout, edge_labels, edge_lines,
                              halo_lines, heading_boxes, label_traces, node_markers, node_notes, ring_marker,
                              target_boxes, under_target)
from nnviz.draw.state import graph_state

LINE = 1.35  # line height, in font sizes


def _legend_lines(th: Theme, what: str, width: float) -> list[str]:
    """The legend as text, wrapped to ``width`` px: one line wherever it fits."""
    items = [f'<span style="color:{POS}">━━</span> {what} &gt; 0',
             f'<span style="color:{NEG}">╍╍</span> {what} &lt; 0',
             "<b>◯</b> read", f'<b style="color:{GOLD}">◯</b> written', "? not yet computed"]
    lines = [""]
    for item in items:
        if lines[-1] and text_width(lines[-1] + "   " + item, th.font) > width:
            lines.append("")
        lines[-1] += ("   " if lines[-1] else "") + item
    return lines


def _bottom_band(th: Theme, width: int, what: str, hint: bool) -> tuple[int, list]:
    """(height px, annotations) of the band under the graph: the colour bar's room, then the
    legend (and the hint, where labels are left out), each line placed in px."""
    plot_w = width - 20
    lines = _legend_lines(th, what, plot_w) + ([HINT] if hint else [])
    bar = int(0.9 * th.font) + int(2.9 * th.font) + 14
    notes = [{"x": 0, "xref": "paper", "xanchor": "left", "y": 0, "yref": "paper", "yanchor": "top",
              "yshift": -(bar + int(LINE * th.font) * n), "showarrow": False, "text": text,
              "font": {"size": th.font, "color": INK if text != HINT else GREY},
              "name": "note" if text == HINT else "legend"} for n, text in enumerate(lines)]
    return bar + int(LINE * th.font) * len(lines) + 6, notes


def step_figure(trace, i: int, *, theme: str = "light", width: int | None = None,
                height: int | None = None, edges: str = "weights") -> go.Figure:
    """The network graph at step ``i`` of ``trace`` (negative i counts from the end).

    Node colour: the value shown (a^l_j forward, δ^l_j backward) on a symmetric RdBu
    scale; labels carry the sign ("+"/"−"); "?" on grey until computed; under a node, the
    other values the step reads or writes there ("b=+0.1", "σ′=+0.1817").  Edge width ∝ |w|
    (``edges="gradients"``: ∝ |∂C/∂w|, dotted until computed), blue solid > 0, red dashed
    < 0; labels w (then ∇w, then the new w).  Dark rings: what step i reads; gold: writes.
    ``width``/``height`` (px) drive the layout: nodes, gaps and label spots are computed for
    that size (``layout.SCREENS``: the sizes of the app's screens).  The step's own edge
    labels always show; other layers' show when they all fit (dimmed); a network too large
    to label shows what fits and, except in the projector theme, a hint to hover.
    """
    th = get_theme(theme)
    if edges not in ("weights", "gradients"):
        raise ValueError(f"edges must be 'weights' or 'gradients'; got {edges!r}.")
    st = graph_state(trace, i)
    def heading(n, title):
        return wrap_title(f"Step {n + 1}/{len(trace)} · " + re.sub(
            r"\^(\w+)", r"<sup>\1</sup>", title.replace("nabla_", "∇")), th, width)
    title, _ = heading(st.step, st.title)
    # room for the longest title of the trace: the network never moves between steps
    lines = max(heading(n, s.title)[1] for n, s in enumerate(trace.steps))
    grad = edges == "gradients"
    large = len(trace.sizes) > 3 or max(trace.sizes) > 4  # beyond 3 layers × 4: not all fit
    hint = large and theme != "projector"
    band, legend = _bottom_band(th, int(width or th.size[0]), "∇w" if grad else "w", hint)
    sc = make_scene(trace, th, width, height, bottom_px=band, top_px=int(1.3 * th.title) * (lines - 1))
    vals = {e: (s.nabla_w if grad else s.w) for e, s in st.edges.items()}
    vmax = max(float(np.max(np.abs(w))) for w in
               (trace.nabla_w if grad else trace.weights + trace.new_weights)) or 1.0
    ns, R = list(st.nodes.values()), st.color_range
    # the edges this step reads or writes show their labels first
    first = frozenset(v[1] for _, v in st.reads_edges | st.writes_edges)
    avoid = (label_boxes(sc, ns, th, st.extras, under_target) + target_boxes(sc, trace, th)
             + heading_boxes(sc, trace, th))
    # a network too large to label: its step's own edges show only what the step reads or writes
    text = {e: s.brief if large and e[1][1] in first and s.brief else s.label for e, s in st.edges.items()}
    placed = place_labels(sc, text, th,
                    label_clearance(sc, th, st.reads_nodes, st.writes_nodes), avoid, first, partial=large)
    hover, labels = edge_labels(st.edges, placed, th, strong=first or None, text=text)
    col = [s for s in ns if s.colored]
    data = [halo_lines(sc, st.reads_edges, "rgba(17,17,17,0.22)", "reads (edges)"),
            halo_lines(sc, st.writes_edges, "rgba(230,159,0,0.6)", "writes (edges)"),
            *edge_lines(sc, vals, vmax), hover,
            ring_marker(sc, st.writes_nodes, GOLD, sc.grow[1], th.ring + 2, "writes (nodes)"),
            node_markers(sc, [s for s in ns if s.number is None], "nodes (not computed)", th,
                   color=pal.UNKNOWN_FILL, text_color=pal.UNKNOWN_TEXT,
                   line={"width": 1.5, "color": pal.UNKNOWN_LINE}),
            node_markers(sc, [s for s in ns if not s.colored and s.number is not None], "nodes (other)",
                   th, color="white"),
            node_markers(sc, col, "nodes", th, color=[s.value for s in col], colorscale=SCALE,
                   cmin=-R, cmax=R, showscale=True,
                   text_color=[pal.text_on(pal.scale_color(s.value, R)) for s in col],
                   colorbar={"title": {"text": st.color_title, "side": "top",
                                       "font": {"size": th.font}},
                             "orientation": "h", "xref": "container",
                             "x": (sc.margin["l"] + text_width(signed(-R), th.font) / 2) / sc.width,
                             "xanchor": "left", "yref": "container", "yanchor": "top",
                             "y": (band - 4) / sc.height, "ypad": 0, "xpad": 0,
                             "lenmode": "pixels", "len": min(0.45 * sc.width, 14 * th.font),
                             "thickness": int(0.9 * th.font), "outlinewidth": 0,
                             "tickfont": {"size": th.font}, "tickangle": 0,
                             "tickvals": [-R, 0, R], "ticktext": [signed(-R), "0", signed(R)]}),
            ring_marker(sc, st.reads_nodes, INK, sc.grow[0], th.ring, "reads (nodes)"),
            *label_traces(labels + node_notes(sc, ns, th, st.extras), th)]
    notes = legend
    if not hint or len(placed[1]) == len(st.edges):
        notes = [n for n in notes if n["name"] != "note"]
    return go.Figure(data=data, layout=base_layout(sc, trace, th, title, notes, st.reads_target),
                     _validate=marks.VALIDATE)
