"""A worked example of one backprop call, as Markdown with LaTeX (``python -m nnviz explain``)."""
from __future__ import annotations


from nnviz.engine.functions import get_activation, get_cost
from nnviz.trace.numfmt import bmatrix, fmt
from nnviz.trace.seed_source import SOURCES
from nnviz.trace.record import Trace
from nnviz.trace.table import update_rows

PHASE_HEADINGS = {"forward": "Forward pass", "backward": "Backward pass", "update": "The update"}


def weight_names(sizes: list[int]) -> dict[tuple[int, int, int], str]:
    """Mazur-style names w1, w2, ... for w^l_jk, numbered layer by layer, row by row."""
    names, n = {}, 0
    for l in range(1, len(sizes)):
        for j in range(sizes[l]):
            for k in range(sizes[l - 1]):
                n += 1
                names[(l, j, k)] = f"w{n}"
    return names


def cost_text(trace: Trace, s, sig: int) -> str:
    """C(a^L, y) of the example whose output error step is ``s`` (from z^L: exact even when a
    sigmoid output has rounded to 0 or 1)."""
    L, act = trace.output_layer, get_activation(trace.activation)
    c = get_cost(trace.cost).fn_z(s.reads[f"z^{L}"], s.reads[f"a^{L}"], s.reads["y"], act)
    return f"{get_cost(trace.cost).text} = **{fmt(c, sig)}**"


def explain_markdown(trace: Trace, title: str = "", sig: int = 9) -> str:
    """Every step of ``trace`` with its formula, its numbers (``sig`` digits) and seed line."""
    what = "one backprop call" if trace.m == 1 else f"one mini-batch of {trace.m} examples"
    out = [f"# Worked example: {what}{' — ' + title if title else ''}", ""]
    cost = get_cost(trace.cost)
    out += [f"Network sizes {trace.sizes}, activation **{trace.activation}**, cost **{trace.cost}**, "
            f"learning rate η = {fmt(trace.eta, sig)}, mini-batch of m = {trace.m}.",
            "Conventions: w^l_jk is the weight from neuron k of layer l−1 to neuron j of layer l; "
            f"the cost of one example is {cost.text} (summed over the output neurons, not averaged); "
            "the input layer has no bias.", ""]
    for e, (x, y) in enumerate(trace.examples, start=1):
        name = f"_{{{e}}}" if len(trace.examples) > 1 else ""
        out += [f"$$x{name} = " + bmatrix(x, sig) + rf",\quad y{name} = " + bmatrix(y, sig) + "$$", ""]
    for l, (w, b) in enumerate(zip(trace.weights, trace.biases), start=1):
        out.append(f"$$w^{{{l}}} = {bmatrix(w, sig)},\\quad b^{{{l}}} = {bmatrix(b, sig)}$$")
    phase = example = None
    for s in trace.steps:
        if trace.m > 1 and s.example is not None and s.example != example:
            example, phase = s.example, None
            out += ["", f"## Example {example + 1} of {trace.m}"]
        if s.phase != phase:
            phase = s.phase
            out += ["", f"## {PHASE_HEADINGS[phase]}"]
        if s.op.name == "delta_out":
            out += ["", f"Cost of this example before the update: {cost_text(trace, s, sig)}", ""]
        lines = SOURCES[s.code.source].splitlines()
        code = "\n".join(lines[i - 1].strip() for i in s.code.lines)
        out += ["", f"### Step {s.index + 1}. {s.title}", "", s.explanation, "",
                f"$${s.latex()}$$", "", f"$${s.latex_numbers(sig=sig)}$$", "",
                *([f"Shapes: {s.shapes_text}", ""] if s.shapes_text else []),
                f"Seed code (`{s.code.source}`, line {', '.join(map(str, s.code.lines))}):", "",
                "```python", code, "```"]
        if s.code.note:
            out += ["", f"*{s.code.note}*"]
    out += ["", "## Weights and biases before and after", "",
            "| parameter | name | before | gradient Σ∂C/∂· | after |", "|---|---|---|---|---|"]
    names = weight_names(trace.sizes)
    for r in update_rows(trace, sig):
        l, j, k = r["l"], r["j"], r["k"]
        sym = f"{r['p']}^{l}_{j}{k or ''}"
        name = names[(l, j - 1, k - 1)] if k else ""
        out.append(f"| {sym} | {name} | {r['before']} | {r['gradient']} | {r['after']} |")
    return "\n".join(out) + "\n"
