"""The seed notebook's own code, as the test oracle.

The seed (Nielsen's ``network.py`` as printed in the notebook's ``In [8]:`` cell) is read
from the notebook text and exec()'d: the oracle *is* the seed's code, not a copy of it.

Where the notebook is:  $NNVIZ_SEED, else ``<repo>/../shared/seed/backprop-notebook.txt``.
When it is missing, ``seed_namespace()`` fails the test when $CI is true and otherwise skips
it loudly: the reason names the file and how to get it, and the run's summary ends with a
banner counting these skips (tests/conftest.py).  ``load_seed(path)`` raises ``SeedNotFound`` instead, for scripts
such as ``bench/bench_engine.py``.

    seed_namespace()                    -> {"Network", "sigmoid", "sigmoid_prime", "np", ...}
    seed_network(sizes, weights, biases) -> a seed ``Network`` holding copies of the parameters
    seed_method_source(name)            -> the text of ``Network.<name>`` in the cell (dedented)
"""
from __future__ import annotations

import ast
import os
import re
import textwrap
from functools import lru_cache
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
CELL_MARKER = "In [8]:"
REQUIRED = ("Network", "sigmoid", "sigmoid_prime")


class SeedNotFound(RuntimeError):
    """The seed notebook could not be found or does not hold the expected cell."""


def seed_path() -> Path:
    """Where the seed notebook should be (it may not exist)."""
    env = os.environ.get("NNVIZ_SEED")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "seed" / "backprop-notebook.txt").resolve()


def seed_text(path: Path | None = None) -> str:
    path = Path(path) if path is not None else seed_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise SeedNotFound(f"seed notebook not readable at {path} ({e.strerror or e}); "
                           "set NNVIZ_SEED to its path") from None


def _cell_lines(text: str) -> list[str]:
    """The lines after the ``In [8]:`` marker, up to the next ``In [n]:`` marker."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == CELL_MARKER) + 1
    except StopIteration:
        raise SeedNotFound(f"the seed notebook has no {CELL_MARKER!r} cell") from None
    end = next((i for i in range(start, len(lines)) if re.match(r"^In \[\d+\]:\s*$", lines[i])),
               len(lines))
    return lines[start:end]


def seed_cell(text: str) -> str:
    """The code of the ``In [8]:`` cell.

    The exported notebook has no end-of-cell marker: the code is the longest prefix,
    cut at a blank line, that compiles and defines Network, sigmoid and sigmoid_prime
    (the prose after the cell is not Python).
    """
    lines = _cell_lines(text)
    cuts = [i for i, line in enumerate(lines) if not line.strip()] + [len(lines)]
    for cut in sorted(set(cuts), reverse=True):
        code = "\n".join(lines[:cut])
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
        if all(r in names for r in REQUIRED):
            return code + "\n"
    raise SeedNotFound(f"no code defining {', '.join(REQUIRED)} found in the {CELL_MARKER!r} cell")


def seed_code(text: str) -> str:
    """The imports, ``class Network`` and ``sigmoid``/``sigmoid_prime`` of the cell, verbatim."""
    cell = seed_cell(text)
    tree = ast.parse(cell)
    keep = [n for n in tree.body
            if isinstance(n, (ast.Import, ast.ImportFrom))
            or (isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name in REQUIRED)]
    return "\n\n".join(ast.get_source_segment(cell, n) for n in keep) + "\n"


def load_seed(path: Path | None = None) -> dict:
    """exec() the seed's code into a fresh namespace and return it (SeedNotFound if absent)."""
    path = Path(path) if path is not None else seed_path()
    namespace: dict = {"__name__": "seed_notebook"}
    exec(compile(seed_code(seed_text(path)), f"{path}:{CELL_MARKER}", "exec"), namespace)
    return namespace


@lru_cache(maxsize=None)
def _cached(path: str) -> dict:
    return load_seed(Path(path))


def seed_namespace() -> dict:
    """The seed's namespace; pytest.fail under CI, pytest.skip otherwise, when it is missing."""
    try:
        return _cached(str(seed_path()))
    except SeedNotFound as e:
        seed_missing(e)


def seed_network(sizes, weights, biases, namespace: dict | None = None):
    """A seed ``Network(sizes)`` whose parameters are float copies of ``weights``/``biases``.

    The seed's constructor draws from numpy's global generator; its state is saved and
    restored so using the oracle never disturbs global random state.
    """
    ns = namespace if namespace is not None else seed_namespace()
    state = np.random.get_state()
    try:
        net = ns["Network"](list(sizes))
    finally:
        np.random.set_state(state)
    net.weights = [np.array(w, dtype=float) for w in weights]
    net.biases = [np.array(b, dtype=float) for b in biases]
    return net


def seed_method_source(name: str, text: str | None = None) -> str:
    """The source of method ``Network.<name>`` as it appears in the cell, dedented."""
    cell = seed_cell(text if text is not None else seed_text_or_skip())
    tree = ast.parse(cell)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Network")
    fn = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = cell.splitlines()[fn.lineno - 1: fn.end_lineno]
    return textwrap.dedent("\n".join(lines)) + "\n"


def seed_text_or_skip() -> str:
    try:
        return seed_text()
    except SeedNotFound as e:
        seed_missing(e)


SKIP_TAG = "SEED ORACLE MISSING"  # conftest.py counts the skips carrying it


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def seed_missing(e: SeedNotFound):
    """Fail under CI; otherwise skip, naming the file and how to get it."""
    import pytest

    how = (f"{SKIP_TAG}: {e}. The oracle is the seed notebook (Nielsen's network.py walked through), "
           f"the project's shared file shared/seed/backprop-notebook.txt beside the checkout "
           f"(expected at {seed_path()}): copy it there or set NNVIZ_SEED=/path/to/backprop-notebook.txt")
    if under_ci():
        pytest.fail(f"required under CI — {how}", pytrace=False)
    pytest.skip(how)
