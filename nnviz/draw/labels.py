"""Labels on the network figure: where edge labels go, and the text and boxes of node labels.

``place_labels`` puts each edge label at a spot along its edge that clears nodes, rings, other
labels and edges; the figure builders in ``nnviz.draw.figures`` draw them there.
"""
from __future__ import annotations

import math
import random

from nnviz.draw.layout import Theme, Scene, text_width


_TS = (0.5, 0.4, 0.6, 0.32, 0.68, 0.45, 0.55, 0.26, 0.74, 0.36, 0.64, 0.2, 0.8)  # label spots


_FINE = tuple(sorted((round(0.1 + 0.02 * i, 2) for i in range(41)), key=lambda t: abs(t - 0.5)))


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
    """A label in less room: "∇−0.08883" rather than "∇ −0.08883", "+0.2→+0.22"."""
    return label.replace("∇ ", "∇").replace(" → ", "→")


def _hits(a, b, x, y, hw, hh) -> bool:
    """Does segment a-b pass through the box centred (x, y), half sizes hw, hh (Liang-Barsky)?"""
    t0, t1, dx, dy = 0.0, 1.0, b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - (x - hw)), (dx, (x + hw) - a[0]), (-dy, a[1] - (y - hh)), (dy, (y + hh) - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            r = q / p
            if p < 0:
                t0 = max(t0, r)
            else:
                t1 = min(t1, r)
            if t0 > t1:
                return False
    return True


def label_box(text: str, size: float, x: float, y: float) -> tuple:
    """(x, y, half w, half h) px of a label with a 1 px pad, centred on (x, y)."""
    return (x, y, text_width(text, size) / 2 + 2, (text.count("\n") + 1) * 0.66 * size + 2)


def _apart(p, q, gap=2) -> bool:
    return abs(p[0] - q[0]) >= p[2] + q[2] + gap or abs(p[1] - q[1]) >= p[3] + q[3] + gap


def place_labels(sc: Scene, labels: dict, th: Theme, clear: dict | None = None, avoid=(),
           first=frozenset(), partial: bool = False) -> tuple[dict, dict]:
    """Spots for edge labels, each centred on its own edge (a reader follows the line through
    it), at the theme's size (never smaller: a crowded layer gets the compact text first).

    Hard: a label's box clears every node (``clear``: node -> radius px, e.g. of its
    highlight ring; else the node), the boxes ``avoid`` ((x, y, half w, half h) px: node
    labels, target labels), every label placed before, and the plot area's edges.  Soft
    (the least is chosen): other edges and crossings under the box, distance from the
    edge's middle.  The layers in ``first`` (those the step reads or writes) are placed
    first and show every label that fits; any other layer shows all its labels or none
    (``partial``: what fits, for networks too large to label).
    Returns (edge -> (x, y), edge -> (font size, compact text?) of the labels shown)."""
    out, shown, clear = dict(sc.spread), {}, clear or {}
    boxes = list(avoid)
    size = th.label
    w, h = sc.xr[1], sc.yr[1]
    for l in sorted({e[1][1] for e in labels}, key=lambda l: (l not in first, l)):
        nodes = [(*p, clear.get(n, sc.node_px / 2 + 3)) for n, p in sc.pos.items()]
        segs = {e: (sc.pos[e[0]], sc.pos[e[1]]) for e in labels if e[1][1] == l}
        near = [s for e, s in ((e, (sc.pos[e[0]], sc.pos[e[1]])) for e in labels) if e[1][1] in (l - 1, l, l + 1)]
        cross = {e: [c for f in segs if f != e for c in _crossing(*segs[e], *segs[f])] for e in segs}
        few = len(segs) <= 9  # a thorough search for small layers only (time grows fast with edges)
        ts = _FINE if few else _TS
        result = {}
        for compact in (False, True) if few else (True,):
            text = {e: compact_label(labels[e]) if compact else labels[e] for e in segs}
            spots = {}  # edge -> [(penalty, box)] of the spots that clear nodes and the area
            for e, (a, b) in segs.items():
                spots[e] = []
                _, _, bw, bh = label_box(text[e], size, 0, 0)
                # centred on the edge; or beside it, touching it (dearer, the more so
                # with other edges under it: a reader should see whose label it is)
                length = math.hypot(b[0] - a[0], b[1] - a[1])
                nx, ny = (a[1] - b[1]) / length, (b[0] - a[0]) / length  # unit normal
                lift = bw * abs(nx) + bh * abs(ny) + 1  # the box's reach across the edge
                for t in ts:
                    for dy in (0.0, lift, -lift) if few else (0.0,):
                        x = a[0] + t * (b[0] - a[0]) + dy * nx
                        y = a[1] + t * (b[1] - a[1]) + dy * ny
                        bx = (x, y, bw, bh)
                        if not (bw <= x <= w - bw and bh <= y <= h + 1.3 * size - bh):  # to the headings' row
                            continue
                        if not all(math.hypot(max(abs(x - u) - bw, 0), max(abs(y - v) - bh, 0)) >= r
                                   for u, v, r in nodes):
                            continue
                        if not all(_apart(bx, q) for q in boxes):
                            continue
                        under = sum(_hits(*s, x, y, bw - 2, bh - 2) for s in near) - (dy == 0)
                        pen = under * (8 if dy else 4) + abs(t - 0.5) + (3 if dy else 0) \
                            + sum(2 for c in cross[e] if abs(c[0] - x) < bw and abs(c[1] - y) < bh)
                        spots[e].append((pen, bx))
                spots[e].sort(key=lambda s: s[0])
            orders = [sorted(segs, key=lambda e: (a * e[0][2] + b * e[1][2], e[0][2], e[1][2]))
                      for a, b in ((0, 1), (1, 0), (0, -1), (-1, 0))]
            orders.append(sorted(segs, key=lambda e: len(spots[e])))  # the most constrained first
            orders += [list(reversed(o)) for o in orders] if few else []
            rng = random.Random(l)  # a few shuffled orders too (seeded: the same figure every time)
            orders += [rng.sample(list(segs), len(segs)) for _ in range(40 if few else 0)]
            best, best_score = {}, None
            for order in orders:
                got, pen = {}, 0.0
                for e in order:
                    for p, bx in spots[e]:
                        if all(_apart(bx, q) for q in got.values()):
                            got[e], pen = bx, pen + p
                            break
                score = (len(got), -pen)
                if best_score is None or score > best_score:
                    best, best_score = got, score
                if not few and len(got) == len(segs):
                    break
            if len(best) < len(segs) and few:
                best = _search(spots) or best
            result = {e: (bx, compact) for e, bx in best.items()}
            if len(result) == len(segs):
                break
        if len(result) == len(segs) or l in first or partial:
            for e, (bx, compact) in result.items():
                out[e] = (bx[0], bx[1])
                shown[e] = (size, compact)
                boxes.append(bx)
    return out, shown


def _search(spots: dict, budget: int = 20000) -> dict | None:
    """A spot for every edge, no two boxes touching: depth-first over each edge's spots
    (the most constrained edge first, each edge's best spots first); None if none is found
    within ``budget`` tries."""
    order = sorted(spots, key=lambda e: len(spots[e]))
    got, tries = {}, [0]

    def go(n):
        if n == len(order):
            return True
        for _, bx in spots[order[n]]:
            tries[0] += 1
            if tries[0] > budget:
                return False
            if all(_apart(bx, q) for q in got.values()):
                got[order[n]] = bx
                if go(n + 1):
                    return True
                del got[order[n]]
        return False
    return dict(got) if go(0) else None


def label_clearance(sc: Scene, th: Theme, reads=(), writes=()) -> dict:
    """Node -> the radius (px) an edge label keeps clear: its ring's, if it has one."""
    out = {n: (sc.node_px + sc.grow[0] + th.ring) / 2 + 3 for n in reads}
    out.update({n: (sc.node_px + sc.grow[1] + th.ring + 2) / 2 + 3 for n in writes})
    return out


def label_boxes(sc: Scene, states, th: Theme, extras=None, lower=None) -> list:
    """(x, y, half w, half h) px of the labels above small nodes (none when inside) and of
    the step values under nodes (``extras``: node -> lines, ``GraphState.extras``; moved
    down by ``lower(sc, node, th)`` px)."""
    out = [] if sc.inside else [
        (*sc.pos[s.node][:1], sc.pos[s.node][1] + sc.label_dy + 0.65 * th.label,
         text_width(node_label_text(sc, s), th.label) / 2 + 2, 0.65 * th.label) for s in states]
    for n, lines in (extras or {}).items():
        hh = 0.65 * th.label * len(lines)
        out.append((sc.pos[n][0], sc.pos[n][1] - sc.label_dy - hh - (lower(sc, n, th) if lower else 0),
                    text_width("\n".join(lines), th.label) / 2 + 2, hh))
    return out


def node_label_text(sc: Scene, s) -> str:  # "z=+1.16" on two lines inside a node
    return s.label.replace("=", "<br>", 1) if sc.inside else s.label
