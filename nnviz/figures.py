"""Plotly figures of a trace: the network at one step, the weight update, the cost curve.

Pure functions of (trace, step, options); what each node/edge shows comes from
``nnviz.graph``, every number from ``nnviz.numfmt.fmt``.  An edge carries w^l_jk, from
neuron k of layer l-1 to neuron j of layer l (w^l has shape (sizes[l], sizes[l-1])).
Each edge is its own trace named "edge:l:j:k" (a line's width and dash are per trace);
annotations are named "edge:l:j:k" (edge labels), "node:l:j" (labels above small nodes),
"target:j", "layer:l", "note".  Node traces: "nodes" (on the colour scale), "nodes
(other)", "nodes (not computed)"; highlights "reads (nodes)", "writes (nodes)", "reads
(edges)", "writes (edges)"; node customdata is [l, j].
"""
from __future__ import annotations

import math
import re
from collections import namedtuple
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go

from .graph import graph_state, layer_title, network_graph, signed, update_state
from .numfmt import fmt

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
POS, NEG, ZERO, GOLD, INK, GREY = "#2166ac", "#b2182b", "#8c8c8c", "#e69f00", "#111111", "#555555"
COLORSCALE = "RdBu"  # ColorBrewer diverging, colour-blind safe: red < 0 < blue
_TS = (0.5, 0.4, 0.6, 0.32, 0.68, 0.45, 0.55, 0.26, 0.74, 0.36, 0.64, 0.2, 0.8)  # label spots
# plotly's per-property validation of our own fixed property names is 2/3 of a figure's
# build time (bench/RESULTS.md), so figures are built unvalidated; the JSON is the same.
# Set ``VALIDATE = True`` (e.g. in a test) to have plotly check every property again.
VALIDATE = False
_SCALE = [list(c) for c in go.scatter.Marker(colorscale=COLORSCALE).colorscale]  # as validated


# Sizes in px: font (legend, colour bar, hover), label (node/edge/target labels), title,
# node (largest node diameter), edge ((thinnest, thickest) edge), ring (highlight line),
# size ((width, height) assumed when not given), row (default height per neuron row).
Theme = namedtuple("Theme", "font label title node edge ring size row")
THEMES = MappingProxyType({
    "light": Theme(13, 13, 16, 76, (0.8, 7.0), 3.0, (960, 560), 110),
    "projector": Theme(20, 20, 24, 112, (1.5, 11.0), 5.0, (1024, 768), 150),
})


def _theme(name: str) -> Theme:
    if name in THEMES:
        return THEMES[name]
    raise ValueError(f"Unknown theme {name!r}; choose one of: {', '.join(THEMES)}.")


def _text_w(text: str, size: float) -> float:
    """Rough width (px) of the widest line of Arial text at ``size`` px."""
    em = {".": 0.28, ",": 0.28, ":": 0.28, " ": 0.28, "+": 0.59, "−": 0.59, "=": 0.59, "→": 1.0}
    lines = re.sub(r"<[^>]*>", "", text.replace("<br>", "\n")).split("\n")
    return max(size * sum(em.get(c, 0.56) for c in line) for line in lines)


BUTTON_PAD = 28  # px a plotly button adds to its label's width (padding and border)


def _wrap(title: str, th: Theme, width) -> tuple[str, int]:
    """The title broken (at " · ", ", " or "  ") into lines that fit ``width``; (text, lines)."""
    room = 0.99 * int(width or th.size[0]) - 10
    words = re.split(r"(?<=· )|(?<=, )|(?<=  )", title)
    lines = [""]
    for w in words:
        if lines[-1] and _text_w(lines[-1] + w.rstrip(), th.title) > room:
            lines.append("")
        lines[-1] += w
    return "<br>".join(x.strip() for x in lines), len(lines)


# Pixel-aware geometry of one network at one size: node positions ``pos`` and default
# edge hover points ``spread`` (data units); node diameter and ring growth (read, write) in
# px; whether node labels fit ``inside`` nodes (else ``label_dy`` px above them); edge widths
# and opacity; axis ranges; px per data unit (sx, sy); figure width, height and margins.
_Scene = namedtuple("_Scene", "pos spread node_px grow inside label_dy edge_px edge_alpha "
                              "xr yr sx sy width height margin")


def _scene(trace, th: Theme, width, height, bottom_px=0, top_px=0) -> _Scene:
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
    lab_h, lab_w = 1.3 * th.label, _text_w(longest, th.label)
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
    pad_r = node * 0.64 + _text_w("y8 = " + max(map(fmt, np.ravel(trace.y)), key=len), th.label) + 20
    sx = (plot_w - pad_l - pad_r) / (xs[-1] - xs[0])
    mid, half = (max(ys) + min(ys)) / 2, (plot_h - top - bottom) / 2 / sy
    spread = {}
    for u, v, d in g.edges(data=True):  # hover points: t in [.3, .7] by source neuron
        n = sizes[d["layer"] - 1]
        t = 0.5 if n == 1 else 0.3 + 0.4 * d["k"] / (n - 1)
        spread[(u, v)] = tuple(a + t * (b - a) for a, b in zip(pos[u], pos[v]))
    dense = max(a * b for a, b in zip(sizes, sizes[1:]))
    edge_px = (th.edge[0], th.edge[0] + (th.edge[1] - th.edge[0]) * min(1.0, 3.5 / dense ** 0.5))
    return _Scene(MappingProxyType(pos), MappingProxyType(spread), node, grows(node), inside,
                  outer(node), edge_px, 1.0 if dense <= 16 else 0.65,
                  (xs[0] - pad_l / sx, xs[-1] + pad_r / sx),
                  (mid - half - bottom / sy, mid + half + top / sy), sx, sy, width, h,
                  MappingProxyType(margin))


def _seg_dist(p, a, b) -> float:
    """Distance from point p to segment a-b (plain floats: called thousands of times)."""
    dx, dy, px, py = b[0] - a[0], b[1] - a[1], p[0] - a[0], p[1] - a[1]
    t = min(max((px * dx + py * dy) / (dx * dx + dy * dy), 0.0), 1.0)
    return math.hypot(px - t * dx, py - t * dy)


_FINE = tuple(sorted((round(0.14 + 0.02 * i, 2) for i in range(37)), key=lambda t: abs(t - 0.5)))


def _crossing(a, b, c, d) -> list:
    """[the point where segments a-b and c-d cross], or [] (px tuples)."""
    r, q = (b[0] - a[0], b[1] - a[1]), (d[0] - c[0], d[1] - c[1])
    den = r[0] * q[1] - r[1] * q[0]
    if abs(den) < 1e-9:
        return []
    t = ((c[0] - a[0]) * q[1] - (c[1] - a[1]) * q[0]) / den
    u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / den
    return [(a[0] + t * r[0], a[1] + t * r[1])] if 0 < t < 1 and 0 < u < 1 else []


def _compact(label: str) -> str:
    """A label in less room: "∇−0.08883" rather than "∇ −0.08883"."""
    return label.replace("∇ ", "∇").replace("→ ", "→")


def _place(sc: _Scene, labels: dict, th: Theme, clear: dict | None = None, avoid=(),
           first=frozenset()) -> tuple[dict, dict]:
    """Spots for edge labels: greedily, each at the first t along its edge where its box
    clears every node (``clear``: node -> radius px, e.g. of its highlight ring; else the
    node), the boxes ``avoid`` ((x, y, half w, half h) px: labels above nodes), every label
    placed before, and other edges (no label on a crossing); a few edge orders are tried,
    then smaller (compact) labels, down to 3/4 of the theme's size.  A layer whose labels
    cannot all be placed shows none (hover stays), unless it is in ``first`` (the layers the
    step reads or writes): those show every label that fits.
    Returns (edge -> (x, y), edge -> (font size, text) of the labels shown)."""
    out, shown = dict(sc.spread), {}
    clear = clear or {}
    px = lambda p: ((p[0] - sc.xr[0]) * sc.sx, (p[1] - sc.yr[0]) * sc.sy)  # noqa: E731
    small = max(10, round(0.72 * th.label))
    for l in sorted({e[1][1] for e in labels}):
        nodes = [(*px(p), clear.get(n, sc.node_px / 2 + 4)) for n, p in sc.pos.items()
                 if n[1] in (l - 1, l)]
        segs = {e: (px(sc.pos[e[0]]), px(sc.pos[e[1]])) for e in labels if e[1][1] == l}
        cross = {e: [c for f in segs if f != e for c in _crossing(*segs[e], *segs[f])] for e in segs}
        few = len(segs) <= 16  # finer search for small layers only (time grows with edges²)
        sizes = range(th.label, small - 1, -1) if few else (th.label,)
        best = {}
        for size in sizes:
            text = {e: labels[e] if size == th.label else _compact(labels[e]) for e in segs}
            orders = [sorted(segs, key=lambda e: (a * e[0][2] + b * e[1][2], e[0][2], e[1][2]))
                      for a, b in ((0, 1), (1, 0), (0, -1), (-1, 0))]
            for n_try in range(8 if few else 4):
                if n_try >= 4:  # retry with the edges left out placed first
                    orders.append([e for e in orders[n_try - 4] if e not in best] +
                                  [e for e in orders[n_try - 4] if e in best])
                boxes, spots = list(avoid), {}
                for e in orders[n_try]:
                    bw = _text_w(text[e], size) / 2 + 3
                    bh = (text[e].count("\n") + 1) * 0.6 * size + 3
                    for t in _FINE if few else _TS:
                        xy = tuple(p + t * (q - p) for p, q in zip(sc.pos[e[0]], sc.pos[e[1]]))
                        x, y = px(xy)
                        if (all(abs(x - u) >= bw + w + 4 or abs(y - v) >= bh + h + 4 for u, v, w, h in boxes)
                                and all(math.hypot(max(abs(x - u) - bw, 0), max(abs(y - v) - bh, 0)) >= r
                                        for u, v, r in nodes)
                                and all(_seg_dist((x, y), *s) >= 0.6 * size + 2
                                        for f, s in segs.items() if f != e)
                                and all(abs(x - u) >= bw + 2 or abs(y - v) >= bh + 2 for u, v in cross[e])):
                            boxes.append((x, y, bw, bh))
                            spots[e] = (xy, size, text[e])
                            break
                    else:
                        if l not in first and not few:
                            break
                if len(spots) > len(best):
                    best = spots
                if len(best) == len(segs):
                    break
            if len(best) == len(segs):
                break
        if len(best) == len(segs) or l in first or few:
            out.update({e: xy for e, (xy, _, _) in best.items()})
            shown.update({e: (size, text) for e, (_, size, text) in best.items()})
    return out, shown


def _clearance(sc: _Scene, th: Theme, reads=(), writes=()) -> dict:
    """Node -> the radius (px) an edge label keeps clear: its ring's, if it has one."""
    out = {n: (sc.node_px + sc.grow[0] + th.ring) / 2 + 3 for n in reads}
    out.update({n: (sc.node_px + sc.grow[1] + th.ring + 2) / 2 + 3 for n in writes})
    return out


def _label_boxes(sc: _Scene, states, th: Theme) -> list:
    """(x, y, half w, half h) px of the labels above small nodes (none when inside)."""
    if sc.inside:
        return []
    return [((sc.pos[s.node][0] - sc.xr[0]) * sc.sx,
             (sc.pos[s.node][1] - sc.yr[0]) * sc.sy + sc.label_dy + 0.65 * th.label,
             _text_w(_text(sc, s), th.label) / 2 + 2, 0.65 * th.label) for s in states]


def _edges(sc: _Scene, values: dict, vmax: float, full: bool = True) -> list:
    """One line per edge (trace dicts): width ∝ |value|, blue solid > 0, red dashed < 0, grey
    dotted None.  ``full=False``: only the line style (an animation frame's update)."""
    out = []
    for (u, v), val in values.items():
        style = ({"width": sc.edge_px[0], "color": "#c8c8c8", "dash": "dot"} if val is None else
                 {"width": sc.edge_px[0] + (sc.edge_px[1] - sc.edge_px[0]) * min(abs(val) / vmax, 1),
                  "color": POS if val > 0 else NEG if val < 0 else ZERO,
                  "dash": "dash" if val < 0 else "solid"})
        out.append({"type": "scatter", "line": style} if not full else dict(
            type="scatter", x=[sc.pos[u][0], sc.pos[v][0]], y=[sc.pos[u][1], sc.pos[v][1]],
            mode="lines", line=style, hoverinfo="skip", showlegend=False,
            opacity=sc.edge_alpha, name=f"edge:{v[1]}:{v[2]}:{u[2]}"))
    return out


def _edge_extras(states: dict, placed: tuple, th: Theme) -> tuple[go.Scatter, list]:
    """(hover points, label annotations) for EdgeStates at spots ``placed`` by _place (at
    the size it chose, compact below the theme's).  Each label line is coloured by its
    sign, darker than the edges."""
    spots, shown = placed
    ink = lambda x: "#8f1322" if "−" in x else "#17477a" if "+" in x else INK  # noqa: E731
    text = lambda e, s: _compact(s.label) if shown[e][0] < th.label else s.label  # noqa: E731
    notes = [{"x": spots[e][0], "y": spots[e][1], "name": f"edge:{e[1][1]}:{e[1][2]}:{e[0][2]}",
              "text": "<br>".join(f'<span style="color:{ink(x)}">{x}</span>'
                                  for x in text(e, s).split("\n")),
              "showarrow": False, "font": {"size": shown[e][0]}, "bgcolor": "rgba(255,255,255,0.88)",
              "borderpad": 1} for e, s in states.items() if e in shown]
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
        text=[_text(sc, s) for s in states] if sc.inside else None, showlegend=False,
        textfont={"size": th.label, "color": text_color, "family": FONT}, hoverinfo="text",
        hovertext=[s.hover.replace("\n", "<br>") for s in states],
        customdata=[[s.layer, s.index] for s in states],
        marker={"size": sc.node_px, "line": {"width": 1.5, "color": GREY}, **marker},
        cliponaxis=False, _validate=VALIDATE)


def _text(sc: _Scene, s) -> str:  # "z=+1.16" on two lines inside a node
    return s.label.replace("=", "<br>", 1) if sc.inside else s.label


def _node_notes(sc: _Scene, states, th: Theme) -> list:
    """Labels above small nodes, as annotations on a white box (readable over edges)."""
    return [] if sc.inside else [
        {"x": sc.pos[s.node][0], "y": sc.pos[s.node][1], "yshift": sc.label_dy, "yanchor": "bottom",
         "text": _text(sc, s), "showarrow": False, "font": {"size": th.label, "color": INK},
         "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 0, "name": f"node:{s.layer}:{s.index}"}
        for s in states]


def _ring(sc: _Scene, nodes, color, grow, width, name) -> go.Scatter:
    nodes = sorted(nodes)
    return go.Scatter(x=[sc.pos[n][0] for n in nodes], y=[sc.pos[n][1] for n in nodes],
                      mode="markers", hoverinfo="skip", showlegend=False, name=name,
                      customdata=[list(n[1:]) for n in nodes],
                      marker={"symbol": "circle-open", "size": sc.node_px + grow, "color": color,
                              "line": {"width": width, "color": color}}, cliponaxis=False,
                      _validate=VALIDATE)


def _halo(sc: _Scene, edges, color, name) -> go.Scatter:
    xy = [(sc.pos[u], sc.pos[v]) for u, v in sorted(edges)]
    return go.Scatter(x=[c for p, q in xy for c in (p[0], q[0], None)],
                      y=[c for p, q in xy for c in (p[1], q[1], None)], mode="lines",
                      line={"width": sc.edge_px[1] + 8, "color": color}, hoverinfo="skip",
                      showlegend=False, name=name, _validate=VALIDATE)


def _layout(sc: _Scene, trace, th: Theme, title: str, notes: list, read_y=False) -> dict:
    L, out = trace.output_layer, ("n", trace.output_layer)
    heads = [{"x": sc.pos[("n", l, 0)][0], "y": 1, "yref": "paper", "yanchor": "bottom",
              "text": f"<b>{layer_title(l, L)}</b>", "showarrow": False,
              "font": {"size": th.label + 1}, "name": f"layer:{l}"} for l in range(L + 1)]
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    targets = [{"x": sc.pos[out + (j,)][0], "y": sc.pos[out + (j,)][1], "xanchor": "left",
                "xshift": 0.64 * sc.node_px + 4, "showarrow": False, "name": f"target:{j}",
                "text": f"y{str(j + 1).translate(sub)} = {fmt(y)}", "font": {"size": th.label},
                "bordercolor": INK if read_y else "rgba(0,0,0,0)", "borderpad": 3,
                "borderwidth": th.ring if read_y else 0} for j, y in enumerate(trace.y[:, 0])]
    axis = {"visible": False, "fixedrange": True}
    return dict(
        title={"text": title, "font": {"size": th.title}, "x": 0.01, "xanchor": "left",
               "y": 1 - (12 + 1.2 * th.title * title.count("<br>")) / sc.height, "yanchor": "top",
               "yref": "container"},
        font={"family": FONT, "size": th.font, "color": INK}, paper_bgcolor="white",
        plot_bgcolor="white", width=sc.width, height=sc.height, margin=dict(sc.margin),
        xaxis={**axis, "range": list(sc.xr)}, yaxis={**axis, "range": list(sc.yr)},
        hovermode="closest", dragmode=False, hoverlabel={"font": {"size": th.font, "family": FONT}},
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "font": {"size": th.font}},
        annotations=heads + targets + notes)


def _legend(sc: _Scene, th: Theme, what: str) -> list:
    def item(name, mode, **kw):
        return go.Scatter(x=[None], y=[None], name=name, mode=mode, hoverinfo="skip",
                          _validate=VALIDATE, **kw)
    ring = lambda c, w: {"symbol": "circle-open", "size": th.label + 6, "color": c,  # noqa: E731
                         "line": {"width": w, "color": c}}
    line = lambda c, d: {"color": c, "width": max(sc.edge_px[1] / 2, 2), "dash": d}  # noqa: E731
    return [item(f"{what} > 0", "lines", line=line(POS, "solid")),
            item(f"{what} < 0", "lines", line=line(NEG, "dash")),
            item("read by this step", "markers", marker=ring(INK, th.ring)),
            item("written by this step", "markers", marker=ring(GOLD, th.ring + 1)),
            item("not computed yet", "markers", marker={"size": th.label + 4, "color": "#eeeeee",
                                                        "line": {"width": 1.5, "color": "#9e9e9e"}})]


def step_figure(trace, i: int, *, theme: str = "light", width: int | None = None,
                height: int | None = None, edges: str = "weights") -> go.Figure:
    """The network graph at step ``i`` of ``trace`` (negative i counts from the end).

    Node colour: the value shown (a^l_j forward, δ^l_j backward) on a symmetric RdBu
    scale; labels carry the sign ("+"/"−"); "?" on grey until computed.  Edge width ∝ |w|
    (``edges="gradients"``: ∝ |∂C/∂w|, dotted until computed), blue solid > 0, red dashed
    < 0; labels w (then ∇w, then the new w).  Dark rings: what step i reads; gold: writes.
    ``width``/``height`` (px) also drive the layout (label sizes, which labels fit).
    """
    th = _theme(theme)
    if edges not in ("weights", "gradients"):
        raise ValueError(f"edges must be 'weights' or 'gradients'; got {edges!r}.")
    st = graph_state(trace, i)
    title, lines = _wrap(f"Step {st.step + 1}/{len(trace)} · " + re.sub(
        r"\^(\w+)", r"<sup>\1</sup>", st.title.replace("nabla_", "∇")), th, width)
    sc = _scene(trace, th, width, height, top_px=int(1.3 * th.title) * (lines - 1))
    grad = edges == "gradients"
    vals = {e: (s.nabla_w if grad else s.w) for e, s in st.edges.items()}
    vmax = max(float(np.max(np.abs(w))) for w in
               (trace.nabla_w if grad else trace.weights + trace.new_weights)) or 1.0
    ns, R = list(st.nodes.values()), st.color_range
    # the edges this step reads or writes show their labels first (smaller if need be)
    first = frozenset(v[1] for _, v in st.reads_edges | st.writes_edges)
    placed = _place(sc, {e: s.label for e, s in st.edges.items()}, th,
                    _clearance(sc, th, st.reads_nodes, st.writes_nodes), _label_boxes(sc, ns, th), first)
    hover, notes = _edge_extras(st.edges, placed, th)
    col = [s for s in ns if s.colored]
    data = [_halo(sc, st.reads_edges, "rgba(17,17,17,0.22)", "reads (edges)"),
            _halo(sc, st.writes_edges, "rgba(230,159,0,0.6)", "writes (edges)"),
            *_edges(sc, vals, vmax), hover,
            _ring(sc, st.writes_nodes, GOLD, sc.grow[1], th.ring + 2, "writes (nodes)"),
            _nodes(sc, [s for s in ns if s.number is None], "nodes (not computed)", th,
                   color="#eeeeee", text_color="#707070", line={"width": 1.5, "color": "#9e9e9e"}),
            _nodes(sc, [s for s in ns if not s.colored and s.number is not None], "nodes (other)",
                   th, color="white"),
            _nodes(sc, col, "nodes", th, color=[s.value for s in col], colorscale=_SCALE,
                   cmin=-R, cmax=R, showscale=True,
                   text_color=["white" if abs(s.value) > 0.6 * R else INK for s in col],
                   colorbar={"title": {"text": st.color_title, "side": "right"}, "len": 0.75,
                             "thickness": 14 if th.font < 16 else 22, "outlinewidth": 0,
                             "tickfont": {"size": th.font}}),
            _ring(sc, st.reads_nodes, INK, sc.grow[0], th.ring, "reads (nodes)"),
            *_legend(sc, th, "∇w" if grad else "w")]
    notes += _node_notes(sc, ns, th)
    hidden = len(placed[1]) < len(st.edges)
    if hidden:  # right under the plot; the legend moves below it (it wraps to 1-3 rows)
        notes.append({"x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left",
                      "yanchor": "top", "yshift": -2, "showarrow": False,
                      "font": {"size": th.font, "color": GREY}, "name": "note",
                      "text": "some edge labels hidden: hover an edge for its values"})
    layout = _layout(sc, trace, th, title, notes, st.reads_target)
    if hidden:
        layout["legend"]["y"] = -(1.5 * th.font + 6) / (sc.height - sc.margin["t"] - sc.margin["b"])
    return go.Figure(data=data, layout=layout, _validate=VALIDATE)


def update_animation_figure(trace, *, n_frames: int = 20, theme: str = "light",
                            width: int | None = None, height: int | None = None) -> go.Figure:
    """The update w ← w − (η/m)·∇w, played in the browser: frame f shows every weight and
    bias at t = f/(n_frames−1) of the way (``graph.update_state``): frame 0 the old values,
    the last ``trace.new_weights``.  Edge width/colour/label and node (bias) labels move;
    Play/Pause, speed 0.5×/1×/2× and a slider over frames are plotly controls (no server)."""
    th, n = _theme(theme), int(n_frames)
    if n < 2:
        raise ValueError(f"n_frames must be at least 2; got {n_frames!r}.")
    title, lines = _wrap(f"Update · w ← w − (η/m)·∇w, b ← b − (η/m)·∇b  "
                         f"(η = {fmt(trace.eta)}, m = {trace.m})", th, width)
    sc = _scene(trace, th, width, height, bottom_px=int(3.4 * th.font) + 40,
                top_px=int(1.3 * th.title) * (lines - 1))
    vmax = max(float(np.max(np.abs(w))) for w in trace.weights + trace.new_weights) or 1.0
    nodes0, first = update_state(trace, 0.0)
    nodes1, last = update_state(trace, 1.0)
    widest = {e: max(s.label, last[e].label, key=len) for e, s in first.items()}
    boxes = _label_boxes(sc, nodes0.values(), th) + _label_boxes(sc, nodes1.values(), th)
    # the same spots in every frame; every layer is written: each shows what fits
    placed = _place(sc, widest, th, avoid=boxes, first=frozenset(range(1, len(trace.sizes))))

    def frame(t, full=False):
        nodes, edges = update_state(trace, t)
        ns, tips = list(nodes.values()), [s.hover.replace("\n", "<br>") for s in edges.values()]
        hover, notes = _edge_extras(edges, placed, th)
        data = _edges(sc, {e: s.w for e, s in edges.items()}, vmax, full) + (
            [hover, _nodes(sc, ns, "nodes", th, color="white")] if full else
            [{"type": "scatter", "hovertext": tips}, {"type": "scatter", "hovertext": [
                s.hover.replace("\n", "<br>") for s in ns], "text": [_text(sc, s) for s in ns]}])
        return data, notes + _node_notes(sc, ns, th)

    ts = [f / (n - 1) for f in range(n)]
    data, notes = frame(0.0, full=True)
    layout = _layout(sc, trace, th, title, notes)
    if len(placed[1]) < len(first):  # under the slider
        layout["annotations"].append({
            "x": 0, "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top",
            "yshift": -(sc.margin["b"] - th.font - 8), "showarrow": False, "name": "note",
            "font": {"size": th.font, "color": GREY},
            "text": "some edge labels hidden: hover an edge for its values"})
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
                  "pad": {"t": int(1.9 * th.font) + 24}, "font": {"size": int(th.font * 0.7)},
                  "currentvalue": {"prefix": "update progress t = ", "font": {"size": th.font}},
                  "steps": [{"method": "animate", "label": f"{round(100 * t)}%",
                             "args": [[f"f{f}"], still]} for f, t in enumerate(ts)]}])
    return fig


def loss_figure(history, *, theme: str = "light", height: int | None = None) -> go.Figure:
    """Cost per epoch (or step), and accuracy on a right-hand axis when present.

    ``history``: dicts with "epoch" (or "step") and "cost", optionally "accuracy" (0 to 1)."""
    th, rows = _theme(theme), list(history)
    key = "epoch" if rows and all("epoch" in r for r in rows) else "step"
    xs = [r.get(key, i) for i, r in enumerate(rows)]
    acc = [(x, r["accuracy"]) for x, r in zip(xs, rows) if r.get("accuracy") is not None]
    series = [("cost C", "y", POS, "solid", [(x, r["cost"]) for x, r in zip(xs, rows)])]
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
        xaxis={**axis, "title": {"text": key}}, yaxis={**axis, "title": {"text": "cost C"}},
        **({"yaxis2": {**axis, "title": {"text": "accuracy"}, "overlaying": "y", "side": "right",
                       "showgrid": False, "tickformat": ".0%", "range": [0, 1.05]}} if acc else {}))
    if not rows:
        fig.add_annotation(text="no training yet", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": th.label, "color": GREY})
    return fig
