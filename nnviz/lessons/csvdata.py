"""A learner's own 2-D data set, from CSV text: ``x1, x2, label`` per row.

``parse_csv(text)`` returns a ``ParsedCSV``: the rows it accepted and one message per
bad row, each naming the row (its line in the file) and what is wrong and what is
allowed.  Nothing is dropped silently: a file with any bad row gives no data set at all
(``ok`` is False), so what trains is exactly what was given.

Allowed: UTF-8 text of at most ``MAX_BYTES``; an optional header line ``x1,x2,label``;
``MIN_ROWS`` to ``MAX_ROWS`` data rows of three comma-separated values: x1 and x2 finite
numbers from -``MAX_ABS`` to ``MAX_ABS``, label 0 or 1; blank lines are skipped.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.engine.config import excerpt

MAX_ROWS = 2000
MIN_ROWS = 2
MAX_BYTES = 256 * 1024
MAX_ABS = 1e6
HEADER = ("x1", "x2", "label")
MAX_MESSAGES = 50  # per file; the count of the rest is given


@dataclass(frozen=True)
class ParsedCSV:
    """``rows``: accepted (x1, x2, label) tuples; ``errors``: one sentence per problem."""

    rows: tuple = ()
    errors: tuple = ()
    notes: tuple = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors and len(self.rows) >= MIN_ROWS

    def pairs(self) -> list:
        """The rows as the engine's (x, y) pairs: x shape (2, 1), y shape (1, 1)."""
        return as_pairs(self.rows)


def as_pairs(rows) -> list:
    """(x1, x2, label) rows as (x, y) pairs: x shape (2, 1), y shape (1, 1)."""
    return [(np.array([[float(a)], [float(b)]]), np.array([[float(c)]])) for a, b, c in rows]


def _number(text: str, name: str) -> tuple[float | None, str | None]:
    try:
        v = float(text)
    except ValueError:
        return None, f"{name} = {excerpt(text, 20)!r} is not a number"
    if not math.isfinite(v):
        return None, f"{name} = {excerpt(text, 20)!r} is not a finite number"
    if abs(v) > MAX_ABS:
        return None, f"{name} = {excerpt(text, 20)} is outside −{MAX_ABS:g} … {MAX_ABS:g}"
    return v, None


def _row(cells: list[str]) -> tuple[tuple | None, str | None]:
    """One data row checked: ((x1, x2, label), None) or (None, what is wrong)."""
    cells = [c.strip() for c in cells]
    if len(cells) != 3:
        return None, (f"has {len(cells)} value{'s' if len(cells) != 1 else ''}; each row needs 3, "
                      "separated by commas: x1, x2, label")
    problems = []
    x1, p1 = _number(cells[0], "x1")
    x2, p2 = _number(cells[1], "x2")
    problems += [p for p in (p1, p2) if p]
    label = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}.get(cells[2])
    if label is None:
        problems.append(f"label = {excerpt(cells[2], 20)!r} must be 0 or 1")
    if problems:
        return None, "; ".join(problems)
    return (x1, x2, label), None


def parse_csv(text: str | bytes) -> ParsedCSV:
    """Parse CSV text (or UTF-8 bytes) into rows and per-row messages (see the module doc)."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return ParsedCSV(errors=(f"The file is {size:,} bytes; at most {MAX_BYTES // 1024} KiB are allowed "
                                 f"(up to {MAX_ROWS:,} rows of x1, x2, label).",))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return ParsedCSV(errors=(f"The file is not UTF-8 text (byte {e.start + 1} cannot be read); "
                                     "save it as plain CSV text.",))
    text = text.removeprefix("\ufeff")
    rows, errors = [], []
    lines = [(i, line) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if lines and [c.strip().lower() for c in lines[0][1].split(",")] == list(HEADER):
        lines = lines[1:]
    if len(lines) > MAX_ROWS:
        return ParsedCSV(errors=(f"The data has {len(lines):,} rows; at most {MAX_ROWS:,} are allowed.",))
    for (number, line), cells in zip(lines, csv.reader([line for _, line in lines]), strict=True):
        row, problem = _row(cells)
        if problem:
            errors.append(f"Line {number}: {problem}.")
        else:
            rows.append(row)
    if not errors and len(rows) < MIN_ROWS:
        errors.append(f"The data has {len(rows)} row{'s' if len(rows) != 1 else ''}; at least {MIN_ROWS} "
                      f"are needed (a header line {','.join(HEADER)} is optional).")
    if len(errors) > MAX_MESSAGES:
        errors = errors[:MAX_MESSAGES] + [f"… and {len(errors) - MAX_MESSAGES:,} more bad rows."]
    notes = ()
    if rows and not errors and len({r[2] for r in rows}) == 1:
        notes = (f"Every row has label {rows[0][2]}: the network can only learn to say {rows[0][2]}.",)
    return ParsedCSV(tuple(rows), tuple(errors), notes)


def to_csv(rows) -> str:
    """Rows as CSV text with the header (the inverse of ``parse_csv`` on good rows)."""
    return "\n".join([",".join(HEADER)] + [f"{a!r},{b!r},{int(c)}" for a, b, c in rows]) + "\n"
