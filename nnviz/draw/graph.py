"""The network as a graph: its nodes and edges, and the value names that point at them.

``network_graph(sizes)`` builds a ``networkx.DiGraph``: node ``("n", l, j)`` is neuron j
(0-based; shown 1-based, top to bottom) of layer l (0 = input ... L = output); edge
``("n", l-1, k) -> ("n", l, j)`` carries the weight w^l_jk, *from* neuron k of layer l-1
*to* neuron j of layer l (Nielsen's convention: ``w^l`` has shape (sizes[l], sizes[l-1])).

What each node and edge shows at one step of a trace is ``nnviz.draw.state``.  No
plotting happens here; every number is written by ``nnviz.trace.numfmt.fmt``.
"""
from __future__ import annotations

import re

import networkx as nx
import numpy as np

from nnviz.engine.network import check_sizes
from nnviz.trace.numfmt import fmt

LABEL_SIG = 4   # significant digits on the figure
HOVER_SIG = 9   # significant digits in hover text ("full precision")
NODE_VALUES = ("z", "a", "sp", "delta", "nabla_b", "sum_nabla_b", "b", "new_b")
EDGE_VALUES = ("w", "nabla_w", "new_w", "sum_nabla_w")
VALUE_NAME = re.compile(r"([a-z_]+)\^(\d+)")  # "a^1": (symbol, layer)


def node_id(l: int, j: int) -> tuple:
    """The graph node of neuron j (0-based) of layer l."""
    return ("n", l, j)


def layer_title(l: int, L: int) -> str:
    """'input', 'hidden 1', ..., 'output' for layer l of a network with output layer L."""
    return "input" if l == 0 else "output" if l == L else f"hidden {l}"


def signed(v: float, sig: int = LABEL_SIG) -> str:
    """``fmt(v)`` with its sign always written: '+0.5969', '−0.2' (U+2212), '0'."""
    text = fmt(v, sig)
    if text.startswith("-"):
        return "\u2212" + text[1:]
    return text if text == "0" or not np.isfinite(v) else "+" + text


def network_graph(sizes) -> nx.DiGraph:
    """The layered graph of a network of ``sizes`` (len(sizes) layers).

    Node attributes: ``layer`` (l), ``index`` (j, 0-based), ``pos`` ((x, y): x grows from
    input to output, neuron 0 on top).  Edge attributes: ``layer`` (l), ``j``, ``k``.
    ``sum(sizes)`` nodes, ``sum(sizes[l] * sizes[l-1])`` edges.
    """
    sizes = check_sizes(sizes)
    g = nx.DiGraph(sizes=tuple(sizes))
    layers = {l: [node_id(l, j) for j in range(n)] for l, n in enumerate(sizes)}
    for l, nodes in layers.items():
        g.add_nodes_from((v, {"layer": l, "index": j}) for j, v in enumerate(nodes))
    for l in range(1, len(sizes)):
        g.add_edges_from((node_id(l - 1, k), node_id(l, j), {"layer": l, "j": j, "k": k})
                         for j in range(sizes[l]) for k in range(sizes[l - 1]))
    # multipartite_layout puts index 0 at the bottom of each column: flip y.
    pos = nx.multipartite_layout(g, subset_key=layers, align="vertical")
    for v, (x, y) in pos.items():
        g.nodes[v]["pos"] = (float(x), float(-y))
    return g


def items_of(name: str, sizes) -> tuple[frozenset, frozenset]:
    """The (nodes, edges) a value name such as "a^1", "w^2", "x" refers to.

    "y", "eta" and "m" refer to no node or edge (the target is drawn beside the output).
    """
    L = len(sizes) - 1
    if name == "x":
        return frozenset(node_id(0, j) for j in range(sizes[0])), frozenset()
    if name in ("y", "eta", "m"):
        return frozenset(), frozenset()
    m = VALUE_NAME.fullmatch(name)
    if not m or not 0 <= int(m.group(2)) <= L:
        raise ValueError(f"Unknown value name {name!r}.")
    sym, l = m.group(1), int(m.group(2))
    if sym in NODE_VALUES:
        return frozenset(node_id(l, j) for j in range(sizes[l])), frozenset()
    if sym in EDGE_VALUES and l >= 1:
        return frozenset(), frozenset((node_id(l - 1, k), node_id(l, j))
                                      for j in range(sizes[l]) for k in range(sizes[l - 1]))
    raise ValueError(f"Unknown value name {name!r}.")
