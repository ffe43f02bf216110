"""What each node and edge of the network graph shows at one step of a trace.

``graph_state(trace, i)`` says, for step i, what every node and edge shows (value, label,
hover text) and which nodes/edges the step reads and writes; ``update_state(trace, t)``
the weights and biases part way through the update.  Nodes and edges are those of
``nnviz.draw.graph.network_graph``.  No plotting happens here; every number is written by
``nnviz.trace.numfmt.fmt``.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from nnviz.draw.graph import (HOVER_SIG, NODE_VALUES, VALUE_NAME, items_of, layer_title, node_id,
                              signed)
from nnviz.trace.numfmt import fmt
from nnviz.trace.opkind import At
from nnviz.trace.ops import op_writing

RUNNING_KINDS = ("backprop", "sum_nabla_b", "sum_nabla_w")  # mini-batch steps: edges show Σ∇w so far


@dataclass(frozen=True)
class NodeState:
    """What neuron ``index`` of ``layer`` shows.  ``value`` is None until computed.

    ``quantity``: "a", "z", "delta" (or None); ``colored``: the value is on the step's
    colour scale (GraphState.quantity); ``prefix``: "" for a coloured value, else the
    symbol shown before it ("z", "x"); ``number``: the value as ``signed`` writes it
    (None until computed); ``label``: both, e.g. "+0.7613", "z=+1.16", "?" if not computed.
    ``hover``: one line per known value, "symbol = formula = value" ("\n" between lines).
    """

    node: tuple
    layer: int
    index: int
    value: float | None
    quantity: str | None
    colored: bool
    prefix: str
    number: str | None
    hover: str

    @property
    def label(self) -> str:
        if self.number is None:
            return "?"
        return f"{self.prefix}={self.number}" if self.prefix else self.number


@dataclass(frozen=True)
class EdgeState:
    """Weight w^layer_jk (from neuron k of layer-1 to neuron j of layer) at one step.

    ``w`` is the weight before the update; ``nabla_w`` (∂C/∂w) and ``new_w`` are None
    until computed.  ``label`` uses "\\n" between lines.
    """

    edge: tuple
    layer: int
    j: int
    k: int
    w: float
    nabla_w: float | None
    new_w: float | None
    label: str
    hover: str
    brief: str = ""  # only the values the step reads or writes here ("" if none): less room


@dataclass(frozen=True)
class GraphState:
    """Everything the figure of step ``step`` shows, keyed by graph node / edge."""

    step: int
    kind: str
    phase: str
    title: str
    quantity: str          # "a" (forward) or "delta" (backward, update): node colours
    color_title: str
    color_range: float     # colour scale runs from -color_range to +color_range
    nodes: Mapping         # node id -> NodeState
    edges: Mapping         # (u, v) -> EdgeState
    reads_nodes: frozenset
    writes_nodes: frozenset
    reads_edges: frozenset
    writes_edges: frozenset
    reads_target: bool
    targets: tuple         # y_j for each output neuron j
    extras: Mapping        # node id -> lines of the step's values there its label lacks


def _formulas(at: At, j: int, so_far: bool = False) -> dict:
    """Plain-text formulas for the node values of neuron j (0-based) at ``at`` (layer l),
    from the table of operations; the parameters and batch sums are not operations (the sum
    is over the examples so far while the mini-batch runs, ``so_far``)."""
    l, J = at.l, j + 1
    out = {"b": f"b^{l}_{J}", "sum_nabla_b": f"Σ_x ∂C_x/∂b^{l}_{J} ({'so far' if so_far else 'mini-batch'})"}
    for sym in NODE_VALUES:
        op = op_writing(sym, l, at.L) if sym not in out else None
        if op is not None:
            out[sym] = op.formula_text(at, j, None)
    return out


def _phase_range(trace, kinds) -> float:
    vals = [np.max(np.abs(s.value)) for s in trace.steps if s.kind in kinds and s.value.size]
    r = float(max(vals, default=0.0))
    return r if np.isfinite(r) and r > 0 else 1.0


def _node_state(trace, known, phase, l, j, step=None) -> NodeState:
    L = trace.output_layer
    f = _formulas(At.of(l, L, trace.activation, trace.cost), j, step is not None and step.example is not None)
    have = {sym: float(known[f"{sym}^{l}"][j, 0]) for sym in NODE_VALUES
            if f"{sym}^{l}" in known and not (sym == "sum_nabla_b" and trace.m == 1)}
    if phase == "forward":
        main = "a" if "a" in have else "z" if "z" in have else None
        colored = main == "a"
    elif l == 0:
        main, colored = ("a" if "a" in have else None), False
    else:
        main = "delta" if "delta" in have else None
        colored = main is not None
    prefix = "" if colored or main is None else ("x" if l == 0 else main)
    number = signed(have[main]) if main else None
    order = [main] + [s for s in NODE_VALUES if s != main and s in have] if main else list(have)
    head = f"neuron {j + 1} of layer {l} ({layer_title(l, L)})"
    lines = [f"{f[s]} = {fmt(have[s], HOVER_SIG)}" for s in order]
    if main is None:
        lines.insert(0, "not computed yet at this step")
    return NodeState(node_id(l, j), l, j, have.get(main) if main else None, main, colored,
                     prefix, number, "\n".join([head] + lines))


def _edge_state(trace, known, l, j, k, step=None) -> EdgeState:
    J, K = j + 1, k + 1
    w = float(known[f"w^{l}"][j, k])
    grad = float(known[f"nabla_w^{l}"][j, k]) if f"nabla_w^{l}" in known else None
    new = float(known[f"new_w^{l}"][j, k]) if f"new_w^{l}" in known else None
    lines = [f"w^{l}_{J}{K}: neuron {K} of layer {l - 1} → neuron {J} of layer {l}",
             f"w^{l}_{J}{K} = {fmt(w, HOVER_SIG)}"]
    names = frozenset((*step.reads, step.writes)) if step is not None else frozenset()
    grad_read = f"nabla_w^{l}" in names or f"sum_nabla_w^{l}" in names
    label = signed(w)
    total = known.get(f"sum_nabla_w^{l}") if trace.m > 1 else None
    running = total is not None and step is not None and step.kind in RUNNING_KINDS
    if grad is not None:
        at = At.of(l, trace.output_layer, trace.activation, trace.cost)
        lines.append(f"{op_writing('nabla_w', l, at.L).formula_text(at, j, k)} = {fmt(grad, HOVER_SIG)}")
    if total is not None:
        so_far = "so far" if step is not None and step.example is not None else "mini-batch"
        lines.append(f"Σ_x ∂C_x/∂w^{l}_{J}{K} ({so_far}) = {fmt(total[j, k], HOVER_SIG)}")
    if new is not None:
        lines.append(f"new w^{l}_{J}{K} = w − (η/m)·Σ_x ∂C_x/∂w = {fmt(new, HOVER_SIG)}")
        label += " → " + signed(new)  # w and, once updated, its new value on one line
    sum_line = "Σ∇ " + signed(float(total[j, k])) if total is not None else ""
    grad_line = "∇ " + signed(grad) if grad is not None else ""
    if running:  # a mini-batch's running sum so far
        label += "\n" + sum_line
    elif grad is not None and (new is None or grad_read):  # the gradient until used, or read
        label += "\n" + (sum_line if total is not None and new is not None else grad_line)
    edge = (node_id(l - 1, k), node_id(l, j))
    w_text = signed(w) if f"w^{l}" in names else ""
    new_text = signed(new) if new is not None and f"new_w^{l}" in names else ""
    first = f"{w_text} → {new_text}" if w_text and new_text else w_text or (new_text and "→ " + new_text)
    second = (sum_line if f"sum_nabla_w^{l}" in names else
              grad_line if grad_read or f"nabla_w^{l}" in names else "")
    brief = "\n".join(x for x in (first, second) if x)
    return EdgeState(edge, l, j, k, w, grad, new, label, "\n".join(lines), brief)


def graph_state(trace, i: int) -> GraphState:
    """What the network graph shows once step ``i`` of ``trace`` has run.

    Forward: each node shows a^l_j once computed (z^l_j, uncoloured, between z and a).
    Backward and update: δ^l_j once computed (input nodes show x, uncoloured).  A value
    not computed yet is None (label "?"), never 0.  Edges always show w^l_jk; ∇w once
    nabla_w^l is computed; the new weight once the update of layer l has run.
    """
    if not -len(trace) <= i < len(trace):
        raise IndexError(f"step {i} out of range for a trace of {len(trace)} steps.")
    i %= len(trace)
    step, known, sizes = trace[i], trace.known(i), trace.sizes
    phase = step.phase
    forward = phase == "forward"
    nodes = {node_id(l, j): _node_state(trace, known, phase, l, j, step)
             for l, n in enumerate(sizes) for j in range(n)}
    edges = {e.edge: e for e in (_edge_state(trace, known, l, j, k, step) for l in range(1, len(sizes))
                                 for j in range(sizes[l]) for k in range(sizes[l - 1]))}
    rn, re_ = set(), set()
    for name in step.reads:
        n, e = items_of(name, sizes)
        rn |= n
        re_ |= e
    wn, we = items_of(step.writes, sizes)
    return GraphState(
        step=i, kind=step.kind, phase=phase, title=step.title,
        quantity="a" if forward else "delta",
        color_title="activation a" if forward else "error δ",
        color_range=_phase_range(trace, ("input", "a") if forward else ("delta",)),
        nodes=MappingProxyType(nodes), edges=MappingProxyType(edges),
        reads_nodes=frozenset(rn), writes_nodes=wn, reads_edges=frozenset(re_), writes_edges=we,
        reads_target="y" in step.reads,
        targets=tuple(float(v) for v in np.asarray(known["y"])[:, 0]),  # this example's y
        extras=MappingProxyType(_extras(trace, step, known, nodes)),
    )


def _extras(trace, step, known, nodes) -> dict:
    """Node -> the lines of the values step reads or writes at that neuron that its label
    does not show ("b=+0.1", "σ′=+0.1779"; after a b line, "→ +0.1301" is its new value), in
    the order the step names them (reads, then what it writes)."""
    prime = {"sigmoid": "σ′", "tanh": "tanh′", "relu": "ReLU′"}[trace.activation]
    sym = {"z": "z", "a": "a", "sp": prime, "delta": "δ", "nabla_b": "∇b", "b": "b",
           "sum_nabla_b": "∇b" if trace.m == 1 else "Σ∇b", "new_b": "new b"}
    out = {}
    names = [n for n in (*step.reads, step.writes) if VALUE_NAME.fullmatch(n)]
    for name in names:
        q, l = VALUE_NAME.fullmatch(name).groups()
        l = int(l)
        if q not in sym or name not in known:
            continue
        for j in range(trace.sizes[l]):
            node = nodes[node_id(l, j)]
            if q == node.quantity or (l == 0 and q == "a"):
                continue  # its label shows it
            v = float(known[name][j, 0])
            line = f"→ {signed(v)}" if q == "new_b" and f"b^{l}" in names else f"{sym[q]}={signed(v)}"
            out.setdefault(node.node, []).append(line)
    return {n: tuple(lines) for n, lines in out.items()}


def update_state(trace, t: float) -> tuple[Mapping, Mapping]:
    """(nodes, edges) part way through the update, at t in [0, 1]: each weight and bias at
    (1−t)·old + t·new (exactly old at t = 0 and ``trace.new_weights`` at t = 1).  Edge
    labels show that weight; nodes show their bias (input nodes: x), uncoloured."""
    t = float(t)
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be between 0 and 1; got {t!r}.")
    mix = lambda old, new: [(1 - t) * o + t * n for o, n in zip(old, new)]  # noqa: E731
    ws, bs = mix(trace.weights, trace.new_weights), mix(trace.biases, trace.new_biases)
    step = f"η/m = {fmt(trace.eta)}/{trace.m}"
    nodes, edges = {}, {}
    for l, size in enumerate(trace.sizes):
        for j in range(size):
            if l == 0:
                v, tip = float(trace.x[j, 0]), f"x_{j + 1} = {fmt(trace.x[j, 0], HOVER_SIG)}"
            else:
                old, new = trace.biases[l - 1][j, 0], trace.new_biases[l - 1][j, 0]
                v = float(bs[l - 1][j, 0])
                tip = (f"b^{l}_{j + 1}: {fmt(old, HOVER_SIG)} → {fmt(new, HOVER_SIG)} ({step})"
                       f"\nnow {fmt(v, HOVER_SIG)}")
            nodes[node_id(l, j)] = NodeState(node_id(l, j), l, j, v, "a" if l == 0 else "b",
                                             False, "x" if l == 0 else "b", signed(v), tip)
        for j in range(size if l else 0):
            for k in range(trace.sizes[l - 1]):
                old, new = float(trace.weights[l - 1][j, k]), float(trace.new_weights[l - 1][j, k])
                w, g = float(ws[l - 1][j, k]), float(trace.nabla_w[l - 1][j, k])
                tip = (f"w^{l}_{j + 1}{k + 1}: {fmt(old, HOVER_SIG)} → {fmt(new, HOVER_SIG)} "
                       f"({step})\nnow {fmt(w, HOVER_SIG)}")
                e = (node_id(l - 1, k), node_id(l, j))
                edges[e] = EdgeState(e, l, j, k, w, g, new, signed(w), tip)
    return MappingProxyType(nodes), MappingProxyType(edges)
