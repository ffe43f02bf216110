"""nnviz.draw.graph and nnviz.draw.state: the layered graph, and what each node and edge shows at each step."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine.config import random_config
from nnviz.draw.graph import items_of, network_graph, node_id, signed
from nnviz.draw.state import graph_state, update_state
from nnviz.trace.numfmt import fmt
from nnviz.engine.presets import PRESETS, load_preset
from nnviz.trace.record import trace_backprop


def _trace(config):
    return trace_backprop(config.network(), config.x_array, config.y_array, config.eta)


@pytest.fixture(scope="module")
def seed():
    return _trace(load_preset("seed").config)


@pytest.fixture(scope="module", params=sorted(PRESETS))
def preset_trace(request):
    return _trace(PRESETS[request.param].config)


def _index(trace, kind, layer):
    return next(s.index for s in trace.steps if s.kind == kind and s.layer == layer)


# ---- the graph -------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[3, 2, 1], [2, 2, 2], [1, 1], [5, 8, 3], [8, 8, 8, 8, 8]])
def test_graph_counts_and_attributes(sizes):
    g = network_graph(sizes)
    assert g.number_of_nodes() == sum(sizes)
    assert g.number_of_edges() == sum(a * b for a, b in zip(sizes, sizes[1:]))
    for (_, l, j), d in g.nodes(data=True):
        assert (d["layer"], d["index"]) == (l, j)
    for (_, lu, k), (_, lv, j), d in g.edges(data=True):  # w^l_jk: from k (layer l-1) to j
        assert (d["layer"], d["j"], d["k"]) == (lv, j, k) and lu == lv - 1


@pytest.mark.parametrize("sizes", [[3, 2, 1], [2, 5, 8, 1], [8, 8, 8, 8, 8]])
def test_positions_input_left_neuron_one_on_top(sizes):
    g = network_graph(sizes)
    x = {l: {g.nodes[node_id(l, j)]["pos"][0] for j in range(n)} for l, n in enumerate(sizes)}
    assert all(len(v) == 1 for v in x.values())  # one column per layer
    cols = [x[l].pop() for l in range(len(sizes))]
    assert cols == sorted(cols) and len(set(cols)) == len(cols)  # left to right
    for l, n in enumerate(sizes):
        ys = [g.nodes[node_id(l, j)]["pos"][1] for j in range(n)]
        assert ys == sorted(ys, reverse=True) and len(set(ys)) == n  # neuron 1 at the top
        assert abs(sum(ys) / n) < 1e-9  # every layer centred


def test_network_graph_rejects_bad_sizes():
    with pytest.raises(ValueError):
        network_graph([3])


# ---- values per step -------------------------------------------------------------------
def _expected_node(trace, i, l, j):
    """(value, prefix) a node should show, read straight from trace.known(i)."""
    known, phase = trace.known(i), trace[i].phase
    get = lambda name: float(known[name][j, 0]) if name in known else None  # noqa: E731
    if phase == "forward":
        a = get(f"a^{l}")
        return (a, "") if a is not None else (get(f"z^{l}"), "z")
    if l == 0:
        return get("a^0"), "x"
    return get(f"delta^{l}"), ""


def test_node_values_follow_the_trace(preset_trace):
    t = preset_trace
    for i in range(len(t)):
        st = graph_state(t, i)
        for (_, l, j), s in st.nodes.items():
            value, prefix = _expected_node(t, i, l, j)
            if value is None:  # never 0 for "not computed"
                assert s.value is None and s.number is None and s.label == "?"
            else:
                assert s.value == value and s.number == signed(value)
                assert s.prefix == (prefix if value is not None else "")
                assert s.colored == (prefix == "")
                assert s.number.replace("\u2212", "-").lstrip("+") == fmt(value)


def test_nothing_but_the_input_is_known_at_step_zero(seed):
    st = graph_state(seed, 0)
    assert [s.value is not None for s in st.nodes.values()] == [
        l == 0 for (_, l, _j) in st.nodes]
    assert all(e.nabla_w is None and e.new_w is None for e in st.edges.values())
    assert st.quantity == "a" and st.color_title == "activation a"


def test_edge_values_follow_the_trace(preset_trace):
    t = preset_trace
    for i in range(len(t)):
        known = t.known(i)
        for e in graph_state(t, i).edges.values():
            l, j, k = e.layer, e.j, e.k
            assert e.w == t.weights[l - 1][j, k]  # always the weight before the update
            g = known.get(f"nabla_w^{l}")
            assert e.nabla_w == (None if g is None else g[j, k])
            new = known.get(f"new_w^{l}")
            assert e.new_w == (None if new is None else t.new_weights[l - 1][j, k])
            lines = e.label.split("\n")
            # w, and once updated "w → new"; then ∇ until the update, or while a step reads it
            assert lines[0] == signed(e.w) + ("" if new is None else " → " + signed(new[j, k]))
            reads = f"nabla_w^{l}" in t[i].reads or f"sum_nabla_w^{l}" in t[i].reads
            shows_grad = g is not None and (new is None or reads)
            assert lines[1:] == (["∇ " + signed(g[j, k])] if shows_grad else [])


def test_gradients_appear_exactly_at_their_step(seed):
    i = _index(seed, "nabla_w", 2)
    before, after = graph_state(seed, i - 1), graph_state(seed, i)
    edges2 = [e for e in after.edges.values() if e.layer == 2]
    assert all(before.edges[e.edge].nabla_w is None for e in edges2)
    assert [e.nabla_w for e in edges2] == [seed.nabla_w[1][e.j, e.k] for e in edges2]
    assert all(e.nabla_w is None for e in after.edges.values() if e.layer == 1)


def test_hover_has_full_precision_and_formula(seed):
    st = graph_state(seed, _index(seed, "a", 1))
    a12 = float(seed.known(2)["a^1"][1, 0])
    assert f"a^1_2 = σ(z^1_2) = {fmt(a12, 9)}" in st.nodes[node_id(1, 1)].hover
    st = graph_state(seed, _index(seed, "delta", 2))
    d = float(seed.known(5)["delta^2"][0, 0])
    assert f"δ^2_1 = (a^2_1 − y_1) · σ′(z^2_1) = {fmt(d, 9)}" in st.nodes[node_id(2, 0)].hover
    e = graph_state(seed, -1).edges[(node_id(0, 1), node_id(1, 0))]
    assert f"w^1_12 = {fmt(seed.weights[0][0, 1], 9)}" in e.hover
    assert f"∂C/∂w^1_12 = a^0_2 · δ^1_1 = {fmt(seed.nabla_w[0][0, 1], 9)}" in e.hover
    assert fmt(seed.new_weights[0][0, 1], 9) in e.hover
    assert "not computed yet" in graph_state(seed, 0).nodes[node_id(2, 0)].hover


def _expected_items(names, sizes):
    nodes, edges = set(), set()
    for name in names:
        if name in ("y", "eta", "m"):
            continue
        sym, l = ("a", 0) if name == "x" else (name.split("^")[0], int(name.split("^")[1]))
        if sym in ("w", "nabla_w", "new_w", "sum_nabla_w"):
            edges |= {(("n", l - 1, k), ("n", l, j)) for j in range(sizes[l]) for k in range(sizes[l - 1])}
        else:
            nodes |= {("n", l, j) for j in range(sizes[l])}
    return nodes, edges


def test_reads_and_writes(preset_trace):
    t = preset_trace
    for i, step in enumerate(t.steps):
        st = graph_state(t, i)
        assert (st.reads_nodes, st.reads_edges) == _expected_items(step.reads, t.sizes)
        assert (st.writes_nodes, st.writes_edges) == _expected_items([step.writes], t.sizes)
        assert st.reads_target == ("y" in step.reads)


def test_update_state_interpolates_exactly(seed):
    for t, ws, bs in ((0.0, seed.weights, seed.biases), (1.0, seed.new_weights, seed.new_biases)):
        nodes, edges = update_state(seed, t)
        assert all(e.w == ws[e.layer - 1][e.j, e.k] and e.label == signed(e.w) for e in edges.values())
        assert all(n.value == bs[n.layer - 1][n.index, 0] for n in nodes.values() if n.layer)
    _, mid = update_state(seed, 0.5)
    e = mid[(node_id(0, 0), node_id(1, 0))]
    assert e.w == pytest.approx((seed.weights[0][0, 0] + seed.new_weights[0][0, 0]) / 2)
    with pytest.raises(ValueError):
        update_state(seed, 1.5)


def test_signed_and_errors(seed):
    assert (signed(0.5), signed(-0.2), signed(0.0), signed(-1e-7)) == ("+0.5", "\u22120.2", "0", "\u22121e-7")
    with pytest.raises(ValueError):
        items_of("q^1", [3, 2, 1])
    with pytest.raises(IndexError):
        graph_state(seed, len(seed))


def test_big_network_state():
    t = _trace(random_config([8, 8, 8, 8, 8], seed=3))
    st = graph_state(t, len(t) - 1)
    assert len(st.nodes) == 40 and len(st.edges) == 256
    assert all(e.new_w is not None for e in st.edges.values())
    assert np.isclose(st.color_range, max(np.max(np.abs(d)) for d in t._last("delta")))
