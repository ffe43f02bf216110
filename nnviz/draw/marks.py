"""The plotly pieces the network figures share: edge lines and their labels, node markers
and their notes, read/write rings and halos, targets, layer headings and the base layout.

Node and edge states come from ``nnviz.draw.state``; a scene (positions and sizes in px)
from ``nnviz.draw.layout``; label spots from ``nnviz.draw.labels``.  plotly.js draws a
figure in time that grows with its traces and annotations (bench/RESULTS.md), so:

* edges are drawn as one trace per line style ("edges": colour, dash and a width rounded
  to ``EDGE_STEP`` px), segments separated by None, each point's customdata [l, j, k]
  (None at the gaps);
* the labels on the graph (edge labels, labels above small nodes, the step's values under
  nodes) are one text trace "labels" (customdata: "edge:l:j:k", "node:l:j", "value:l:j")
  over one trace "label boxes" of white boxes (a "line-ew" marker as wide as the label and
  as thick as it is tall), both drawn last, over everything else;
* annotations are only the few fixed texts: "target:j", "layer:l", "legend" and "note".

Node customdata is [l, j].
"""
from __future__ import annotations

import plotly.graph_objects as go

from nnviz.draw import palette as pal
from nnviz.draw.graph import layer_title
from nnviz.draw.labels import compact_label, label_box, node_label_text
from nnviz.draw.layout import Scene, Theme, text_width
from nnviz.trace.numfmt import fmt

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
POS, NEG, ZERO, GOLD, INK, GREY = pal.POS, pal.NEG, pal.ZERO, pal.GOLD, pal.INK, pal.GREY
COLORSCALE = pal.COLORSCALE  # ColorBrewer diverging, colour-blind safe: red < 0 < blue
# plotly's per-property validation of our own fixed property names is 2/3 of a figure's
# build time (bench/RESULTS.md), so figures are built unvalidated; the JSON is the same.
# Set ``marks.VALIDATE = True`` (e.g. in a test) to have plotly check every property again.
VALIDATE = False
SCALE = [list(c) for c in go.scatter.Marker(colorscale=COLORSCALE).colorscale]  # as validated
HINT = "tap or hover an edge for its value"  # only where labels are left out (never projected)


EDGE_STEP = 0.5  # px: edge widths are rounded to this to share a trace (each trace costs plotly.js ~0.5 ms a redraw)


def edge_style(sc: Scene, val, vmax: float) -> tuple:
    """(colour, dash, width px) of an edge carrying ``val``: width ∝ |val| (rounded to
    EDGE_STEP), blue solid > 0, red dashed < 0, grey solid 0; grey dotted for None."""
    if val is None:
        return pal.UNKNOWN_EDGE, "dot", round(sc.edge_px[0] / EDGE_STEP) * EDGE_STEP
    width = sc.edge_px[0] + (sc.edge_px[1] - sc.edge_px[0]) * min(abs(val) / vmax, 1)
    return (POS if val > 0 else NEG if val < 0 else ZERO, "dash" if val < 0 else "solid",
            round(width / EDGE_STEP) * EDGE_STEP)


def edge_lines(sc: Scene, values: dict, vmax: float, styles=None) -> list:
    """The edges as one line trace per style (``edge_style``), thinnest first (thick lines on
    top).  ``styles``: the styles to draw, one trace each, empty if no edge has it (an
    animation's frames keep their traces); default: the styles ``values`` have."""
    groups = {}
    for (u, v), val in values.items():
        groups.setdefault(edge_style(sc, val, vmax), []).append((u, v))
    out = []
    for style in sorted(groups, key=_thin_first) if styles is None else styles:
        edges = groups.get(style, [])
        out.append(dict(
            type="scatter", mode="lines", hoverinfo="skip", showlegend=False, opacity=sc.edge_alpha,
            name="edges", line={"color": style[0], "dash": style[1], "width": style[2]},
            x=[c for u, v in edges for c in (sc.pos[u][0], sc.pos[v][0], None)],
            y=[c for u, v in edges for c in (sc.pos[u][1], sc.pos[v][1], None)],
            customdata=[c for u, v in edges for c in ([v[1], v[2], u[2]], [v[1], v[2], u[2]], None)]))
    return out


def _thin_first(style: tuple) -> tuple:
    return style[2], style[0], style[1]


def edge_styles(sc: Scene, frames, vmax: float) -> list:
    """Every style the edges take in any of ``frames`` (dicts edge -> value), thinnest first."""
    return sorted({edge_style(sc, val, vmax) for values in frames for val in values.values()}, key=_thin_first)


def _ink(line: str, strong: bool) -> str:
    """A label line's colour: by its sign on the step's own edges, dimmed on the others."""
    if not strong:
        return pal.DIM
    return pal.NEG_TEXT if "−" in line else pal.POS_TEXT if "+" in line else INK


def _text_of(label: str, compact: bool) -> list[str]:
    return (compact_label(label) if compact else label).split("\n")


EDGE_LABEL_BG, NODE_LABEL_BG = "rgba(255,255,255,0.9)", "rgba(255,255,255,0.85)"


def edge_labels(states: dict, placed: tuple, th: Theme, strong=None, text=None) -> tuple[go.Scatter, list]:
    """(hover points, label items for ``label_traces``) for EdgeStates at spots ``placed`` by
    place_labels.  Labels of the layers in ``strong`` (default: all) are coloured by sign,
    others dimmed; ``text``: edge -> the label to show, if not the state's."""
    spots, shown = placed
    items = [{"x": spots[e][0], "y": spots[e][1], "name": f"edge:{e[1][1]}:{e[1][2]}:{e[0][2]}",
              "text": "<br>".join(f'<span style="color:{_ink(x, strong is None or e[1][1] in strong)}">'
                                  f'{x}</span>' for x in _text_of((text or {}).get(e, states[e].label), shown[e][1])),
              "bg": EDGE_LABEL_BG} for e in states if e in shown]
    keys = list(states)
    # hover points drawn as nothing (mode "none": no SVG per point; plotly still hovers them)
    hover = go.Scatter(x=[spots[e][0] for e in keys], y=[spots[e][1] for e in keys],
                       mode="none", hoveron="points",
                       hovertext=[states[e].hover.replace("\n", "<br>") for e in keys],
                       hoverinfo="text", showlegend=False, name="edge hover",
                       customdata=[[e[1][1], e[1][2], e[0][2]] for e in keys], _validate=VALIDATE)
    return hover, items


def label_traces(items: list, th: Theme) -> list:
    """The labels on the graph (items: x, y px of the centre, text, name, bg colour) as two
    traces: "label boxes" (a white box under each: a "line-ew" marker is a line 1.4 × its size
    long, as thick as its line width; opacity 1: plotly's default for sized markers is 0.7)
    and "labels" (the text, centred; customdata the name)."""
    boxes = [label_box(it["text"].replace("<br>", "\n"), th.label, it["x"], it["y"]) for it in items]
    common = dict(type="scatter", x=[it["x"] for it in items], y=[it["y"] for it in items],
                  hoverinfo="skip", showlegend=False, cliponaxis=False)
    return [dict(common, mode="markers", name="label boxes",
                 marker={"symbol": "line-ew", "size": [2 * b[2] / 1.4 for b in boxes], "opacity": 1,
                         "line": {"width": [2 * b[3] for b in boxes], "color": [it["bg"] for it in items]}}),
            dict(common, mode="text", name="labels", text=[it["text"] for it in items],
                 customdata=[it["name"] for it in items], textposition="middle center",
                 textfont={"size": th.label, "color": INK, "family": FONT})]


def node_markers(sc, states, name, th, text_color=INK, **marker) -> go.Scatter:
    """NodeState markers, labelled inside (small nodes: labels come from ``node_notes``)."""
    return go.Scatter(
        x=[sc.pos[s.node][0] for s in states], y=[sc.pos[s.node][1] for s in states], name=name,
        mode="markers+text" if sc.inside else "markers", textposition="middle center",
        text=[node_label_text(sc, s) for s in states] if sc.inside else None, showlegend=False,
        textfont={"size": th.label, "color": text_color, "family": FONT}, hoverinfo="text",
        hovertext=[s.hover.replace("\n", "<br>") for s in states],
        customdata=[[s.layer, s.index] for s in states],
        marker={"size": sc.node_px, "line": {"width": 1.5, "color": GREY}, **marker},
        cliponaxis=False, _validate=VALIDATE)


def node_notes(sc: Scene, states, th: Theme, extras=None) -> list:
    """Label items (see ``label_traces``) above small nodes, and of the step's values under
    nodes (``extras``: node -> lines), each centred in the box ``labels.label_boxes`` keeps
    clear for it (readable over edges: on a white box)."""
    above = [] if sc.inside else [
        {"x": sc.pos[s.node][0], "y": sc.pos[s.node][1] + sc.label_dy + 0.65 * th.label,
         "text": node_label_text(sc, s), "name": f"node:{s.layer}:{s.index}", "bg": NODE_LABEL_BG}
        for s in states]
    under = [{"x": sc.pos[n][0], "text": "<br>".join(lines), "name": f"value:{n[1]}:{n[2]}", "bg": NODE_LABEL_BG,
              "y": sc.pos[n][1] - sc.label_dy - under_target(sc, n, th) - 0.65 * th.label * len(lines)}
             for n, lines in (extras or {}).items()]
    return above + under


def under_target(sc: Scene, node, th: Theme) -> float:
    """px the values under an output node move down to clear its target label under it."""
    last = max(n[1] for n in sc.pos)
    return 1.4 * th.label + 8 if sc.target_below and node[1] == last else 0.0


def ring_marker(sc: Scene, nodes, color, grow, width, name) -> go.Scatter:
    nodes = sorted(nodes)
    return go.Scatter(x=[sc.pos[n][0] for n in nodes], y=[sc.pos[n][1] for n in nodes],
                      mode="markers", hoverinfo="skip", showlegend=False, name=name,
                      customdata=[list(n[1:]) for n in nodes],
                      marker={"symbol": "circle-open", "size": sc.node_px + grow, "color": color,
                              "line": {"width": width, "color": color}}, cliponaxis=False,
                      _validate=VALIDATE)


def halo_lines(sc: Scene, edges, color, name) -> go.Scatter:
    xy = [(sc.pos[u], sc.pos[v]) for u, v in sorted(edges)]
    return go.Scatter(x=[c for p, q in xy for c in (p[0], q[0], None)],
                      y=[c for p, q in xy for c in (p[1], q[1], None)], mode="lines",
                      line={"width": sc.edge_px[1] + 8, "color": color}, hoverinfo="skip",
                      showlegend=False, name=name, _validate=VALIDATE)


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def target_text(j: int, y: float) -> str:
    return f"y{str(j + 1).translate(_SUB)} = {fmt(y)}"


def target_boxes(sc: Scene, trace, th: Theme) -> list:
    """(x, y, half w, half h) px of the target labels right of (or under) the output nodes."""
    out = ("n", trace.output_layer)
    if sc.target_below:
        return [label_box(target_text(j, y), th.label, sc.pos[out + (j,)][0],
                     sc.pos[out + (j,)][1] - sc.label_dy - 0.7 * th.label - 3)
                for j, y in enumerate(trace.y[:, 0])]
    return [label_box(target_text(j, y), th.label, sc.pos[out + (j,)][0] + 0.64 * sc.node_px + 4
                 + text_width(target_text(j, y), th.label) / 2, sc.pos[out + (j,)][1])
            for j, y in enumerate(trace.y[:, 0])]


def heading_boxes(sc: Scene, trace, th: Theme) -> list:
    """(x, y, half w, half h) px of the layer headings, in the row above the plot area."""
    L = trace.output_layer
    return [label_box(layer_title(l, L), th.label, sc.pos[("n", l, 0)][0], sc.yr[1] + 0.7 * th.label)
            for l in range(L + 1)]


def base_layout(sc: Scene, trace, th: Theme, title: str, notes: list, read_y=False) -> dict:
    L, out = trace.output_layer, ("n", trace.output_layer)
    heads = [{"x": sc.pos[("n", l, 0)][0], "y": 1, "yref": "paper", "yanchor": "bottom",
              "text": f"<b>{layer_title(l, L)}</b>", "showarrow": False,
              "font": {"size": th.label}, "name": f"layer:{l}"} for l in range(L + 1)]
    place = ({"yshift": -sc.label_dy, "yanchor": "top"} if sc.target_below else
             {"xanchor": "left", "xshift": 0.64 * sc.node_px + 4})
    targets = [{"x": sc.pos[out + (j,)][0], "y": sc.pos[out + (j,)][1], **place,
                "showarrow": False, "name": f"target:{j}",
                "text": target_text(j, y), "font": {"size": th.label},
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
