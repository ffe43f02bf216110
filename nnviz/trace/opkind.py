"""What an operation is: the ``Op`` record the table of operations (``nnviz.trace.ops``) is made of.

* ``At`` — where an operation runs (layer l, output layer L, the Activation and Cost
  objects) and the words its templates may use (``At.words``);
* ``Seed`` / ``CodeRef`` — the seed fragment it runs, and where that sits in the source;
* ``Op`` — one kind of step; its methods fill its templates for a given ``At`` (and, for
  the shapes line, the step's own arrays).

Shapes (``Op.shapes``): a tuple of terms ``(text, latex, value name)`` and operators
("·", "⊙", "+", "−", "→"); the value name is read from the step's arrays (a trailing "ᵀ"
transposes it, "=" is the step's own value), so no shape is ever typed.  ``Op.why``
(appended to the explanation) may name shapes as ``[value name]`` the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from nnviz.engine.functions import Activation, Cost, get_activation, get_cost
from nnviz.trace.numfmt import sub, sup
from nnviz.trace.seed_source import find_lines

_OPERATORS = {"·": r"\cdot", "⊙": r"\odot", "+": "+", "−": "-", "→": r"\;\to\;", "=": "="}
_SHAPE_REF = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class CodeRef:
    """Where a step sits in the seed's source.

    ``source``: "backprop" or "update_mini_batch"; ``lines``: the 1-based lines it runs;
    ``expr``: the seed expression that computes the value; ``args``: seed name -> nnviz
    value name, so the expression can be evaluated on the step's inputs; ``note``: why
    the seed line differs, when it does (e.g. the cross-entropy cost).
    """

    source: str
    lines: tuple[int, ...]
    expr: str
    args: dict
    note: str = ""


@dataclass(frozen=True)
class At:
    """Where an operation runs: layer ``l`` of a network whose output layer is ``L``, under
    activation ``act`` and cost ``cost`` (names are looked up), for example ``example``
    (0-based) of a mini-batch (None: the whole batch)."""

    l: int
    L: int
    act: Activation
    cost: Cost
    example: int | None = 0

    @classmethod
    def of(cls, l: int, L: int, activation, cost, example: int | None = 0) -> "At":
        return cls(l, L, get_activation(activation), get_cost(cost), example)

    def words(self, j: int = 0, k: int | None = None) -> dict:
        """The fields every template may use (see the module docstring)."""
        l, L, act, s = self.l, self.L, self.act, sub(j, k)
        J, P = j + 1, act.prime_symbol
        return {
            "l": l, "L": L, "lm": l - 1, "lp": l + 1, "ls": sup(l), "lms": sup(l - 1), "lps": sup(l + 1),
            "S": act.symbol, "P": P, "PL": act.prime_latex, "A": act.words, "fn": act.fn_text, "s": s, "J": J,
            "K": (k or 0) + 1, "rule": act.prime_rule(f"z^{l}_{s}"),
            "cost_words": self.cost.delta_words.format(P=P),
            "delta_rhs": (f"a^{L}_{J} − y_{J}" if self.cost.cancels_prime
                          else f"(a^{L}_{J} − y_{J}) · {P}(z^{L}_{J})"),
            "delta_note": f" ({P} cancels with the cross-entropy cost)" if self.cost.cancels_prime else "",
            "neg": "-1" if l == L else "-l", "prev": "activations[-2]" if l == L else "activations[-l-1]",
            "output_note": " This is the network's output." if l == L else "",
            "e": (self.example or 0) + 1,
            "first_note": (" Before the first example the sums are zeros (np.zeros), so this one is the "
                           "first example's gradient itself." if not self.example else ""),
        }


@dataclass(frozen=True)
class Seed:
    """The seed fragment an operation runs: lines found by ``fragments`` in ``source``,
    ``expr`` evaluated with ``args`` (templates, keys and values)."""

    source: str
    fragments: tuple
    expr: str
    args: dict


@dataclass(frozen=True)
class Op:
    """One kind of step.  ``kind``: the name a ``Step`` and the JSON trace carry (output and
    hidden errors are both "delta"; ``name`` tells them apart).  ``value``: the symbol it
    writes (``writes`` = value^l).  ``reads``: the engine's local names -> value-name
    templates.  ``entry``/``entry_latex``/``entry_words``: one entry of its output, for
    predict mode and hover text; ``rhs``: that entry's formula in plain text; ``hint``:
    what the formula hint adds.  ``matrix``: the output has a column index k.
    ``uses_activation``: the seed writes sigmoid here (a note says what nnviz runs).
    ``shapes``: the matrix equation's terms, to show each one's shape (see the module
    docstring); ``why``: a sentence added to the explanation (why the transpose);
    ``plain_name``: it writes ``value`` itself, with no layer ("x"); ``given``: it passes
    on a value the user gave (x): predict mode asks nothing, the one-neuron view has no j."""

    name: str
    kind: str
    phase: str
    value: str
    reads: dict
    title: str
    explanation: str
    seed: Seed
    symbolic: Callable
    numeric: Callable
    ask: Callable
    entry: str
    entry_latex: str
    entry_words: str
    rhs: str
    hint: str = ""
    matrix: bool = False
    uses_activation: bool = False
    layer0: bool = field(default=False)
    shapes: tuple = ()
    why: str = ""
    plain_name: bool = False
    given: bool = False

    # ---- looked up by Step and everything else --------------------------------------
    def writes(self, l: int) -> str:
        if self.plain_name:
            return self.value
        return f"{self.value}^{0 if self.layer0 else l}"

    def value_names(self, at: At) -> dict:
        w = at.words()
        return {k: v.format(**w) for k, v in self.reads.items()}

    def title_at(self, at: At) -> str:
        return self.title.format(**at.words())

    def explanation_at(self, at: At) -> str:
        return self.explanation.format(**at.words())

    def code_at(self, at: At) -> CodeRef:
        w, sd = at.words(), self.seed
        args = {k.format(**w): v.format(**w) for k, v in sd.args.items()}
        frags = tuple(f.format(**w) for f in sd.fragments)
        note = at.cost.seed_note if self.name == "delta_out" else ""
        if self.uses_activation and at.act.name != "sigmoid" and not note:
            note = (f"nnviz runs {at.act.symbol} (and its derivative {at.act.prime_symbol}) where the "
                    "seed writes sigmoid (sigmoid_prime).")
        return CodeRef(sd.source, find_lines(sd.source, frags), sd.expr.format(**w), args, note)

    def names(self, at: At, j: int, k: int | None) -> tuple[str, str, str]:
        """(symbol, latex, description) of entry (j, k) of the output."""
        w = at.words(j, k)
        return self.entry.format(**w), self.entry_latex.format(**w), self.entry_words.format(**w)

    def formula_text(self, at: At, j: int, k: int | None, note: bool = False) -> str:
        """'symbol = formula' for entry (j, k), in plain text (with the hint's note)."""
        w = at.words(j, k)
        return f"{self.entry.format(**w)} = {self.rhs.format(**w)}" + (self.hint.format(**w) if note else "")



    def shape_terms(self, at: At, reads: dict, value) -> list:
        """The shapes line as terms: operator strings and ``(text, latex, name, (rows, cols))``,
        each shape read from ``reads`` (or ``value`` for "="), transposed for a "ᵀ" name."""
        w = at.words()
        out = []
        for term in self.shapes:
            if isinstance(term, str):
                out.append(term)
                continue
            text, latex, name = (t.format(**w) for t in term)
            out.append((text, latex, name, shape_of(name, reads, value)))
        return out

    def why_at(self, at: At, reads: dict, value) -> str:
        """``why`` with its words filled in and every ``[name]`` as that array's shape."""
        text = " ".join(self.why.format(**at.words()).split())
        return _SHAPE_REF.sub(lambda m: shape_text(shape_of(m.group(1), reads, value)), text)


def shape_of(name: str, reads: dict, value) -> tuple[int, int]:
    """(rows, cols) of the array called ``name`` ("=": the step's value; "ᵀ": transposed)."""
    base = name.removesuffix("ᵀ")
    r, c = (value if base == "=" else reads[base]).shape
    return (c, r) if name.endswith("ᵀ") else (r, c)


def shape_text(shape) -> str:
    return f"({shape[0]}×{shape[1]})"


def shapes_text(terms: list) -> str:
    """'δ¹ (2×1) · (a⁰)ᵀ (1×3) → ∂C/∂w¹ (2×3)'."""
    return " ".join(t if isinstance(t, str) else f"{t[0]} {shape_text(t[3])}" for t in terms)


def shapes_latex(terms: list) -> str:
    """The same in LaTeX: each symbol with its shape set small beneath it."""
    return " ".join(_OPERATORS[t] if isinstance(t, str) else
                    rf"\underset{{{t[3][0]}\times {t[3][1]}}}{{{t[1]}}}" for t in terms)
