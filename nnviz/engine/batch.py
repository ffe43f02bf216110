"""A mini-batch as the seed's ``update_mini_batch`` takes it — a list of (x, y) pairs — checked
once for the tools that walk it example by example (``nnviz.trace_mini_batch``,
``gradient_check_batch``)."""
from __future__ import annotations

import numpy as np

from nnviz.engine.network import Network


def check_mini_batch(net: Network, mini_batch, most: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pairs as column vectors (x shape (sizes[0], 1), y shape (sizes[-1], 1)), or a
    ValueError of one sentence naming the example (1-based) that is wrong; at least one
    pair, and at most ``most`` when given."""
    try:
        pairs = list(mini_batch)
    except TypeError:
        raise ValueError("The mini-batch must be a list of (x, y) pairs.") from None
    if most is not None and not 1 <= len(pairs) <= most:
        raise ValueError(f"A traced mini-batch holds 1 to {most} examples; got {len(pairs)}.")
    if not pairs:
        raise ValueError("The mini-batch is empty; it needs at least one (x, y) pair.")
    checked = []
    for e, pair in enumerate(pairs, start=1):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f"Example {e} of the mini-batch is not an (x, y) pair.")
        try:
            checked.append(net.check_example(*pair))
        except ValueError as err:
            raise ValueError(f"Example {e} of the mini-batch: {err}") from None
    return checked
