"""Labels on the network figure: where edge labels go, and the text and boxes of node labels.

``place_labels`` puts each edge label at a spot along its edge that clears nodes, rings, other
labels and edges; the figure builders in ``nnviz.draw.figures`` draw them there.
"""
from __future__ import annotations

import math

from nnviz.draw.layout import Theme, Scene, text_width


_TS = (0.5, 0.4, 0.6, 0.32, 0.68, 0.45, 0.55, 0.26, 0.74, 0.36, 0.64, 0.2, 0.8)  # label spots


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


def compact_label(label: str) -> str:
    """A label in less room: "∇−0.08883" rather than "∇ −0.08883"."""
    return label.replace("∇ ", "∇").replace("→ ", "→")


def place_labels(sc: Scene, labels: dict, th: Theme, clear: dict | None = None, avoid=(),
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
            text = {e: labels[e] if size == th.label else compact_label(labels[e]) for e in segs}
            fits = {}  # (edge, t) -> its box clears nodes, other edges, crossings (this size)

            def clears(e, t, x, y, bw, bh, size=size, fits=fits):
                """The tests of a spot that do not depend on the order tried: computed once
                per size (small layers retry up to 8 orders)."""
                if (e, t) not in fits:
                    fits[e, t] = (all(math.hypot(max(abs(x - u) - bw, 0), max(abs(y - v) - bh, 0)) >= r
                                      for u, v, r in nodes)
                                  and all(_seg_dist((x, y), *s) >= 0.6 * size + 2
                                          for f, s in segs.items() if f != e)
                                  and all(abs(x - u) >= bw + 2 or abs(y - v) >= bh + 2 for u, v in cross[e]))
                return fits[e, t]

            orders = [sorted(segs, key=lambda e: (a * e[0][2] + b * e[1][2], e[0][2], e[1][2]))
                      for a, b in ((0, 1), (1, 0), (0, -1), (-1, 0))]
            for n_try in range(8 if few else 4):
                if n_try >= 4:  # retry with the edges left out placed first
                    orders.append([e for e in orders[n_try - 4] if e not in best] +
                                  [e for e in orders[n_try - 4] if e in best])
                boxes, spots = list(avoid), {}
                for e in orders[n_try]:
                    bw = text_width(text[e], size) / 2 + 3
                    bh = (text[e].count("\n") + 1) * 0.6 * size + 3
                    for t in _FINE if few else _TS:
                        xy = tuple(p + t * (q - p) for p, q in zip(sc.pos[e[0]], sc.pos[e[1]]))
                        x, y = px(xy)
                        if (all(abs(x - u) >= bw + w + 4 or abs(y - v) >= bh + h + 4 for u, v, w, h in boxes)
                                and clears(e, t, x, y, bw, bh)):
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


def label_clearance(sc: Scene, th: Theme, reads=(), writes=()) -> dict:
    """Node -> the radius (px) an edge label keeps clear: its ring's, if it has one."""
    out = {n: (sc.node_px + sc.grow[0] + th.ring) / 2 + 3 for n in reads}
    out.update({n: (sc.node_px + sc.grow[1] + th.ring + 2) / 2 + 3 for n in writes})
    return out


def label_boxes(sc: Scene, states, th: Theme) -> list:
    """(x, y, half w, half h) px of the labels above small nodes (none when inside)."""
    if sc.inside:
        return []
    return [((sc.pos[s.node][0] - sc.xr[0]) * sc.sx,
             (sc.pos[s.node][1] - sc.yr[0]) * sc.sy + sc.label_dy + 0.65 * th.label,
             text_width(node_label_text(sc, s), th.label) / 2 + 2, 0.65 * th.label) for s in states]


def node_label_text(sc: Scene, s) -> str:  # "z=+1.16" on two lines inside a node
    return s.label.replace("=", "<br>", 1) if sc.inside else s.label
