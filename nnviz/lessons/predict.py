"""Predict, then reveal: the student guesses one number of a step before it is shown.

* ``pick_target(step, rng=None, j=None, k=None) -> Target`` — one scalar of the step's
  output: neuron j of the step's layer, or weight (j, k) for ``nabla_w``/``update_w``.
* ``check_prediction(target, text) -> Verdict`` — reads the student's text and compares.
  It never raises for any ``text``: unreadable input gives a Verdict with ``valid=False``
  and a ``message`` saying what is allowed.
* ``hints(step, target) -> [formula hint, numbers hint]`` — two ``Hint`` s, the second
  with the numbers to plug in (but not the result).  What each operation asks (the entry's
  names, its formula, the numbers) is declared in ``nnviz.trace.ops.OPS``.
* ``Score(attempted, correct)`` — immutable; ``score.record(verdict)`` returns the new one.

What counts as a number (``parse_number``): a decimal number, optionally signed, optionally
with an exponent — ``0.12``, ``-1.5e-3``, ``+.5``, ``3E2``.  The minus may be typed as the
Unicode minus sign "−" (or an en dash "–"); spaces around the number and after the sign
are ignored.  A single comma is read as the decimal point when there is no dot (``0,12``
is 0.12); a comma together with a dot, or two commas, is refused (no thousands
separators).  Fractions (``1/3``), percentages, ``nan``/``inf``, hexadecimal, digits other
than 0-9 and text longer than ``MAX_TEXT`` characters are refused.

A guess is right when |guess − value| ≤ max(``abs_tol``, ``rel_tol``·|value|).  The
defaults, ``rel_tol = 0.005`` and ``abs_tol = 0.0001``, accept the true value rounded to 3
significant digits (rounding changes a number by at most 0.5 % of itself), and anything
within 0.0001 of it (so a tiny value may be answered as 0).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from nnviz.engine.text import excerpt
from nnviz.trace.numfmt import fmt
from nnviz.trace.record import Step

DEFAULT_REL_TOL = 0.005
DEFAULT_ABS_TOL = 1e-4
MAX_TEXT = 64

_MINUS_SIGNS = "\u2212\u2013\u2012\ufe63\uff0d"  # minus sign, en dash, figure dash, small/full-width hyphen-minus
_NUMBER = re.compile(r"([+-]?)\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
ALLOWED = ("Type a decimal number such as 0.12, -1.5e-3 or −0,5 (a single comma works as the "
           "decimal point; no fractions, percentages or thousands separators).")


# ---- targets --------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One scalar to predict: entry (j, k) of step ``step_index``'s output (k is None for a
    vector).  ``j``, ``k`` count from 0; ``symbol`` (e.g. "δ^2_1") and ``latex`` count
    from 1, as the app's formulas do.  ``value`` is the true number."""

    step_index: int
    kind: str
    layer: int
    j: int
    k: int | None
    value: float
    symbol: str
    latex: str
    description: str


def _index(value, n: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < n:
        raise ValueError(f"{what} must be a whole number from 0 to {n - 1}; got {value!r}.")
    return int(value)


def pick_target(step: Step, rng: np.random.Generator | int | None = None,
                j: int | None = None, k: int | None = None) -> Target:
    """One entry of ``step.value`` to predict, chosen with ``rng`` (a Generator or a seed).

    ``j`` (and ``k`` for ``nabla_w``/``update_w``) pin the entry instead of drawing it.
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    value = np.asarray(step.value, dtype=float)
    rows, cols = value.shape
    j = int(rng.integers(rows)) if j is None else _index(j, rows, "j")
    if step.op.matrix:
        k = int(rng.integers(cols)) if k is None else _index(k, cols, "k")
    else:
        k = None
    symbol, latex, description = step.op.names(step.at, j, k)
    return Target(step.index, step.kind, step.layer, j, k, float(value[j, k or 0]),
                  symbol, latex, description)


# ---- reading and checking a prediction ----------------------------------------------
def parse_number(text) -> float:
    """The number in ``text`` (see the module docstring), or ValueError saying what is allowed."""
    if not isinstance(text, str):
        raise ValueError(f"Nothing to read. {ALLOWED}")
    s = text.strip()
    if not s:
        raise ValueError(f"Nothing typed yet. {ALLOWED}")
    if len(s) > MAX_TEXT:
        raise ValueError(f"That is {len(s)} characters; a number here needs at most {MAX_TEXT}. {ALLOWED}")
    for m in _MINUS_SIGNS:
        s = s.replace(m, "-")
    if "," in s:
        if "." in s or s.count(",") > 1:
            raise ValueError(f"Could not read “{excerpt(text, 20)}”: use one decimal separator, "
                             f"either 0.12 or 0,12 (no thousands separators). {ALLOWED}")
        s = s.replace(",", ".")
    match = _NUMBER.fullmatch(s)
    if match is None:
        why = ("fractions are not accepted, type the decimal value" if "/" in s else
               "percentages are not accepted, type the plain number" if "%" in s else
               "that is not a number")
        raise ValueError(f"Could not read “{excerpt(text, 20)}”: {why}. {ALLOWED}")
    value = float(match.group(1) + match.group(2))
    if not math.isfinite(value):
        raise ValueError(f"“{excerpt(text, 20)}” is too large to be a number here. {ALLOWED}")
    return value


def tolerance(value: float, rel_tol: float = DEFAULT_REL_TOL, abs_tol: float = DEFAULT_ABS_TOL) -> float:
    """The largest |guess − value| still counted right: max(abs_tol, rel_tol·|value|)."""
    return max(abs_tol, rel_tol * abs(value))


@dataclass(frozen=True)
class Verdict:
    """The outcome of one prediction.

    ``valid``: the text was read as a number (``guess``); otherwise ``problem`` says why
    and ``correct`` is False.  ``difference`` = guess − value.  ``tolerance`` is the
    absolute tolerance used; ``tolerance_text`` states the rule.  ``message`` is one
    or two sentences for the student (it reveals the value once a number was read).
    """

    valid: bool
    correct: bool
    guess: float | None
    value: float
    difference: float | None
    tolerance: float
    rel_tol: float
    abs_tol: float
    tolerance_text: str
    message: str
    problem: str | None = None


def shown_value(value: float, sig: int = 4) -> str:
    """"= v" when ``value`` rounded to ``sig`` digits is exact, else "≈ v": rounding is not
    written as exact."""
    text = fmt(value, sig)
    return ("= " if float(text) == value else "≈ ") + text


def check_prediction(target: Target, text, rel_tol: float = DEFAULT_REL_TOL,
                     abs_tol: float = DEFAULT_ABS_TOL) -> Verdict:
    """Compare the student's ``text`` with ``target.value``; never raises for any ``text``.

    ValueError only for a bad tolerance (negative, or not a finite number).
    """
    for name, tol in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not math.isfinite(tol) or tol < 0:
            raise ValueError(f"{name} must be a finite number of at least 0; got {tol!r}.")
    value = target.value
    tol = tolerance(value, rel_tol, abs_tol)
    rule = (f"Counted as right within ±{fmt(tol, 2)} of the value: {fmt(100 * rel_tol, 3)} % of it, "
            f"but at least {fmt(abs_tol, 3)}")
    if rel_tol == DEFAULT_REL_TOL:
        rule += " — about 3 significant digits"
    rule += "."
    try:
        guess = parse_number(text)
    except ValueError as e:
        return Verdict(False, False, None, value, None, tol, float(rel_tol), float(abs_tol), rule,
                       str(e), problem=str(e))
    diff = guess - value
    shown = shown_value(value)
    if abs(diff) <= tol:
        message = f"Right: {target.symbol} {shown}, and you said {fmt(guess, 6)}."
        return Verdict(True, True, guess, value, diff, tol, float(rel_tol), float(abs_tol), rule, message)
    message = (f"Not quite: {target.symbol} {shown}; you said {fmt(guess, 6)} "
               f"({'too high' if diff > 0 else 'too low'} by {fmt(abs(diff), 3)}).")
    if abs(guess + value) <= tol:
        message += " The size is right but the sign is not: check the signs of the factors."
    elif value != 0 and guess != 0:
        # The ratio's decimal logarithm as a difference of logarithms: guess / value can
        # overflow to inf (-1e308 / 0.1) or underflow to 0 (-5e-324 / 0.1); each log is finite.
        lg = math.log10(abs(guess)) - math.log10(abs(value))
        if round(lg) != 0 and abs(lg - round(lg)) < 0.002:
            message += " The digits look right but the decimal point is not."
    return Verdict(True, False, guess, value, diff, tol, float(rel_tol), float(abs_tol), rule, message)


# ---- hints ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Hint:
    """``kind`` is "formula" or "numbers"; ``text`` is plain Unicode, ``latex`` a formula."""

    kind: str
    text: str
    latex: str

    def __str__(self) -> str:
        return self.text


def _latex_numbers(step: Step, t: Target) -> str:
    """The app's scalar formula with numbers (``Step.latex_numbers``), minus its result."""
    full = step.latex_numbers("scalar", t.j, t.k or 0)
    return full.rsplit(" = ", 1)[0]


def hints(step: Step, target: Target) -> list[Hint]:
    """[the formula for this entry, the numbers to plug in] — neither gives the result away,
    except for nabla_b (whose value *is* δ) and the input step (which is x)."""
    if target.step_index != step.index or target.kind != step.kind:
        raise ValueError(f"The target belongs to step {target.step_index} ({target.kind}), "
                         f"not step {step.index} ({step.kind}).")
    op, j, k = step.op, target.j, target.k
    return [Hint("formula", op.formula_text(step.at, j, k, note=True), step.latex("scalar")),
            Hint("numbers", "Plug in: " + op.ask(step, j, k), _latex_numbers(step, target))]


# ---- score ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    """How many predictions were made (``attempted``) and how many were right."""

    attempted: int = 0
    correct: int = 0

    def __post_init__(self):
        for name in ("attempted", "correct"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name} must be a whole number of at least 0; got {v!r}.")
        if self.correct > self.attempted:
            raise ValueError(f"correct ({self.correct}) cannot exceed attempted ({self.attempted}).")

    def record(self, result: Verdict | bool) -> "Score":
        """The score after one more prediction.  An unreadable guess (a Verdict with
        ``valid=False``) is not counted: the same score comes back."""
        if isinstance(result, Verdict):
            if not result.valid:
                return self
            result = result.correct
        return Score(self.attempted + 1, self.correct + int(bool(result)))

    @property
    def accuracy(self) -> float | None:
        """correct / attempted, or None before the first attempt."""
        return self.correct / self.attempted if self.attempted else None

    def __str__(self) -> str:
        return f"{self.correct} of {self.attempted} right"
