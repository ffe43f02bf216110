"""``show(net, x, y, eta=...)``: one backprop call's player in a notebook cell.

The output is the offline walk-through page (``nnviz.export.html.walkthrough_html``:
plotly.js, KaTeX and the data inlined, a Content-Security-Policy that blocks every
request) inside ``<iframe sandbox="allow-scripts" srcdoc="...">`` (``frame.html.j2``).
Why a frame: the notebook's own key bindings never see the player's keys, several
players in one notebook share nothing (keys go to the focused one), and the same
``text/html`` works in JupyterLab, Notebook 7, VS Code and an nbconvert HTML export.
Nothing here imports Jupyter.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import jinja2
import numpy as np
from markupsafe import Markup

from nnviz.engine.config import MAX_ETA, MAX_LAYERS, MAX_NEURONS, Config, ConfigError
from nnviz.engine.text import excerpt
from nnviz.engine.network import Network
from nnviz.export.html import DEFAULT_TITLE, walkthrough_html
from nnviz.trace.minibatch import MAX_EXAMPLES, trace_mini_batch
from nnviz.trace.record import Trace, trace_backprop

HERE = Path(__file__).resolve().parent
THEMES = ("light", "projector")
DEFAULT_HEIGHT = 720  # px, until the page reports its own height (frame.js)
HEIGHTS = (200, 3000)


@cache
def _files() -> tuple[jinja2.Template, str, str]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    read = lambda name: (HERE / name).read_text(encoding="utf-8")  # noqa: E731
    return env.get_template("frame.html.j2"), read("frame.js"), read("bridge.js")


def player_page(trace: Trace, title: str = DEFAULT_TITLE, theme: str = "light") -> str:
    """The walk-through page of ``trace`` with the notebook bridge (``bridge.js``) added."""
    page = walkthrough_html(trace, title=title, theme=theme)
    head, end, tail = page.rpartition("</body>")
    if not end:
        raise ValueError("The walk-through page has no </body>; cannot add the notebook bridge.")
    return f"{head}<script>{_files()[2]}</script>{end}{tail}"


def frame_html(trace: Trace, title: str = DEFAULT_TITLE, theme: str = "light",
               height: int = DEFAULT_HEIGHT) -> str:
    """The notebook output: the player page in a sandboxed ``srcdoc`` iframe (escaped)."""
    template, frame_js, _ = _files()
    return template.render(page=player_page(trace, title, theme), title=title, height=int(height),
                           frame_js=Markup(frame_js))


@dataclass(frozen=True, eq=False)
class Player:
    """One backprop call shown by the player; displays itself in a notebook cell.

    ``trace`` is the recorded call (``player.trace[i]`` is step i: ``.value``, ``.reads``,
    ``.latex_numbers()``); ``html()`` is the cell's ``text/html``.
    """

    trace: Trace
    title: str = DEFAULT_TITLE
    theme: str = "light"
    height: int = DEFAULT_HEIGHT

    @cached_property
    def _html(self) -> str:
        return frame_html(self.trace, self.title, self.theme, self.height)

    def html(self) -> str:
        """The ``text/html`` shown in the cell (self-contained, about 7 MB)."""
        return self._html

    def _repr_html_(self) -> str:
        return self._html

    def live(self, step: int = 0):
        """This player as a live widget whose ``step`` Python can read and set
        (``nnviz.notebook.widget.LivePlayer``; needs anywidget: pip install ".[notebook]")."""
        try:
            from nnviz.notebook.widget import LivePlayer
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(f"The live player needs {e.name}: pip install \".[notebook]\" "
                                      "(the plain player, shown without .live(), needs nothing).") from None
        return LivePlayer(self, step)

    def __len__(self) -> int:
        return len(self.trace)

    def __getitem__(self, i: int):
        return self.trace[i]

    def __repr__(self) -> str:
        return f"Player({self.trace!r})"


def _got(v) -> str:
    return excerpt(repr(v) if isinstance(v, str) else v)


def _column(v, n: int, what: str) -> np.ndarray:
    """``v`` as an (n, 1) column: a column, or a flat list of n numbers."""
    allowed = (f"{what} must be {n} number{'s' if n > 1 else ''}, a column of shape ({n}, 1) "
               "or a flat list")
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{allowed}; got {_got(v)}.") from None
    if arr.shape == (n,):
        arr = arr.reshape(n, 1)
    if arr.shape != (n, 1):
        raise ValueError(f"{allowed}; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinity; every entry must be a finite number.")
    return arr


def _check_net_eta(net, eta) -> None:
    if not isinstance(net, Network):
        raise ValueError("net must be an nnviz.Network, e.g. nnviz.Network([3, 2, 1]); "
                         f"got {type(net).__name__}.")
    if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not 0 < eta <= MAX_ETA:
        raise ValueError(f"eta (the learning rate) must be a number with 0 < eta ≤ {MAX_ETA:g}; "
                         f"got {_got(eta)}.")


def checked(net, x, y, eta) -> Config:
    """The call's arguments validated as one ``Config``; ValueError saying what is allowed."""
    _check_net_eta(net, eta)
    x = _column(x, net.sizes[0], "x (the input)")
    y = _column(y, net.sizes[-1], "y (the target)")
    try:
        return Config.from_network(net, x, y, float(eta))
    except ConfigError as e:
        why = str(e).removeprefix("Invalid network configuration — ").removeprefix("config: ")
        limits = (f" nnviz draws networks of 2 to {MAX_LAYERS} layers of 1 to {MAX_NEURONS} "
                  "neurons each." if "size" in why else "")
        raise ValueError(f"This network cannot be shown: {why}{limits}") from None


def _examples(net, x, y, mini_batch) -> list:
    """The call's examples as [(x, y), ...] columns: one (x, y), or the mini-batch's."""
    if mini_batch is None:
        if x is None or y is None:
            raise ValueError("Give one example as x and y, or a mini-batch as "
                             "mini_batch=[(x, y), ...].")
        return [(x, y)]
    if x is not None or y is not None:
        raise ValueError("Give either x and y (one example) or mini_batch=[(x, y), ...], not both.")
    try:
        pairs = list(mini_batch)
    except TypeError:
        raise ValueError(f"mini_batch must be a list of (x, y) pairs; got {_got(mini_batch)}.") from None
    if not 1 <= len(pairs) <= MAX_EXAMPLES:
        raise ValueError(f"mini_batch must hold 1 to {MAX_EXAMPLES} (x, y) pairs; got {len(pairs)}.")
    for e, pair in enumerate(pairs, start=1):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f"Example {e} of mini_batch is not an (x, y) pair; got {_got(pair)}.")
    return pairs


def show(net: Network, x=None, y=None, eta: float = 1.0, *, mini_batch=None,
         title: str = DEFAULT_TITLE, theme: str = "light", height: int = DEFAULT_HEIGHT) -> Player:
    """Trace one backprop call and its update with learning rate ``eta``, as a player.

    ``show(net, x, y, eta=...)``: ``net.backprop(x, y)`` then ``update_mini_batch([(x, y)],
    eta)``; ``x`` shape (sizes[0], 1) or a flat list of sizes[0] numbers, ``y`` shape
    (sizes[-1], 1) or flat.  ``show(net, mini_batch=[(x, y), ...], eta=...)``: the seed's
    ``update_mini_batch`` on 1 to 10 examples, every backprop call recorded.  ``theme``:
    "light" or "projector"; ``height``: the frame's height in px until the page reports its
    own.  ``net`` is not changed.  Bad arguments raise one ValueError saying what is allowed.
    """
    _check_net_eta(net, eta)
    pairs = _examples(net, x, y, mini_batch)
    cfgs = []
    for e, (xe, ye) in enumerate(pairs, start=1):
        try:
            cfgs.append(checked(net, xe, ye, eta))
        except ValueError as err:
            raise ValueError(f"Example {e} of mini_batch: {err}" if mini_batch is not None else str(err)) from None
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}; got {_got(theme)}.")
    if isinstance(height, bool) or not isinstance(height, numbers.Integral) \
            or not HEIGHTS[0] <= height <= HEIGHTS[1]:
        raise ValueError(f"height must be a whole number of pixels from {HEIGHTS[0]} to "
                         f"{HEIGHTS[1]}; got {_got(height)}.")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {_got(title)}.")
    cfg = cfgs[0]
    if mini_batch is None:
        trace = trace_backprop(cfg.network(), cfg.x_array, cfg.y_array, cfg.eta)
    else:
        trace = trace_mini_batch(cfg.network(), [(c.x_array, c.y_array) for c in cfgs], cfg.eta)
    return Player(trace, title, theme, int(height))
