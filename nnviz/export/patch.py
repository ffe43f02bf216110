"""JSON patches: what changed from one JSON value to the next, and putting it back.

The walk-through (``nnviz.export.walkthrough``) stores each step's figure as the patch from
the step before: the network, its edges and most labels do not move between steps, so
a step costs only what changed (the 5 × 8 network's walk-through is about a fifth of
its size with every figure whole).  ``nnviz/player/player.js`` (``applyPatch``) puts the
figures back with the same rules, sharing every unchanged part with the step before
(plotly.js then skips what did not change).

A patch is one of

* ``[value]`` — the new value, whole;
* ``[]`` — the key is gone (inside a dict's patch only);
* ``{key: patch, ...}`` — a dict with these keys changed (others unchanged), or a list of
  the same length with these indices (as strings) changed.

``apply(old, diff(old, new)) == new`` for any JSON values old and new.
"""
from __future__ import annotations

import json


def _size(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def diff(old, new):
    """The patch from ``old`` to ``new`` (JSON values; see module doc); None if they are equal
    (as JSON: 1, 1.0 and true differ)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = {k: [] for k in old if k not in new}
        for k, v in new.items():
            p = diff(old[k], v) if k in old else [v]
            if p is not None:
                out[k] = p
        return out or None
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = {str(i): p for i, (a, b) in enumerate(zip(old, new, strict=True))
               if (p := diff(a, b)) is not None}
        if not out:
            return None
        return out if _size(out) < _size(new) else [new]  # most of it changed: whole
    return None if type(old) is type(new) and old == new else [new]


def apply(old, patch):
    """``old`` with ``patch`` applied (a new value; ``old`` is not changed; unchanged parts
    are shared with it)."""
    if patch is None:
        return old
    if isinstance(patch, list):
        if not patch:
            raise ValueError("A deletion ([]) is only allowed as the patch of a dict's key.")
        return patch[0]
    if isinstance(old, list):
        out = list(old)
        for k, p in patch.items():
            out[int(k)] = apply(out[int(k)], p)
        return out
    if not isinstance(old, dict):
        raise ValueError(f"A dict patch needs a dict or list to patch; got {type(old).__name__}.")
    out = dict(old)
    for k, p in patch.items():
        if p == []:
            out.pop(k, None)
        else:
            out[k] = apply(out.get(k), p)
    return out


def chain(values: list) -> list:
    """Each value as the patch from the one before (the first from ``{}``)."""
    return [diff(prev, v) or {} for prev, v in zip([{}] + values[:-1], values, strict=True)]


def unchain(patches: list) -> list:
    """The values back from ``chain``'s patches."""
    out, prev = [], {}
    for p in patches:
        prev = apply(prev, p)
        out.append(prev)
    return out
