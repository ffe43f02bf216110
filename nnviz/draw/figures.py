"""Plotly figures of a trace: the network at one step, the weight update, the cost curve.

Pure functions of (trace, step, options); what each node/edge shows comes from
``nnviz.draw.state``, every number from ``nnviz.trace.numfmt.fmt``.  An edge carries w^l_jk, from
neuron k of layer l-1 to neuron j of layer l (w^l has shape (sizes[l], sizes[l-1])).
Each edge is its own trace named "edge:l:j:k" (a line's width and dash are per trace);
annotations are named "edge:l:j:k" (edge labels), "node:l:j" (labels above small nodes),
"target:j", "layer:l", "note".  Node traces: "nodes" (on the colour scale), "nodes
(other)", "nodes (not computed)"; highlights "reads (nodes)", "writes (nodes)", "reads
(edges)", "writes (edges)"; node customdata is [l, j].
Layout in px (themes, geometry) is ``nnviz.draw.layout``; label placement ``nnviz.draw.labels``.
"""
from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

from nnviz.draw import palette as pal
from nnviz.draw.layout import THEMES, Theme, Scene, make_scene, text_width, get_theme, wrap_title  # noqa: F401 - THEMES is public
from nnviz.draw.graph import layer_title, signed
from nnviz.draw.state import graph_state, update_state
from nnviz.draw.labels import label_box, label_clearance, compact_label, label_boxes, place_labels, node_label_text
from nnviz.trace.numfmt import fmt

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
POS, NEG, ZERO, GOLD, INK, GREY = pal.POS, pal.NEG, pal.ZERO, pal.GOLD, pal.INK, pal.GREY
COLORSCALE = pal.COLORSCALE  # ColorBrewer diverging, colour-blind safe: red < 0 < blue
# plotly's per-property validation of our own fixed property names is 2/3 of a figure's
# build time (bench/RESULTS.md), so figures are built unvalidated; the JSON is the same.
# Set ``VALIDATE = True`` (e.g. in a test) to have plotly check every property again.
VALIDATE = False
_SCALE = [list(c) for c in go.scatter.Marker(colorscale=COLORSCALE).colorscale]  # as validated
BUTTON_PAD = 28  # px a plotly button adds to its label's width (padding and border)
HINT = "tap or hover an edge for its value"  # only where labels are left out (never projected)
LINE = 1.35  # line height, in font sizes


def _edges(sc: Scene, values: dict, vmax: float, full: bool = True) -> list:
    """One line per edge (trace dicts): width ∝ |value|, blue solid > 0, red dashed < 0, grey
    dotted None.  ``full=False``: only the line style (an animation frame's update)."""
    out = []
    for (u, v), val in values.items():
        style = ({"width": sc.edge_px[0], "color": pal.UNKNOWN_EDGE, "dash": "dot"} if val is None else
                 {"width": sc.edge_px[0] + (sc.edge_px[1] - sc.edge_px[0]) * min(abs(val) / vmax, 1),
                  "color": POS if val > 0 else NEG if val < 0 else ZERO,
                  "dash": "dash" if val < 0 else "solid"})
        out.append({"type": "scatter", "line": style} if not full else dict(
            type="scatter", x=[sc.pos[u][0], sc.pos[v][0]], y=[sc.pos[u][1], sc.pos[v][1]],
            mode="lines", line=style, hoverinfo="skip", showlegend=False,
            opacity=sc.edge_alpha, name=f"edge:{v[1]}:{v[2]}:{u[2]}"))
    return out


def _ink(line: str, strong: bool) -> str:
    """A label line's colour: by its sign on the step's own edges, dimmed on the others."""
    if not strong:
        return pal.DIM
    return pal.NEG_TEXT if "−" in line else pal.POS_TEXT if "+" in line else INK


def _text_of(label: str, compact: bool) -> list[str]:
    return (compact_label(label) if compact else label).split("\n")


def _edge_extras(states: dict, placed: tuple, th: Theme, strong=None, text=None) -> tuple[go.Scatter, list]:
    """(hover points, label annotations) for EdgeStates at spots ``placed`` by place_labels.
    Labels of the layers in ``strong`` (default: all) are coloured by sign, others dimmed;
    ``text``: edge -> the label to show, if not the state's."""
    spots, shown = placed
    notes = [{"x": spots[e][0], "y": spots[e][1], "name": f"edge:{e[1][1]}:{e[1][2]}:{e[0][2]}",
              "text": "<br>".join(f'<span style="color:{_ink(x, strong is None or e[1][1] in strong)}">'
                                  f'{x}</span>' for x in _text_of((text or {}).get(e, states[e].label), shown[e][1])),
              "showarrow": False, "font": {"size": shown[e][0]}, "bgcolor": "rgba(255,255,255,0.9)",
              "borderpad": 1} for e in states if e in shown]
    keys = list(states)
    hover = go.Scatter(x=[spots[e][0] for e in keys], y=[spots[e][1] for e in keys],
                       mode="markers", marker={"size": th.label + 8, "color": "rgba(0,0,0,0)"},
                       hovertext=[states[e].hover.replace("\n", "<br>") for e in keys],
                       hoverinfo="text", showlegend=False, name="edge hover",
                       customdata=[[e[1][1], e[1][2], e[0][2]] for e in keys], _validate=VALIDATE)
    return hover, notes


def _nodes(sc, states, name, th, text_color=INK, **marker) -> go.Scatter:
    """NodeState markers, labelled inside (small nodes: labels come from ``_node_notes``)."""
    return go.Scatter(
        x=[sc.pos[s.node][0] for s in states], y=[sc.pos[s.node][1] for s in states], name=name,
        mode="markers+text" if sc.inside else "markers", textposition="middle center",
        text=[node_label_text(sc, s) for s in states] if sc.inside else None, showlegend=False,
        textfont={"size": th.label, "color": text_color, "family": FONT}, hoverinfo="text",
        hovertext=[s.hover.replace("\n", "<br>") for s in states],
        customdata=[[s.layer, s.index] for s in states],
        marker={"size": sc.node_px, "line": {"width": 1.5, "color": GREY}, **marker},
        cliponaxis=False, _validate=VALIDATE)


def _node_notes(sc: Scene, states, th: Theme, extras=None) -> list:
    """Labels above small nodes, and the step's values under nodes (``extras``: node ->
    lines), as annotations on a white box (readable over edges)."""
    above = [] if sc.inside else [
        {"x": sc.pos[s.node][0], "y": sc.pos[s.node][1], "yshift": sc.label_dy, "yanchor": "bottom",
         "text": node_label_text(sc, s), "showarrow": False, "font": {"size": th.label, "color": INK},
         "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 0, "name": f"node:{s.layer}:{s.index}"}
        for s in states]
    under = [{"x": sc.pos[n][0], "y": sc.pos[n][1], "yanchor": "top",
              "yshift": -sc.label_dy - _under_target(sc, n, th),
              "text": "<br>".join(lines), "showarrow": False, "name": f"value:{n[1]}:{n[2]}",
              "font": {"size": th.label, "color": INK}, "bgcolor": "rgba(255,255,255,0.85)",
              "borderpad": 0} for n, lines in (extras or {}).items()]
    return above + under


def _under_target(sc: Scene, node, th: Theme) -> float:
    """px the values under an output node move down to clear its target label under it."""
    last = max(n[1] for n in sc.pos)
    return 1.4 * th.label + 8 if sc.target_below and node[1] == last else 0.0


def _ring(sc: Scene, nodes, color, grow, width, name) -> go.Scatter:
    nodes = sorted(nodes)
    return go.Scatter(x=[sc.pos[n][0] for n in nodes], y=[sc.pos[n][1] for n in nodes],
                      mode="markers", hoverinfo="skip", showlegend=False, name=name,
                      customdata=[list(n[1:]) for n in nodes],
                      marker={"symbol": "circle-open", "size": sc.node_px + grow, "color": color,
                              "line": {"width": width, "color": color}}, cliponaxis=False,
                      _validate=VALIDATE)


def _halo(sc: Scene, edges, color, name) -> go.Scatter:
    xy = [(sc.pos[u], sc.pos[v]) for u, v in sorted(edges)]
    return go.Scatter(x=[c for p, q in xy for c in (p[0], q[0], None)],
                      y=[c for p, q in xy for c in (p[1], q[1], None)], mode="lines",
                      line={"width": sc.edge_px[1] + 8, "color": color}, hoverinfo="skip",
                      showlegend=False, name=name, _validate=VALIDATE)


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _target_text(j: int, y: float) -> str:
    return f"y{str(j + 1).translate(_SUB)} = {fmt(y)}"


def _target_boxes(sc: Scene, trace, th: Theme) -> list:
    """(x, y, half w, half h) px of the target labels right of (or under) the output nodes."""
    out = ("n", trace.output_layer)
    if sc.target_below:
        return [label_box(_target_text(j, y), th.label, sc.pos[out + (j,)][0],
                     sc.pos[out + (j,)][1] - sc.label_dy - 0.7 * th.label - 3)
                for j, y in enumerate(trace.y[:, 0])]
    return [label_box(_target_text(j, y), th.label, sc.pos[out + (j,)][0] + 0.64 * sc.node_px + 4
                 + text_width(_target_text(j, y), th.label) / 2, sc.pos[out + (j,)][1])
            for j, y in enumerate(trace.y[:, 0])]


def _heading_boxes(sc: Scene, trace, th: Theme) -> list:
    """(x, y, half w, half h) px of the layer headings, in the row above the plot area."""
    L = trace.output_layer
    return [label_box(layer_title(l, L), th.label, sc.pos[("n", l, 0)][0], sc.yr[1] + 0.7 * th.label)
            for l in range(L + 1)]


def _layout(sc: Scene, trace, th: Theme, title: str, notes: list, read_y=False) -> dict:
    L, out = trace.output_layer, ("n", trace.output_layer)
    heads = [{"x": sc.pos[("n", l, 0)][0], "y": 1, "yref": "paper", "yanchor": "bottom",
              "text": f"<b>{layer_title(l, L)}</b>", "showarrow": False,
              "font": {"size": th.label}, "name": f"layer:{l}"} for l in range(L + 1)]
    place = ({"yshift": -sc.label_dy, "yanchor": "top"} if sc.target_below else
             {"xanchor": "left", "xshift": 0.64 * sc.node_px + 4})
    targets = [{"x": sc.pos[out + (j,)][0], "y": sc.pos[out + (j,)][1], **place,
                "showarrow": False, "name": f"target:{j}",
                "text": _target_text(j, y), "font": {"size": th.label},
                "bordercolor": INK if read_y else "rgba(0,0,0,0)", "borderpad": 3,
                "borderwidth": th.ring if read_y else 0} for j, y in enumerate(trace.y[:, 0])]
    axis = {"visible": False, "fixedrange": True}
    return dict(
        title={"text": title, "font": {"size": th.title}, "x": 0.01, "xanchor": "left",
               "y": 1 - (10 + 1.2 * th.title * title.count("<br>")) / sc.height, "yanchor": "top",
               "yref": "container"},
        font={"family": FONT, "size": th.font, "color": INK}, paper_bgcolor="white",
        plot_bgcolor="white", width=sc.width, height=sc.height, margin={**sc.margin, "autoexpand": False},  # the same with react as new
        xaxis={**axis, "range": list(sc.xr)}, yaxis={**axis, "range": list(sc.yr)},
        hovermode="closest", dragmode=False, hoverlabel={"font": {"size": th.font, "family": FONT}},
        showlegend=False, annotations=heads + targets + notes)


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
    avoid = (label_boxes(sc, ns, th, st.extras, _under_target) + _target_boxes(sc, trace, th)
             + _heading_boxes(sc, trace, th))
    # a network too large to label: its step's own edges show only what the step reads or writes
    text = {e: s.brief if large and e[1][1] in first and s.brief else s.label for e, s in st.edges.items()}
    placed = place_labels(sc, text, th,
                    label_clearance(sc, th, st.reads_nodes, st.writes_nodes), avoid, first, partial=large)
    hover, notes = _edge_extras(st.edges, placed, th, strong=first or None, text=text)
    col = [s for s in ns if s.colored]
    data = [_halo(sc, st.reads_edges, "rgba(17,17,17,0.22)", "reads (edges)"),
            _halo(sc, st.writes_edges, "rgba(230,159,0,0.6)", "writes (edges)"),
            *_edges(sc, vals, vmax), hover,
            _ring(sc, st.writes_nodes, GOLD, sc.grow[1], th.ring + 2, "writes (nodes)"),
            _nodes(sc, [s for s in ns if s.number is None], "nodes (not computed)", th,
                   color=pal.UNKNOWN_FILL, text_color=pal.UNKNOWN_TEXT,
                   line={"width": 1.5, "color": pal.UNKNOWN_LINE}),
            _nodes(sc, [s for s in ns if not s.colored and s.number is not None], "nodes (other)",
                   th, color="white"),
            _nodes(sc, col, "nodes", th, color=[s.value for s in col], colorscale=_SCALE,
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
            _ring(sc, st.reads_nodes, INK, sc.grow[0], th.ring, "reads (nodes)")]
    notes += _node_notes(sc, ns, th, st.extras) + legend
    if not hint or len(placed[1]) == len(st.edges):
        notes = [n for n in notes if n["name"] != "note"]
    return go.Figure(data=data, layout=_layout(sc, trace, th, title, notes, st.reads_target),
                     _validate=VALIDATE)


def update_animation_figure(trace, *, n_frames: int = 20, theme: str = "light",
                            width: int | None = None, height: int | None = None) -> go.Figure:
    """The update w ← w − (η/m)·Σₓ∇w, played in the browser: frame f shows every weight and
    bias at t = f/(n_frames−1) of the way (``graph.update_state``): frame 0 the old values,
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
             + _target_boxes(sc, trace, th) + _heading_boxes(sc, trace, th))
    # the same spots in every frame; every layer is written: each shows what fits
    placed = place_labels(sc, widest, th, avoid=boxes, first=frozenset(range(1, len(trace.sizes))))
    hint = len(placed[1]) < len(first) and theme != "projector"

    def frame(t, full=False):
        nodes, edges = update_state(trace, t)
        ns, tips = list(nodes.values()), [s.hover.replace("\n", "<br>") for s in edges.values()]
        hover, notes = _edge_extras(edges, placed, th)
        data = _edges(sc, {e: s.w for e, s in edges.items()}, vmax, full) + (
            [hover, _nodes(sc, ns, "nodes", th, color="white")] if full else
            [{"type": "scatter", "hovertext": tips}, {"type": "scatter", "hovertext": [
                s.hover.replace("\n", "<br>") for s in ns], "text": [node_label_text(sc, s) for s in ns]}])
        return data, notes + _node_notes(sc, ns, th)

    ts = [f / (n - 1) for f in range(n)]
    data, notes = frame(0.0, full=True)
    layout = _layout(sc, trace, th, title, notes)
    if hint:  # under the slider
        layout["annotations"].append({
            "x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top",
            "yshift": -(sc.margin["b"] - th.font - 8), "showarrow": False, "name": "note",
            "font": {"size": th.font, "color": GREY}, "text": HINT})
    fixed = layout["annotations"][:len(layout["annotations"]) - len(notes)]
    frames = [{"name": f"f{f}", "data": d, "traces": list(range(len(d))),
               "layout": {"annotations": fixed + a}} for f, (d, a) in enumerate(map(frame, ts))]
    fig = go.Figure(data=data, layout=layout, frames=frames, _validate=VALIDATE)
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


def loss_figure(history, *, theme: str = "light", height: int | None = None,
                cost_label: str = "cost C") -> go.Figure:
    """Cost per epoch (or step), and accuracy on a right-hand axis when present.

    ``history``: dicts with "epoch" (or "step") and "cost", optionally "accuracy" (0 to 1);
    ``cost_label`` names what "cost" is (e.g. the mean over a data set's examples)."""
    th, rows = get_theme(theme), list(history)
    key = "epoch" if rows and all("epoch" in r for r in rows) else "step"
    xs = [r.get(key, i) for i, r in enumerate(rows)]
    acc = [(x, r["accuracy"]) for x, r in zip(xs, rows) if r.get("accuracy") is not None]
    series = [(cost_label, "y", POS, "solid", [(x, r["cost"]) for x, r in zip(xs, rows)])]
    series += [("accuracy", "y2", GOLD, "dash", acc)] if acc else []
    fig = go.Figure([go.Scatter(
        x=[p[0] for p in pts], y=[p[1] for p in pts], name=name, yaxis=ax, mode="lines+markers",
        line={"color": color, "width": th.ring, "dash": dash}, marker={"size": th.ring + 4},
        hoverinfo="text", hovertext=[f"{key} {x}: {name} = {fmt(v, 9)}" for x, v in pts])
        for name, ax, color, dash, pts in series])
    axis = {"gridcolor": "#e5e5e5", "automargin": True, "rangemode": "tozero"}
    fig.update_layout(
        height=height or (260 if th.font < 16 else 360),
        font={"family": FONT, "size": th.font, "color": INK},
        title={"text": f"cost per {key}", "font": {"size": th.title}}, hovermode="closest",
        margin={"l": 10, "r": 10, "t": 30 + 2 * th.title, "b": 10}, plot_bgcolor="white",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis={**axis, "title": {"text": key}}, yaxis={**axis, "title": {"text": cost_label}},
        **({"yaxis2": {**axis, "title": {"text": "accuracy"}, "overlaying": "y", "side": "right",
                       "showgrid": False, "tickformat": ".0%", "range": [0, 1.05]}} if acc else {}))
    if not rows:
        fig.add_annotation(text="no training yet", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": th.label, "color": GREY})
    return fig
