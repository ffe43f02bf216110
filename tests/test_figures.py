"""nnviz.draw.figures: what the user sees, checked against the trace itself.

Labels are parsed back out of the figure (trace text, annotations) and compared with
``fmt`` of the trace's own numbers: an independent check of the drawing, not of graph.py.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from nnviz.draw import layout as figure_layout
from nnviz.draw import animation, marks
from nnviz.engine.config import random_config
from nnviz.draw.animation import update_animation_figure
from nnviz.draw.cost_curve import loss_figure
from nnviz.draw.figures import step_figure
from nnviz.draw.state import graph_state
from nnviz.trace.numfmt import fmt
from nnviz.engine.presets import PRESETS, load_preset
from nnviz.trace.record import trace_backprop

NODE_TRACES = ("nodes", "nodes (other)", "nodes (not computed)")


def _trace(config):
    return trace_backprop(config.network(), config.x_array, config.y_array, config.eta)


@pytest.fixture(scope="module")
def seed():
    return _trace(load_preset("seed").config)


@pytest.fixture(scope="module")
def big():
    return _trace(random_config([8, 8, 8, 8, 8], seed=5))


def _plain(text: str) -> list[str]:
    """The lines a user reads: tags dropped, <br> split."""
    return [re.sub(r"<[^>]+>", "", line).strip() for line in re.split(r"<br>", text)]


def _num(text: str) -> str:
    """'+0.5969' / '−0.2' as fmt writes them ('0.5969', '-0.2')."""
    text = text.replace("\u2212", "-")
    return text[1:] if text.startswith("+") else text


def _labels(data, kind: str) -> dict:
    """(numbers of the name) -> text of the labels named "kind:..." in the "labels" text trace."""
    (tr,) = [t for t in data if t.name == "labels"]
    return {tuple(map(int, name.split(":")[1:])): text
            for name, text in zip(tr.customdata, tr.text, strict=True) if name.startswith(kind + ":")}


def _node_labels(fig) -> dict:
    """(l, j) -> label lines, from node traces (inside) or 'node:l:j' labels (above)."""
    out = {}
    for tr in fig.data:
        if tr.name in NODE_TRACES and tr.text is not None:
            out.update({tuple(c): _plain(t) for c, t in zip(tr.customdata, tr.text, strict=True)})
    out.update({n: _plain(t.replace("=", "<br>", 1)) for n, t in _labels(fig.data, "node").items()})
    return out


def _edge_labels(data) -> dict:
    """(l, j, k) -> the lines of the label of the edge carrying w^l_jk (a figure's or frame's traces)."""
    return {n: _plain(t) for n, t in _labels(data, "edge").items()}


def _edge_widths(fig) -> dict:
    """(l, j, k) -> the width of the line drawn for that edge (each edge in one "edges" trace)."""
    out = {}
    for tr in fig.data:
        if tr.name == "edges":
            for c in tr.customdata:
                if c is not None:
                    out[tuple(c)] = tr.line.width
    return out


def _index(trace, kind, layer):
    return next(s.index for s in trace.steps if s.kind == kind and s.layer == layer)


def _check_labels(trace, i, fig):
    """Every number label equals fmt(the trace's value); uncomputed nodes show no number."""
    known, phase = trace.known(i), trace[i].phase
    nodes = _node_labels(fig)
    assert len(nodes) == sum(trace.sizes)
    for (l, j), lines in nodes.items():
        if phase == "forward":
            name = next((n for n in (f"a^{l}", f"z^{l}") if n in known), None)
        else:
            name = "a^0" if l == 0 else f"delta^{l}" if f"delta^{l}" in known else None
        if name is None:
            assert lines == ["?"] and not any(re.search(r"\d", x) for x in lines)
            continue
        prefix = {"z": ["z"], "a": ["x"] if l == 0 and phase != "forward" else []}.get(name[0], [])
        assert lines == prefix + [lines[-1]]
        assert _num(lines[-1]) == fmt(known[name][j, 0])
    edges = _edge_labels(fig.data)
    for (l, j, k), lines in edges.items():
        for line in lines:  # "+0.2", "+0.2 → +0.2191" (updated), "∇ −0.08883" / "∇−0.08883"
            if line.startswith("∇"):
                assert _num(line[1:].strip()) == fmt(known[f"nabla_w^{l}"][j, k])
                continue
            w, _, new = line.partition("→")
            if w.strip():
                assert _num(w.strip()) == fmt(trace.weights[l - 1][j, k])
            if new:
                assert _num(new.strip()) == fmt(known[f"new_w^{l}"][j, k])
    targets = {a.name: a.text for a in fig.layout.annotations if (a.name or "").startswith("target:")}
    assert [t.split(" = ")[1] for t in targets.values()] == [fmt(v) for v in trace.y[:, 0]]
    return nodes, edges


def test_forward_step_labels(seed):
    i = _index(seed, "a", 1)
    fig = step_figure(seed, i)
    nodes, edges = _check_labels(seed, i, fig)
    assert nodes[(2, 0)] == ["?"] and nodes[(1, 1)] == ["+" + fmt(seed.known(i)["a^1"][1, 0])]
    assert len(edges) == 8  # the 3-2-1 network shows every weight
    z_fig = step_figure(seed, _index(seed, "z", 1))
    assert _node_labels(z_fig)[(1, 0)][0] == "z"
    assert fig.data[[t.name for t in fig.data].index("nodes")].marker.colorbar.title.text == "activation a"


def test_backward_step_labels(seed):
    for kind, layer in (("delta", 2), ("nabla_w", 2), ("delta", 1), ("update_w", 1)):
        i = _index(seed, kind, layer)
        fig = step_figure(seed, i)
        _check_labels(seed, i, fig)
        bar = fig.data[[t.name for t in fig.data].index("nodes")].marker.colorbar
        assert bar.title.text == "error δ"
    edges = _edge_labels(step_figure(seed, _index(seed, "nabla_w", 2)).data)
    assert edges[(2, 0, 1)][1] == "∇ " + fmt(seed.nabla_w[1][0, 1]).replace("-", "\u2212")
    assert len(edges[(1, 0, 0)]) == 1  # nabla_w^1 not yet computed


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_step_of_every_preset(name):
    t = _trace(PRESETS[name].config)
    for i in range(len(t)):
        _check_labels(t, i, step_figure(t, i, theme="projector" if i % 2 else "light"))
    step_figure(t, 9, edges="gradients")


def test_highlights_are_what_the_step_reads_and_writes(seed):
    for i, step in enumerate(seed.steps):
        fig = step_figure(seed, i)
        by = {t.name: t for t in fig.data}
        drawn = {tuple(c): (x, y) for name in NODE_TRACES for c, x, y in
                 zip(by[name].customdata, by[name].x, by[name].y, strict=True)}
        for what, names in (("reads", list(step.reads)), ("writes", [step.writes])):
            want_nodes, want_edges = set(), set()
            for n in names:
                if n in ("y", "eta", "m"):
                    continue
                sym, l = ("a", 0) if n == "x" else (n.split("^")[0], int(n.split("^")[1]))
                if "w" in sym.split("_")[-1:]:
                    want_edges |= {(k, j, l) for j in range(seed.sizes[l]) for k in range(seed.sizes[l - 1])}
                else:
                    want_nodes |= {(l, j) for j in range(seed.sizes[l])}
            assert {tuple(c) for c in by[f"{what} (nodes)"].customdata} == want_nodes
            halo = by[f"{what} (edges)"]
            segs = {(halo.x[s], halo.y[s], halo.x[s + 1], halo.y[s + 1]) for s in range(0, len(halo.x), 3)}
            pos = lambda l, j: drawn[(l, j)]  # noqa: E731
            assert segs == {(*pos(l - 1, k), *pos(l, j)) for k, j, l in want_edges}
        target_box = [a.borderwidth for a in fig.layout.annotations if a.name == "target:0"][0]
        assert bool(target_box) == ("y" in step.reads)


def test_hover_updates_with_the_step(seed):
    def hover(fig, l, j):
        tr = [t for t in fig.data if t.name in NODE_TRACES and [l, j] in [list(c) for c in t.customdata]][0]
        return tr.hovertext[[list(c) for c in tr.customdata].index([l, j])]
    a = seed.known(2)["a^1"][1, 0]
    assert f"a^1_2 = σ(z^1_2) = {fmt(a, 9)}" in hover(step_figure(seed, 2), 1, 1)
    assert "not computed yet" in hover(step_figure(seed, 1), 2, 0)
    edge_hover = [t for t in step_figure(seed, -1).data if t.name == "edge hover"][0]
    assert len(edge_hover.hovertext) == 8
    assert any(fmt(seed.new_weights[0][1, 2], 9) in h for h in edge_hover.hovertext)


def _edge_segments(fig) -> dict:
    """(l, j, k) -> (x0, y0, x1, y1, colour, dash, width) of the line drawn for that edge."""
    out = {}
    for tr in fig.data:
        if tr.name != "edges":
            continue
        pts = list(zip(tr.x, tr.y, tr.customdata, strict=True))
        for n in range(0, len(pts), 3):  # a segment, then a None gap
            (x0, y0, c0), (x1, y1, c1), gap = pts[n:n + 3]
            assert c0 == c1 and gap == (None, None, None)
            assert tuple(c0) not in out, f"edge {c0} drawn twice"
            out[tuple(c0)] = (x0, y0, x1, y1, tr.line.color, tr.line.dash, tr.line.width)
    return out


@pytest.mark.parametrize("edges", ["weights", "gradients"])
def test_every_edge_drawn_once_with_its_value_s_width_colour_and_hover(seed, big, edges):
    """Edges share traces by style: each edge is still drawn exactly once, from neuron k of
    layer l-1 to neuron j of layer l, blue solid for a value > 0 and red dashed < 0 (dotted
    grey while ∇w is unknown), its width an increasing affine function of |value| (to the
    rounding), and its hover text carries the trace's own w^l_jk."""
    for trace, i in ((seed, 2), (seed, 9), (big, 3), (big, len(big) - 1)):
        fig = step_figure(trace, i, edges=edges)
        segs = _edge_segments(fig)
        pos = {tuple(c): (x, y) for tr in fig.data if tr.name in NODE_TRACES
               for c, x, y in zip(tr.customdata, tr.x, tr.y, strict=True)}
        known = trace.known(i)
        want = {(l, j, k) for l in range(1, len(trace.sizes)) for j in range(trace.sizes[l])
                for k in range(trace.sizes[l - 1])}
        assert set(segs) == want
        sized = []
        for (l, j, k), (x0, y0, x1, y1, colour, dash, width) in segs.items():
            assert (x0, y0, x1, y1) == (*pos[(l - 1, k)], *pos[(l, j)])
            if edges == "gradients" and f"nabla_w^{l}" not in known:
                assert (colour, dash) == (marks.pal.UNKNOWN_EDGE, "dot")
                continue
            v = trace.weights[l - 1][j, k] if edges == "weights" else known[f"nabla_w^{l}"][j, k]
            assert (colour, dash) == ((marks.POS, "solid") if v > 0 else (marks.NEG, "dash") if v < 0
                                      else (marks.ZERO, "solid"))
            sized.append((abs(v), width))
        if len(sized) > 2:  # width = a + b·|v| rounded to EDGE_STEP (a fitted line: within one step), b > 0
            xs, ws = np.array(sized).T
            b, a = np.polyfit(xs, ws, 1)
            assert b > 0 and np.max(np.abs(a + b * xs - ws)) <= marks.EDGE_STEP
        hover = next(t for t in fig.data if t.name == "edge hover")
        for (l, j, k), tip in zip(hover.customdata, hover.hovertext, strict=True):
            assert f"w^{l}_{j + 1}{k + 1} = {fmt(trace.weights[l - 1][j, k], 9)}" in tip


def test_big_network_drops_edge_labels_but_keeps_hover(big):
    """5 layers of 8: what does not fit is a hover away, with a hint, except projected."""
    for i in (0, 3, 20, len(big) - 1):
        fig = step_figure(big, i)
        _check_labels(big, i, fig)
        hover = [t for t in fig.data if t.name == "edge hover"][0]
        assert len(hover.hovertext) == 256
        assert len(_edge_labels(fig.data)) < 256
        assert [a.text for a in fig.layout.annotations if a.name == "note"] == [marks.HINT]
        st = graph_state(big, i)
        own = {(v[1], v[2], u[2]) for u, v in st.reads_edges | st.writes_edges}
        if own:  # the step's own edges are labelled first: some show
            assert own & set(_edge_labels(fig.data))
    fig = step_figure(big, 20, theme="projector", width=1024, height=768)
    assert not any(a.name == "note" for a in fig.layout.annotations)


def test_projector_theme_is_larger(seed):
    light, proj = step_figure(seed, 9), step_figure(seed, 9, theme="projector")
    assert proj.layout.font.size > light.layout.font.size
    assert proj.layout.title.font.size > light.layout.title.font.size

    def sizes(fig):
        texts = [t.textfont.size for t in fig.data if t.name in NODE_TRACES + ("labels",) and t.textfont.size]
        return texts + [a.font.size for a in fig.layout.annotations]
    assert min(sizes(proj)) >= 18 > max(sizes(light))
    assert max(_edge_widths(proj).values()) > max(_edge_widths(light).values())
    with pytest.raises(ValueError):
        step_figure(seed, 0, theme="dark")


def test_update_animation(seed):
    fig = update_animation_figure(seed)
    assert len(fig.frames) == 20
    first, last = _edge_labels(fig.frames[0].data), _edge_labels(fig.frames[-1].data)
    assert len(first) == len(last) == 8
    for (l, j, k), lines in first.items():
        assert [_num(x) for x in lines] == [fmt(seed.weights[l - 1][j, k])]
        assert [_num(x) for x in last[(l, j, k)]] == [fmt(seed.new_weights[l - 1][j, k])]
    assert _edge_labels(fig.data) == first  # the figure opens on frame 0
    mid = _edge_labels(fig.frames[10].data)
    assert mid != first and mid != last
    buttons = [b for m in fig.layout.updatemenus for b in m.buttons]
    labels = [b.label for b in buttons]
    assert "▶ Play" in labels and "❚❚ Pause" in labels
    speeds = {b.name: b.args[1]["frame"]["duration"] for b in buttons if (b.name or "").startswith("speed")}
    assert speeds["speed 0.5×"] == 2 * speeds["speed 1×"] == 4 * speeds["speed 2×"]
    steps = fig.layout.sliders[0].steps
    assert [s.args[0][0] for s in steps] == [f.name for f in fig.frames]
    assert all(b.method == "animate" for b in buttons)  # client-side: no server round trip
    assert "w ← w − (η/m)·Σₓ∇w" in fig.layout.title.text
    small = update_animation_figure(seed, n_frames=5, theme="projector")
    assert len(small.frames) == len(small.layout.sliders[0].steps) == 5
    with pytest.raises(ValueError):
        update_animation_figure(seed, n_frames=1)


def test_update_animation_builds_for_all_presets_and_big(big):
    for p in PRESETS.values():
        update_animation_figure(_trace(p.config), n_frames=3)
    fig = update_animation_figure(big, n_frames=3)
    last = [t for t in fig.frames[-1].data if t.hovertext is not None and len(t.hovertext) == 256][0]
    assert fmt(big.new_weights[3][7, 7], 9) in last.hovertext[-1]


def test_loss_figure():
    fig = loss_figure([{"epoch": 1, "cost": 0.5, "accuracy": 0.25}, {"epoch": 2, "cost": 0.25, "accuracy": 0.75}])
    assert [t.name for t in fig.data] == ["cost C", "accuracy"]
    assert list(fig.data[0].y) == [0.5, 0.25] and fig.data[1].yaxis == "y2"
    assert "epoch" in fig.layout.title.text
    fig = loss_figure([{"step": 0, "cost": 1.0}, {"step": 1, "cost": 0.9}])
    assert len(fig.data) == 1 and list(fig.data[0].x) == [0, 1] and "step" in fig.layout.title.text
    assert loss_figure([]).layout.annotations[0].text == "no training yet"


def test_png_export_without_network(seed, tmp_path):
    """One real render (kaleido + system Chromium, MathJax off so no CDN is contacted)."""
    kaleido = pytest.importorskip("kaleido")
    try:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    except Exception as e:  # no browser available
        pytest.skip(f"kaleido cannot start: {e}")
    try:
        png = step_figure(seed, 9, width=640, height=400).to_image(format="png", width=640, height=400)
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert figure_layout.THEMES["projector"].label >= 18


# ---- the app's screens: desktop column, projector, phone (layout.SCREENS) -------------
SCREENS = {k: v for k, v in figure_layout.SCREENS.items() if k != "notebook"}
APP_WIDTHS = tuple((theme, w) for theme, w, _ in SCREENS.values())
SMALLEST = {"light": 12, "projector": 16, "phone": 12}  # px: the floors
# every value labelled up to 3 layers × 4 neurons; larger presets label what fits
SMALL = sorted(n for n, p in PRESETS.items() if len(p.config.sizes) <= 3 and max(p.config.sizes) <= 4)
LARGE = sorted(set(PRESETS) - set(SMALL))


def _shown(fig) -> set:
    return {(l, k, j) for l, j, k in _edge_labels(fig.data)}


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("name", SMALL)
def test_labels_of_the_edges_a_step_reads_or_writes(name, screen):
    """Every step, on every screen: the edges it reads or writes show their numbers, at the
    theme's size (never shrunk), and no "hover" note (every preset fits)."""
    theme, width, height = SCREENS[screen]
    t = _trace(PRESETS[name].config)
    missing = []
    for i in range(len(t)):
        fig = step_figure(t, i, theme=theme, width=width, height=height)
        _check_labels(t, i, fig)
        assert not any(a.name == "note" for a in fig.layout.annotations)
        (labels,) = [tr for tr in fig.data if tr.name == "labels"]
        assert labels.textfont.size == figure_layout.THEMES[theme].label >= SMALLEST[theme]
        st = graph_state(t, i)
        for u, v in st.reads_edges | st.writes_edges:
            if (v[1], u[2], v[2]) not in _shown(fig):
                missing.append((i, v[1], v[2], u[2]))
    assert not missing


_CRAMPED = pytest.mark.xfail(strict=True, reason="5 layers in 600 px at 18 px type: the value "
                             "labels of the nodes fill the gaps; some steps show none of their own "
                             "edge values (dropping the other nodes' labels would make room)")


@pytest.mark.parametrize("screen", ["desktop", "phone", pytest.param("projected", marks=_CRAMPED)])
@pytest.mark.parametrize("name", LARGE)
def test_larger_presets_label_what_fits_with_a_hint(name, screen):
    """Beyond 3 × 4 not every label fits: those of the step's own edges come first, and
    whatever is left out is a hover away, said by a hint (never on a projector)."""
    theme, width, height = SCREENS[screen]
    t = _trace(PRESETS[name].config)
    n = sum(a * b for a, b in zip(t.sizes, t.sizes[1:]))
    for i in range(0, len(t), 3):
        fig = step_figure(t, i, theme=theme, width=width, height=height)
        _check_labels(t, i, fig)
        shown, st = _shown(fig), graph_state(t, i)
        own = {(v[1], u[2], v[2]) for u, v in st.reads_edges | st.writes_edges}
        assert not own or own & shown
        hint = any(a.name == "note" for a in fig.layout.annotations)
        assert hint == (len(shown) < n and theme != "projector")


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("name", SMALL)
def test_update_animation_labels_every_weight(name, screen):
    theme, width, height = SCREENS[screen]
    t = _trace(PRESETS[name].config)
    fig = update_animation_figure(t, theme=theme, width=width, height=height, n_frames=3)
    n = sum(a * b for a, b in zip(t.sizes, t.sizes[1:]))
    assert not any(a.name == "note" for a in fig.layout.annotations)
    for f in fig.frames:
        assert len(_edge_labels(f.data)) == n


@pytest.mark.parametrize("theme,width", APP_WIDTHS + (("light", 500),))
def test_nodes_and_rings_are_not_clipped(seed, theme, width):
    """Markers may draw into the margin, and the left margin holds the largest ring: a
    column narrower than the layout (the chart is stretched to it) never cuts a node."""
    for fig in (step_figure(seed, 11, theme=theme, width=width), update_animation_figure(seed, theme=theme, width=width)):
        marks = [tr for tr in fig.data if tr.name in NODE_TRACES or (tr.name or "").endswith("(nodes)")]
        assert marks and all(tr.cliponaxis is False for tr in marks)
        ring = max(tr.marker.size + (tr.marker.line.width or 0) for tr in marks) / 2
        assert fig.layout.margin.l >= ring


@pytest.mark.parametrize("theme,width", APP_WIDTHS)
def test_title_and_buttons_fit_the_width(seed, theme, width):
    text_w = figure_layout.text_width
    for fig in [step_figure(seed, i, theme=theme, width=width) for i in range(len(seed))] + [
            update_animation_figure(seed, theme=theme, width=width)]:
        title = fig.layout.title
        assert title.x * width + text_w(title.text, title.font.size) <= width - 4, title.text
    m = fig.layout.margin
    plot_w = width - m.l - m.r
    left, right = [sum(text_w(b.label, menu.font.size) + animation.BUTTON_PAD for b in menu.buttons)
                   + menu.pad.r for menu in fig.layout.updatemenus]
    assert left + right <= plot_w + m.r  # Play/Pause and the speeds side by side
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
