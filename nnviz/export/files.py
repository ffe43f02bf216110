"""Export files and the trace as JSON: ``ExportError``, checked writes, ``trace_json`` / ``load_network`` / ``load_trace``.

Pure Python (no streamlit).  Failures raise ``ExportError`` with one readable sentence.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from nnviz.engine.config import MAX_JSON_BYTES, Config, ConfigError, load_json
from nnviz.engine.text import excerpt
from nnviz.trace.minibatch import MAX_EXAMPLES, trace_mini_batch
from nnviz.trace.record import Trace, trace_backprop

MIME = {"html": "text/html", "png": "image/png", "svg": "image/svg+xml", "gif": "image/gif",
        "json": "application/json"}
Progress = Callable[[int, int], None]  # progress(done, total)


class ExportError(ValueError):
    """An export could not be made; the message is one sentence saying why."""


# ---- files --------------------------------------------------------------------------------
def check_writable(path: str | os.PathLike) -> Path:
    """``path`` if a file can be written there (checked before a long render); else
    ExportError saying why."""
    try:
        p = Path(path)
        if p.is_dir():
            raise ExportError(f"Cannot write {excerpt(path, 80)!r}: it is a folder; give a file name.")
        parent = p.parent
        if not parent.is_dir():
            raise ExportError(f"Cannot write {excerpt(path, 80)!r}: the folder {excerpt(parent, 80)!r} does not exist.")
        if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
            raise ExportError(f"Cannot write {excerpt(path, 80)!r}: permission denied.")
    except (OSError, ValueError) as e:  # a NUL byte, a name too long, ...
        if isinstance(e, ExportError):
            raise
        raise ExportError(f"Cannot write {excerpt(path, 80)!r}: {excerpt(getattr(e, 'strerror', None) or e, 120)}.") from None
    return p


def write_file(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path``; ExportError (one sentence) if the system refuses."""
    try:
        with open(path, "wb") as f:
            f.write(data)
    except (OSError, ValueError) as e:
        raise ExportError(f"Cannot write {excerpt(path, 80)!r}: {excerpt(getattr(e, 'strerror', None) or e, 120)}.") from None


# ---- JSON -------------------------------------------------------------------------------
_PRESENTATION = ("title", "explanation", "latex", "latex_numbers", "shapes", "code")


def trace_json(trace: Trace) -> str:
    """``Trace.to_dict`` as compact JSON, loadable by ``load_trace`` / ``Config.from_json``.

    If the full trace is larger than 64 KiB (big networks at full precision), the text
    fields every step recomputes on loading (title, explanation, LaTeX, code) are left out,
    so the file always fits; the numbers are always all there, exactly (JSON floats
    round-trip).
    """
    d = trace.to_dict()
    text = json.dumps(d, separators=(",", ":"))
    if len(text.encode()) > MAX_JSON_BYTES:
        for s in d["steps"]:
            for key in _PRESENTATION:
                s.pop(key, None)
        text = json.dumps(d, separators=(",", ":"))
    if len(text.encode()) > MAX_JSON_BYTES:  # not reachable within Config's limits
        raise ExportError(f"The trace is {len(text.encode()):,} bytes as JSON; at most "
                          f"{MAX_JSON_BYTES:,} bytes (64 KiB) can be loaded back.")
    return text


Example = tuple  # (x, y): column vectors of shapes (sizes[0], 1) and (sizes[-1], 1)


def load_network(text: str | bytes) -> tuple[Config, list[Example] | None]:
    """A config or trace JSON file (at most 64 KiB) -> its network and, for a saved
    mini-batch trace (``examples`` with two or more pairs, each validated like x and y), that
    batch; ``None`` for one example (the config's x and y).  ConfigError says what is wrong."""
    cfg = Config.from_json(text)
    data = load_json(text)
    examples = data.get("examples") if isinstance(data, dict) and data.get("format") == "nnviz-trace" else None
    if not examples or len(examples) == 1:
        return cfg, None
    if not isinstance(examples, list) or len(examples) > MAX_EXAMPLES:
        raise ConfigError(f"The trace's examples must be a list of at most {MAX_EXAMPLES} [x, y] pairs.")
    batch = []
    for e, pair in enumerate(examples, start=1):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ConfigError(f"Example {e} of the trace is not an [x, y] pair.")
        try:
            one = cfg.replace(x=pair[0], y=pair[1])
        except ConfigError as err:
            raise ConfigError(f"Example {e} of the trace: {err}") from None
        batch.append((one.x_array, one.y_array))
    return cfg, batch


def network_trace(cfg: Config, batch: list[Example] | None = None) -> Trace:
    """The network's one backprop call on its x and y, or ``trace_mini_batch`` over ``batch``."""
    if batch is None:
        return trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    return trace_mini_batch(cfg.network(), batch, cfg.eta)


def load_trace(text: str | bytes) -> Trace:
    """A config or trace JSON file (``load_network``) -> its trace, re-run by the engine:
    its steps and numbers equal the saved ones."""
    return network_trace(*load_network(text))
