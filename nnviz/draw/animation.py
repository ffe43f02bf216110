"""The weight update w ← w − (η/m)·Σₓ∇w as a plotly animation: ``update_animation_figure``.

Frames are built from ``nnviz.draw.state.update_state``; the pieces of each frame from
``nnviz.draw.marks``.  Play/Pause, the speeds and the slider are plotly controls (no server).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnviz.draw import marks
from nnviz.draw.labels import label_boxes, node_label_text, place_labels
from nnviz.draw.layout import get_theme, make_scene, wrap_title
from nnviz.draw.marks import (GREY, HINT, base_layout, edge_labels, edge_lines, edge_styles, heading_boxes,
                              label_traces, node_markers, node_notes, target_boxes)
from nnviz.draw.state import update_state
from nnviz.trace.numfmt import fmt

BUTTON_PAD = 28  # px a plotly button adds to its label's width (padding and border)


def update_animation_figure(trace, *, n_frames: int = 20, theme: str = "light",
                            width: int | None = None, height: int | None = None) -> go.Figure:
    """The update w ← w − (η/m)·Σₓ∇w, played in the browser: frame f shows every weight and
    bias at t = f/(n_frames−1) of the way (``state.update_state``): frame 0 the old values,
    the last ``trace.new_weights``.  Edge width/colour/label and node (bias) labels move;
    Play/Pause, speed 0.5×/1×/2× and a slider over frames are plotly controls (no server)."""
    th, n = get_theme(theme), int(n_frames)
    if n < 2:
        raise ValueError(f"n_frames must be at least 2; got {n_frames!r}.")
    title, lines = wrap_title(f"Update · w ← w − (η/m)·Σₓ∇w, b ← b − (η/m)·Σₓ∇b  "
                         f"(η = {fmt(trace.eta)}, m = {trace.m})", th, width)
    sc = make_scene(trace, th, width, height, bottom_px=int(6 * th.font) + 64,
                top_px=int(1.3 * th.title) * (lines - 1))
    vmax = max(float(np.max(np.abs(w))) for w in trace.weights + trace.new_weights) or 1.0
    nodes0, first = update_state(trace, 0.0)
    nodes1, last = update_state(trace, 1.0)
    widest = {e: max(s.label, last[e].label, key=len) for e, s in first.items()}
    boxes = (label_boxes(sc, nodes0.values(), th) + label_boxes(sc, nodes1.values(), th)
             + target_boxes(sc, trace, th) + heading_boxes(sc, trace, th))
    # the same spots in every frame; every layer is written: each shows what fits
    placed = place_labels(sc, widest, th, avoid=boxes, first=frozenset(range(1, len(trace.sizes))))
    hint = len(placed[1]) < len(first) and theme != "projector"

    ts = [f / (n - 1) for f in range(n)]
    states = [update_state(trace, t) for t in ts]
    # the same traces in every frame: one per edge style any frame has (empty where none)
    styles = edge_styles(sc, [{e: s.w for e, s in edges.items()} for _, edges in states], vmax)

    def frame(nodes, edges, full=False):
        ns, tips = list(nodes.values()), [s.hover.replace("\n", "<br>") for s in edges.values()]
        hover, labels = edge_labels(edges, placed, th)
        points = [hover, node_markers(sc, ns, "nodes", th, color="white")] if full else [
            {"type": "scatter", "hovertext": tips}, {"type": "scatter", "hovertext": [
                s.hover.replace("\n", "<br>") for s in ns], "text": [node_label_text(sc, s) for s in ns]}]
        return (edge_lines(sc, {e: s.w for e, s in edges.items()}, vmax, styles) + points
                + label_traces(labels + node_notes(sc, ns, th), th))

    data = frame(*states[0], full=True)
    layout = base_layout(sc, trace, th, title, [])
    if hint:  # under the slider
        layout["annotations"].append({
            "x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top",
            "yshift": -(sc.margin["b"] - th.font - 8), "showarrow": False, "name": "note",
            "font": {"size": th.font, "color": GREY}, "text": HINT})
    frames = [{"name": f"f{f}", "data": frame(*st), "traces": list(range(len(data)))} for f, st in enumerate(states)]
    fig = go.Figure(data=data, layout=layout, frames=frames, _validate=marks.VALIDATE)
    still = {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    play = lambda ms: {**still, "frame": {"duration": ms, "redraw": True}, "fromcurrent": True}  # noqa: E731
    menu = {"type": "buttons", "direction": "left", "y": 0, "yanchor": "top", "pad": {"t": 8, "r": 8},
            "font": {"size": th.font}}
    # Play/Pause on the left, the speeds on the right: short labels ("2×") that fit side by
    # side at 560 px in the projector theme (button width ≈ text + BUTTON_PAD px)
    fig.update_layout(showlegend=False, updatemenus=[
        {**menu, "x": 0, "xanchor": "left", "showactive": False, "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play(120)]},
            {"label": "❚❚ Pause", "method": "animate",
             "args": [[None], {**still, "frame": {"duration": 0, "redraw": False}}]}]},
        {**menu, "x": 1, "xanchor": "right", "active": 1, "buttons": [
            {"label": s, "name": f"speed {s}", "method": "animate", "args": [None, play(ms)]}
            for s, ms in (("0.5×", 240), ("1×", 120), ("2×", 60))]}],
        sliders=[{"active": 0, "x": 0, "len": 1, "y": 0, "yanchor": "top",
                  "pad": {"t": int(1.9 * th.font) + 24}, "font": {"size": th.font},
                  "currentvalue": {"prefix": "update progress t = ", "font": {"size": th.font}},
                  "steps": [{"method": "animate", "label": f"{round(100 * t)}%",
                             "args": [[f"f{f}"], still]} for f, t in enumerate(ts)]}])
    return fig
