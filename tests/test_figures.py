"""nnviz.draw.figures: what the user sees, checked against the trace itself.

Labels are parsed back out of the figure (trace text, annotations) and compared with
``fmt`` of the trace's own numbers: an independent check of the drawing, not of graph.py.
"""
from __future__ import annotations

import functools
import re

import pytest

from nnviz.draw import layout as figure_layout
from nnviz.draw import figures
from nnviz.engine.config import random_config
from nnviz.draw.figures import loss_figure, step_figure, update_animation_figure
from nnviz.draw.graph import network_graph
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


def _node_labels(fig) -> dict:
    """(l, j) -> label lines, from node traces (inside) or 'node:l:j' annotations (above)."""
    out = {}
    for tr in fig.data:
        if tr.name in NODE_TRACES and tr.text is not None:
            out.update({tuple(c): _plain(t) for c, t in zip(tr.customdata, tr.text, strict=True)})
    for a in fig.layout.annotations:
        if (a.name or "").startswith("node:"):
            out[tuple(map(int, a.name.split(":")[1:]))] = _plain(a.text.replace("=", "<br>", 1))
    return out


def _edge_labels(annotations) -> dict:
    return {tuple(map(int, a.name.split(":")[1:])): _plain(a.text)
            for a in annotations if (a.name or "").startswith("edge:")}


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
    edges = _edge_labels(fig.layout.annotations)
    for (l, j, k), lines in edges.items():
        assert _num(lines[0]) == fmt(trace.weights[l - 1][j, k])
        for line in lines[1:]:
            sym, value = line[0], line[1:].strip()  # "∇ −0.08883" or, compact, "∇−0.08883"
            name = {"∇": f"nabla_w^{l}", "→": f"new_w^{l}"}[sym]
            assert _num(value) == fmt(known[name][j, k])
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
    edges = _edge_labels(step_figure(seed, _index(seed, "nabla_w", 2)).layout.annotations)
    assert edges[(2, 0, 1)][1] == "∇ " + fmt(seed.nabla_w[1][0, 1]).replace("-", "\u2212")
    assert len(edges[(1, 0, 0)]) == 1  # nabla_w^1 not yet computed


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_step_of_every_preset(name):
    t = _trace(PRESETS[name].config)
    for i in range(len(t)):
        _check_labels(t, i, step_figure(t, i, theme="projector" if i % 2 else "light"))
    step_figure(t, 9, edges="gradients")


def test_highlights_are_what_the_step_reads_and_writes(seed):
    g = network_graph(seed.sizes)
    for i, step in enumerate(seed.steps):
        fig = step_figure(seed, i)
        by = {t.name: t for t in fig.data}
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
            pos = lambda l, j: g.nodes[("n", l, j)]["pos"]  # noqa: E731
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


def test_big_network_drops_edge_labels_but_keeps_hover(big):
    for i in (0, 3, 20, len(big) - 1):
        fig = step_figure(big, i)
        _check_labels(big, i, fig)
        hover = [t for t in fig.data if t.name == "edge hover"][0]
        assert len(hover.hovertext) == 256
        assert len(_edge_labels(fig.layout.annotations)) < 256
        assert any(a.name == "note" for a in fig.layout.annotations)
    step_figure(big, 20, theme="projector", width=1024, height=768)


def test_projector_theme_is_larger(seed):
    light, proj = step_figure(seed, 9), step_figure(seed, 9, theme="projector")
    assert proj.layout.font.size > light.layout.font.size
    assert proj.layout.title.font.size > light.layout.title.font.size

    def sizes(fig):
        texts = [t.textfont.size for t in fig.data if t.name in NODE_TRACES and t.textfont.size]
        return texts + [a.font.size for a in fig.layout.annotations]
    assert min(sizes(proj)) >= 20 > max(sizes(light))
    edge_w = lambda fig: max(t.line.width for t in fig.data if (t.name or "").startswith("edge:"))  # noqa: E731
    assert edge_w(proj) > edge_w(light)
    with pytest.raises(ValueError):
        step_figure(seed, 0, theme="dark")


def test_update_animation(seed):
    fig = update_animation_figure(seed)
    assert len(fig.frames) == 20
    first, last = _edge_labels(fig.frames[0].layout.annotations), _edge_labels(fig.frames[-1].layout.annotations)
    assert len(first) == len(last) == 8
    for (l, j, k), lines in first.items():
        assert [_num(x) for x in lines] == [fmt(seed.weights[l - 1][j, k])]
        assert [_num(x) for x in last[(l, j, k)]] == [fmt(seed.new_weights[l - 1][j, k])]
    assert _edge_labels(fig.layout.annotations) == first  # the figure opens on frame 0
    mid = _edge_labels(fig.frames[10].layout.annotations)
    assert mid != first and mid != last
    buttons = [b for m in fig.layout.updatemenus for b in m.buttons]
    labels = [b.label for b in buttons]
    assert "▶ Play" in labels and "❚❚ Pause" in labels
    speeds = {b.name: b.args[1]["frame"]["duration"] for b in buttons if (b.name or "").startswith("speed")}
    assert speeds["speed 0.5×"] == 2 * speeds["speed 1×"] == 4 * speeds["speed 2×"]
    steps = fig.layout.sliders[0].steps
    assert [s.args[0][0] for s in steps] == [f.name for f in fig.frames]
    assert all(b.method == "animate" for b in buttons)  # client-side: no server round trip
    assert "w ← w − (η/m)·∇w" in fig.layout.title.text
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
    assert figures.THEMES["projector"].label >= 20


# ---- the app's layouts: 660 px (light) and 560 px (projector) --------------------------
APP_WIDTHS = (("light", 660), ("projector", 560))
DEEP = tuple(name for name in sorted(PRESETS) if name.startswith("deep"))  # 4-4-4-4-1: 52 weights
# Still hidden at the app's widths today (the figure's note says so); strict xfail, so a layout
# that fits them shows up as XPASS and these sets shrink.  Layer 1 of the seed's 3-2-1 is crowded.
LABELS_HIDDEN = {("seed", "light"), ("seed", "projector"), ("mazur", "projector"),
                 *((deep, theme) for deep in DEEP for theme in ("light", "projector"))}
ANIMATION_SHORT = {("seed", "projector"), *((deep, theme) for deep in DEEP for theme in ("light", "projector"))}


def _app_cases(expected_to_fail: set, reason: str) -> list:
    """(preset, theme, width) for every preset at the app's widths; the cases in
    ``expected_to_fail`` marked strict xfail with ``reason``."""
    return [pytest.param(name, theme, width, id=f"{name}-{theme}-{width}",
                         marks=pytest.mark.xfail((name, theme) in expected_to_fail, reason=reason, strict=True))
            for name in sorted(PRESETS) for theme, width in APP_WIDTHS]


def _n_weights(t) -> int:
    return sum(a * b for a, b in zip(t.sizes, t.sizes[1:]))


def _shown(fig) -> set:
    return {(l, k, j) for l, j, k in _edge_labels(fig.layout.annotations)}


@functools.cache
def _label_audit(name: str, theme: str, width: int) -> tuple:
    """Every step's figure checked for the label rules (labels readable, a note whenever any is
    hidden); returns the (step, layer, j, k) of read or written edges whose label is hidden."""
    t = _trace(PRESETS[name].config)
    missing = []
    for i in range(len(t)):
        fig = step_figure(t, i, theme=theme, width=width)
        _check_labels(t, i, fig)
        shown = _shown(fig)
        assert (len(shown) < _n_weights(t)) == any(a.name == "note" for a in fig.layout.annotations)
        assert all(a.font.size >= max(10, round(0.72 * figures.THEMES[theme].label))
                   for a in fig.layout.annotations if (a.name or "").startswith("edge:"))
        st = figures.graph_state(t, i)
        for u, v in st.reads_edges | st.writes_edges:
            if (v[1], u[2], v[2]) not in shown:
                missing.append((i, v[1], v[2], u[2]))
    return tuple(missing)


@pytest.mark.parametrize("theme,width", APP_WIDTHS)
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_hidden_edge_labels_are_announced(name, theme, width):
    """Every step: labels are readable, and when any is hidden the figure's note says so."""
    _label_audit(name, theme, width)


@pytest.mark.parametrize("name,theme,width", _app_cases(LABELS_HIDDEN, "labels still hidden on crowded steps"))
def test_labels_of_the_edges_a_step_reads_or_writes(name, theme, width):
    """Every step: the edges it reads or writes show their numbers."""
    missing = _label_audit(name, theme, width)
    assert not missing, f"labels hidden (step, layer, j, k): {missing}"


def _update_figure(name: str, theme: str, width: int):
    return update_animation_figure(_trace(PRESETS[name].config), theme=theme, width=width, n_frames=3)


@pytest.mark.parametrize("theme,width", APP_WIDTHS)
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_update_animation_announces_hidden_labels(name, theme, width):
    fig = _update_figure(name, theme, width)
    n = _n_weights(_trace(PRESETS[name].config))
    for f in fig.frames:
        got = len(_edge_labels(f.layout.annotations))
        assert got == n or any(a.name == "note" for a in fig.layout.annotations)


@pytest.mark.parametrize("name,theme,width", _app_cases(
    ANIMATION_SHORT, "not every weight's label fits (the seed's layer 1 at 560 px; 52 weights in 4-4-4-4-1)"))
def test_update_animation_labels_every_weight(name, theme, width):
    fig = _update_figure(name, theme, width)
    assert len(_edge_labels(fig.frames[0].layout.annotations)) == _n_weights(_trace(PRESETS[name].config))


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
    left, right = [sum(text_w(b.label, menu.font.size) + figures.BUTTON_PAD for b in menu.buttons)
                   + menu.pad.r for menu in fig.layout.updatemenus]
    assert left + right <= plot_w + m.r  # Play/Pause and the speeds side by side
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
