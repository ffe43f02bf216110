"""``trace_mini_batch``: the seed's ``update_mini_batch``, recorded operation by operation.

    trace = nnviz.trace_mini_batch(net, mini_batch, eta)      # mini_batch: [(x, y), ...]

The seed's method, and the steps it becomes (m = len(mini_batch) ≥ 2)::

    nabla_b = [np.zeros(b.shape) ...]; nabla_w = [...]        (zeros: read by the first sums)
    for x, y in mini_batch:                                    for each example e = 0..m-1:
        delta_nabla_b, delta_nabla_w = self.backprop(x, y)       "backprop" step (the call),
                                                                 then every operation of backprop
                                                                 (input, z, a, delta, sp, nabla_b,
                                                                 nabla_w: as trace_backprop records them)
        nabla_b = [nb+dnb ...]                                   "sum_nabla_b" per layer 1..L
        nabla_w = [nw+dnw ...]                                   "sum_nabla_w" per layer 1..L
    self.weights = [w-(eta/len(mini_batch))*nw ...]            "update_w" per layer   (example None)
    self.biases = [b-(eta/len(mini_batch))*nb ...]             "update_b" per layer   (example None)

A mini-batch of one is exactly ``trace_backprop(net, x, y, eta)`` (the same steps, no call or
sum steps).  The network is never changed.  Checks as the engine's: ``ValueError`` with one
sentence naming the example (1-based) that is wrong, and ``MAX_EXAMPLES`` at most.

For a UI (the interface):

* ``step.example`` — the example (0-based) a step belongs to; None for the update steps.
  ``trace.examples`` — the m (x, y) pairs; ``trace.m`` — m.
* Collapsing an example to one step: ``outline(trace, open_examples)`` lists the step
  indices to show: every step, except that the operations inside the backprop call of an
  example not in ``open_examples`` are hidden behind that example's "backprop" step (its
  running sums stay visible).  ``call_steps(trace, e)`` gives the indices of example e's
  call and the operations inside it (to step into it).
* ``trace.known(i)`` holds the values of step i's example only (z, a, δ, ∇ of earlier
  examples are dropped when a new one starts), the running sums ``sum_nabla_b^l`` /
  ``sum_nabla_w^l`` so far, and the parameters as they were before the mini-batch; the
  graph (``nnviz.draw.state.graph_state``) labels the edges with Σ∇w so far at the sum steps.
* JSON: ``trace.to_json()`` holds ``examples`` and each step's ``example``;
  ``nnviz.export.files.load_trace`` recomputes a mini-batch trace from it.
"""
from __future__ import annotations

import numpy as np

from nnviz.engine.batch import check_mini_batch
from nnviz.engine.network import Network
from nnviz.trace.record import Trace, record_backprop, record_update, trace_backprop

MAX_EXAMPLES = 10
INSIDE_CALL = frozenset({"input", "z", "a", "sp", "delta", "nabla_b", "nabla_w"})


def trace_mini_batch(net: Network, mini_batch, eta: float) -> Trace:
    """Record ``net.update_mini_batch(mini_batch, eta)`` step by step (see the module doc)."""
    net.check_parameters()
    checked = check_mini_batch(net, mini_batch, MAX_EXAMPLES)
    if isinstance(eta, bool) or not isinstance(eta, (int, float, np.floating)) or not np.isfinite(eta):
        raise ValueError(f"eta must be a finite number; got {eta!r}.")
    if len(checked) == 1:
        return trace_backprop(net, *checked[0], float(eta))
    x0, y0 = checked[0]
    trace = Trace(list(net.sizes), net.activation.name, net.cost.name, x0.copy(), y0.copy(), float(eta),
                  [w.copy() for w in net.weights], [b.copy() for b in net.biases],
                  examples=[(x.copy(), y.copy()) for x, y in checked])
    L = trace.output_layer
    sum_b = [np.zeros(b.shape) for b in trace.biases]
    sum_w = [np.zeros(w.shape) for w in trace.weights]
    for e, (x, y) in enumerate(checked):
        trace.add("backprop", 0, {"x": x, "y": y}, x, e)
        nabla_b, nabla_w = record_backprop(trace, x, y, e)
        for p, sums, grads in (("b", sum_b, nabla_b), ("w", sum_w, nabla_w)):
            for l in range(1, L + 1):
                new = sums[l - 1] + grads[l - 1]  # the seed's nb+dnb / nw+dnw
                trace.add(f"sum_nabla_{p}", l, {f"sum_nabla_{p}^{l}": sums[l - 1], f"nabla_{p}^{l}": grads[l - 1]},
                          new, e)
                sums[l - 1] = new
    return record_update(trace, sum_b, sum_w, len(checked))


def call_steps(trace: Trace, e: int) -> list[int]:
    """Indices of example ``e``'s "backprop" step and of the operations inside that call."""
    return [s.index for s in trace.steps if s.example == e and (s.kind == "backprop" or s.kind in INSIDE_CALL)]


def outline(trace: Trace, open_examples=()) -> list[int]:
    """The step indices shown when the examples not in ``open_examples`` are collapsed to their
    "backprop" step (a trace without such steps, e.g. m = 1, is shown whole)."""
    called = {s.example for s in trace.steps if s.kind == "backprop"}
    shut = called - set(open_examples)
    return [s.index for s in trace.steps if not (s.example in shut and s.kind in INSIDE_CALL)]
