"""``trace_backprop``: one backprop call (and its update), recorded operation by operation.

The trace listens to ``nnviz.engine.passes.forward_backward`` — the same function ``Network.backprop``
runs — so what it records is what the engine computed, in the order it computed it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from nnviz.engine.functions import get_activation, get_cost
from nnviz.engine.network import Network
from nnviz.engine.passes import forward_backward
from nnviz.trace.opkind import At, CodeRef, Op, shapes_latex, shapes_text
from nnviz.trace.ops import op_for

Array = np.ndarray

@dataclass
class Step:
    """One operation: what it reads, what it writes, its formula, words and seed line(s).

    ``reads`` maps value names ("w^2", "a^1", "y", ...) to arrays with the seed's shapes;
    ``value`` is the array it produces, named ``writes``.  ``op`` is its entry in the table
    of operations (``nnviz.trace.ops.OPS``), ``at`` where it runs (layer, activation, cost).
    ``example``: which example of the mini-batch (0-based) the step belongs to; None for
    the update, which belongs to the whole batch.
    """

    index: int
    kind: str
    layer: int
    output_layer: int
    activation: str
    cost: str
    reads: dict
    value: Array
    writes: str = ""
    phase: str = ""
    title: str = ""
    explanation: str = ""
    code: CodeRef | None = None
    example: int | None = 0

    @property
    def op(self) -> Op:
        """This step's entry in the table of operations."""
        return op_for(self.kind, self.layer, self.output_layer)

    @property
    def at(self) -> At:
        """Where it runs: its layer, the output layer, the activation and cost objects."""
        return At.of(self.layer, self.output_layer, self.activation, self.cost, self.example)

    def __post_init__(self):
        self.writes = self.writes or self.op.writes(self.layer)
        self.phase = self.op.phase
        self.title = self.op.title_at(self.at)
        self.explanation = self.op.explanation_at(self.at)
        if self.op.why:
            self.explanation += " " + self.op.why_at(self.at, self.reads, self.value)
        self.code = self.op.code_at(self.at)

    def latex(self, view: str = "matrix", shapes: bool = True) -> str:
        """The formula, symbolic; ``view`` is "matrix" or "scalar".  In the matrix view of a
        matrix equation a second line shows every term's shape (``shapes=False``: not)."""
        formula = self.op.symbolic(self.at, view)
        if view != "matrix" or not shapes or not self.op.shapes:
            return formula
        return (r"\begin{gathered}" + formula + r" \\[4pt] \small "
                + shapes_latex(self.shape_terms()) + r"\end{gathered}")

    def shape_terms(self) -> list:
        """The matrix equation's terms with their shapes, read from this step's arrays."""
        return self.op.shape_terms(self.at, self.reads, self.value)

    @property
    def shapes(self) -> tuple:
        """((value name, (rows, cols)), ...) for each term of the matrix equation, in order;
        a name ending in "ᵀ" is transposed, the last is the result (``writes``).  Empty for
        operations that are not matrix equations."""
        return tuple((self.writes if t[2] == "=" else t[2], t[3])
                     for t in self.shape_terms() if not isinstance(t, str))

    @property
    def shapes_text(self) -> str:
        """The shapes in one line, e.g. 'δ¹ (2×1) · (a⁰)ᵀ (1×3) → ∂C/∂w¹ (2×3)' ("" if none)."""
        return shapes_text(self.shape_terms())

    def latex_numbers(self, view: str = "matrix", j: int = 0, k: int = 0, sig: int = 4) -> str:
        """The formula with this step's numbers filled in (neuron j, input k in scalar view)."""
        if view not in ("matrix", "scalar"):
            raise ValueError(f"view must be 'matrix' or 'scalar'; got {view!r}.")
        return self.op.numeric(self, view, j, k, sig)

    def __repr__(self) -> str:
        return f"Step({self.index}: {self.kind} layer {self.layer} -> {self.writes} {self.value.shape})"


@dataclass
class Trace:
    """A recorded backprop call on (x, y), then the update with learning rate ``eta``.

    ``weights``/``biases``: the parameters before the call; ``nabla_b``/``nabla_w``: equal
    to ``net.backprop(x, y)``; ``new_weights``/``new_biases``: after
    ``update_mini_batch(batch, eta)``; ``m``: the batch size.  ``steps`` in seed order.
    """

    sizes: list
    activation: str
    cost: str
    x: Array
    y: Array
    eta: float
    weights: list
    biases: list
    steps: list = field(default_factory=list)
    m: int = 1
    examples: list = field(default_factory=list)

    def __post_init__(self):
        self.examples = self.examples or [(self.x, self.y)]

    def add(self, kind: str, layer: int, reads: dict, value, example: int | None = 0) -> Step:
        """Append the step ``kind`` at ``layer`` (reads: value name -> array) and return it."""
        step = Step(len(self.steps), kind, layer, self.output_layer, self.activation, self.cost,
                    {k: np.array(v) for k, v in reads.items()}, np.array(value), example=example)
        self.steps.append(step)
        return step

    @property
    def output_layer(self) -> int:
        return len(self.sizes) - 1

    def _last(self, kind: str) -> list:
        """Per layer 1..L, the value of the last step of ``kind`` (the last example's)."""
        last = {s.layer: s.value for s in self.steps if s.kind == kind}
        return [last[l] for l in sorted(last)]

    @property
    def nabla_b(self) -> list:
        return self._last("nabla_b")

    @property
    def nabla_w(self) -> list:
        return self._last("nabla_w")

    @property
    def new_weights(self) -> list:
        return self._last("update_w")

    @property
    def new_biases(self) -> list:
        return self._last("update_b")

    @property
    def output(self) -> Array:
        return next(s.value for s in self.steps if s.kind == "a" and s.layer == self.output_layer)

    @property
    def cost_value(self) -> float:
        """C(a^L, y) for the traced example, before the update (computed from z^L, exact
        even when a sigmoid output has rounded to 0 or 1: see ``Cost.fn_z``)."""
        from nnviz.engine.functions import get_activation, get_cost
        z = next(s.value for s in self.steps if s.kind == "z" and s.layer == self.output_layer)
        return get_cost(self.cost).fn_z(z, self.output, self.y, get_activation(self.activation))

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def __repr__(self) -> str:
        return (f"Trace(sizes={self.sizes}, {len(self.steps)} steps, activation={self.activation!r}, "
                f"cost={self.cost!r}, eta={self.eta})")

    def _repr_html_(self) -> str:
        """A notebook shows a trace as its player (``nnviz.notebook``; imported only when a
        notebook asks, so the trace layer never loads the drawing and export layers)."""
        from nnviz.notebook import frame_html
        return frame_html(self)

    def known(self, i: int) -> dict:
        """Every value known once step ``i`` has run: parameters, x, y and each step's output."""
        vals = {"x": self.x, "y": self.y, "eta": np.array(self.eta), "m": np.array(float(self.m))}
        for l, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            vals[f"w^{l}"], vals[f"b^{l}"] = w, b
        base = set(vals)
        current = 0
        for s in self.steps[: i + 1]:
            if s.example is not None and s.example != current:  # a new example of the mini-batch:
                current = s.example  # its values replace the last one's; the running sums stay
                vals = {k: v for k, v in vals.items() if k in base or k.startswith("sum_nabla_")}
            vals.update(s.reads)
            vals[s.writes] = s.value
        return vals

    # ---- JSON -------------------------------------------------------------------
    def to_dict(self) -> dict:
        arr = lambda a: np.asarray(a).tolist()  # noqa: E731
        return {
            "format": "nnviz-trace", "version": 2,
            "sizes": list(self.sizes), "activation": self.activation, "cost": self.cost,
            "eta": self.eta, "m": self.m, "x": arr(self.x), "y": arr(self.y),
            "examples": [[arr(x), arr(y)] for x, y in self.examples],
            "weights": [arr(w) for w in self.weights], "biases": [arr(b) for b in self.biases],
            "steps": [{"index": s.index, "kind": s.kind, "layer": s.layer, "example": s.example, "phase": s.phase,
                       "writes": s.writes, "value": arr(s.value),
                       "reads": {k: arr(v) for k, v in s.reads.items()},
                       "title": s.title, "explanation": s.explanation,
                       "latex": s.latex(), "latex_numbers": s.latex_numbers(), "shapes": s.shapes_text,
                       "code": {"source": s.code.source, "lines": list(s.code.lines),
                                "expr": s.code.expr, "note": s.code.note}}
                      for s in self.steps],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict) -> "Trace":
        """Rebuild a trace from ``to_dict`` output (shape checks live in nnviz.engine.config)."""
        arr = lambda a: np.array(a, dtype=float)  # noqa: E731
        t = cls(sizes=list(d["sizes"]), activation=d["activation"], cost=d["cost"],
                x=arr(d["x"]), y=arr(d["y"]), eta=float(d["eta"]),
                weights=[arr(w) for w in d["weights"]], biases=[arr(b) for b in d["biases"]],
                m=int(d.get("m", 1)), examples=[(arr(x), arr(y)) for x, y in d.get("examples", [])])
        for s in d["steps"]:  # version 1 files have no "example": one example, numbered 0
            t.add(s["kind"], s["layer"], {k: arr(v) for k, v in s["reads"].items()}, arr(s["value"]),
                  s.get("example", 0) if s["kind"] not in ("update_w", "update_b") else None)
        return t

    @classmethod
    def from_json(cls, text: str) -> "Trace":
        return cls.from_dict(json.loads(text))


def trace_backprop(net: Network, x, y, eta: float = 1.0, batch=None) -> Trace:
    """Record ``net.backprop(x, y)`` step by step, then ``update_mini_batch(batch, eta)``.

    ``x`` shape (sizes[0], 1), ``y`` shape (sizes[-1], 1).  ``batch`` defaults to
    ``[(x, y)]``; the update steps use the gradient summed over it.  The network is not
    changed: the update is computed on copies.
    """
    net.check_parameters()
    x, y = net.check_example(x, y)
    if not np.isfinite(eta):
        raise ValueError(f"eta must be a finite number; got {eta!r}.")
    trace = Trace(list(net.sizes), net.activation.name, net.cost.name, x.copy(), y.copy(),
                  float(eta), [w.copy() for w in net.weights], [b.copy() for b in net.biases])
    record_backprop(trace, x, y)
    if batch is None:
        return record_update(trace, trace.nabla_b, trace.nabla_w, 1)
    xs, ys = net.copy()._stack(batch)
    sum_b, sum_w, _, _ = forward_backward(trace.weights, trace.biases, net.activation, net.cost, xs, ys)
    return record_update(trace, sum_b, sum_w, xs.shape[1])


def record_backprop(trace: "Trace", x: Array, y: Array, example: int = 0):
    """Append one backprop call on (x, y) to ``trace``, every operation as a ``Step`` tagged
    ``example``; returns ``(nabla_b, nabla_w)``."""
    L, act, cost = trace.output_layer, get_activation(trace.activation), get_cost(trace.cost)

    def emit(kind, layer, value, reads):
        names = op_for(kind, layer, L).value_names(At.of(layer, L, act, cost))
        trace.add(kind, layer, {names[k]: v for k, v in reads.items()}, value, example)

    nabla_b, nabla_w, _, _ = forward_backward(trace.weights, trace.biases, act, cost, x, y, emit)
    return nabla_b, nabla_w


def record_update(trace: "Trace", sum_b: list, sum_w: list, m: int) -> "Trace":
    """Append the update of ``update_mini_batch``: w ← w − (eta/m)·Σ∇w, then the biases."""
    trace.m = int(m)
    step_size = {"eta": np.array(float(trace.eta)), "m": np.array(float(m))}
    for p, params, sums in (("w", trace.weights, sum_w), ("b", trace.biases, sum_b)):
        for l in range(1, trace.output_layer + 1):
            old, g = params[l - 1], sums[l - 1]
            new = old - (trace.eta / m) * g  # gradient descent on the parameters of layer l
            trace.add(f"update_{p}", l, {f"{p}^{l}": old, f"sum_nabla_{p}^{l}": g, **step_size}, new, None)
    return trace
