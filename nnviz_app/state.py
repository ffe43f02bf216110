"""The UI state, declared once: one table of fields, serialised to and from the URL here only.

Pure Python (no streamlit): ``from_query(params)`` turns URL parameters into a state dict
plus notices for anything it had to ignore; ``to_query(state)`` gives the parameters that
reopen the same view.  The network itself travels as ``preset`` (a name) or, once edited,
as ``cfg`` (compact JSON, base64url-encoded).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from nnviz.engine.config import MAX_ABS, Config, ConfigError
from nnviz.engine.text import excerpt
from nnviz.engine.presets import PRESETS
from nnviz.trace.minibatch import MAX_EXAMPLES

MAX_STEP = 10_000
MAX_CFG_CHARS = 16_000


@dataclass(frozen=True)
class Field:
    """One piece of UI state: its URL/session name, default, and text codec."""

    name: str
    default: Any
    parse: Callable[[str], Any]  # text -> value; raises ValueError("what is allowed")
    dump: Callable[[Any], str] = str
    label: str = ""


def _choice(options):
    def parse(text: str):
        if text not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return text
    return parse


def _int(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except (TypeError, ValueError):
            raise ValueError(f"must be a whole number from {lo} to {hi}") from None
        if not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        return v
    return parse


def _bool(text: str) -> bool:
    t = str(text).lower()
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def encode_config(cfg: Config) -> str:
    return base64.urlsafe_b64encode(cfg.model_dump_json().encode()).decode().rstrip("=")


def decode_config(text: str) -> Config:
    if len(text) > MAX_CFG_CHARS:
        raise ValueError(f"is {len(text):,} characters long; at most {MAX_CFG_CHARS:,} are allowed")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("is not a network link made by nnviz (bad base64)") from None
    try:
        return Config.from_json(raw)
    except ConfigError as e:
        raise ValueError(f"does not describe a valid network ({str(e).rstrip('.')})") from None


MAX_BATCH = MAX_EXAMPLES  # examples in a stepped mini-batch


def _number_text(v: float) -> str:
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def parse_batch(text: str) -> tuple:
    """``"x1,x2;y|x1,x2;y|..."`` -> ((x, y), ...) with x, y tuples of floats (1 to MAX_BATCH
    examples; the shapes are checked against the network by ``batch_problem``)."""
    parts = [p for p in str(text).split("|") if p.strip()]
    if not 1 <= len(parts) <= MAX_BATCH:
        raise ValueError(f"must hold 1 to {MAX_BATCH} examples separated by |, each x;y")
    out = []
    for e, part in enumerate(parts, start=1):
        xy = part.split(";")
        if len(xy) != 2:
            raise ValueError(f"needs exactly one ; between x and y in example {e} (allowed: x1,x2;y)")
        try:
            vec = [tuple(float(v) for v in side.split(",")) for side in xy]
        except ValueError:
            raise ValueError(f"has something that is not a number in example {e} "
                             "(allowed: numbers, x and y separated by ;, e.g. 0.5,-1;1)") from None
        if not all(1 <= len(v) <= 8 and all(math.isfinite(c) and abs(c) <= MAX_ABS for c in v) for v in vec):
            raise ValueError(f"is outside the limits in example {e} (x and y: 1 to 8 finite numbers of "
                             f"magnitude at most {MAX_ABS:g})")
        out.append(tuple(vec))
    return tuple(out)


def dump_batch(batch) -> str:
    return "|".join(",".join(map(_number_text, x)) + ";" + ",".join(map(_number_text, y)) for x, y in batch)


def batch_problem(state: dict) -> str | None:
    """Why the state's mini-batch does not fit its network, or None."""
    batch, cfg = state.get("batch"), current_config(state)
    for e, (x, y) in enumerate(batch or (), start=1):
        if len(x) != cfg.sizes[0] or len(y) != cfg.sizes[-1]:
            return (f"Example {e} of the mini-batch has {len(x)} inputs and {len(y)} targets; this network takes "
                    f"{cfg.sizes[0]} and gives {cfg.sizes[-1]}. Showing one example instead.")
    return None


def trace_key(state: dict) -> str:
    """The JSON that names the trace to show: the config's, or, for a mini-batch of two or
    more examples that fit the network, an nnviz-trace document with its ``examples``
    (``nnviz.export.files.load_trace`` recomputes either)."""
    cfg, batch = current_config(state), state.get("batch")
    if not batch or len(batch) < 2 or batch_problem(state):
        return cfg.model_dump_json()
    examples = [[[[v] for v in x], [[v] for v in y]] for x, y in batch]
    return json.dumps({"format": "nnviz-trace", **cfg.model_dump(), "x": examples[0][0], "y": examples[0][1],
                       "examples": examples})


FIELDS: tuple[Field, ...] = (
    Field("preset", "seed", _choice(tuple(PRESETS)), label="preset"),
    Field("cfg", None, decode_config, encode_config, label="edited network"),
    Field("step", 0, _int(0, MAX_STEP), label="step"),
    Field("view", "matrix", _choice(("matrix", "scalar")), label="equation view"),
    Field("j", 0, _int(0, 7), label="neuron j"),
    Field("k", 0, _int(0, 7), label="neuron k"),
    Field("mode", "explore", _choice(("explore", "predict", "train")), label="mode"),
    Field("projector", False, _bool, lambda v: "1" if v else "0", label="projection mode"),
    Field("batch", None, parse_batch, dump_batch, label="mini-batch"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)


def defaults() -> dict:
    return {f.name: f.default for f in FIELDS}


def from_query(params) -> tuple[dict, list[str]]:
    """State from URL parameters (a mapping of str -> str); bad ones fall back to defaults.

    Returns ``(state, notices)``: one notice per ignored parameter, saying what was wrong
    and what is allowed.
    """
    state, notices = defaults(), []
    for f in FIELDS:
        if f.name not in params:
            continue
        text = params[f.name]
        try:
            state[f.name] = f.parse(str(text))
        except ValueError as e:
            shown = str(text)[:40] + ("…" if len(str(text)) > 40 else "")
            notices.append(f"Ignored the link's {f.label} ({f.name}={shown!r}): it {excerpt(str(e).rstrip('.'), 300)}. "
                           f"Showing the default instead.")
    unknown = sorted(set(params) - set(FIELD_NAMES))
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        notices.append(f"Ignored unknown link parameters: {', '.join(excerpt(k, 20) for k in unknown[:5])}{more}. "
                       f"A link may carry only {', '.join(FIELD_NAMES)}.")
    return state, notices


def to_query(state: dict) -> dict[str, str]:
    """The URL parameters for ``state``: only what differs from the defaults."""
    out = {}
    for f in FIELDS:
        v = state.get(f.name, f.default)
        if v != f.default and v is not None:
            out[f.name] = f.dump(v)
    return out


def set_step(ss, i: int) -> None:
    """The server moves the walk-through to step ``i`` (e.g. a new network starts at 0);
    this wins over the step the page kept in the address (``nnviz_app.player_host``)."""
    ss.ui["step"] = i
    ss["step_set_by_server"] = True


def current_config(state: dict) -> Config:
    """The network the state describes: the edited ``cfg`` if any, else the preset."""
    return state["cfg"] if state.get("cfg") is not None else PRESETS[state["preset"]].config
