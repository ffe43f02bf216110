"""``LivePlayer``: the notebook player as an anywidget, its step shared with Python.

``nnviz.show(...).live()`` returns one.  It draws the same page in the same sandboxed frame
as the plain output (``widget.js``), and ``widget.step`` is the step the player shows
(0-based; ``len(widget.trace)`` is the update animation): read it after stepping in the
page, or set it to step the page from Python.  It needs a frontend with widgets (JupyterLab,
Notebook 7, VS Code); its output also carries the plain ``text/html`` player for the rest.
Importing this module needs anywidget (``pip install ".[notebook]"``).
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from nnviz.notebook.host import Player, player_page


class LivePlayer(anywidget.AnyWidget):
    """A ``Player`` as a live widget; ``step`` is synced with the page (see module doc)."""

    _esm = Path(__file__).resolve().parent / "widget.js"
    srcdoc = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    frame_height = traitlets.Int(720).tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)

    def __init__(self, player: Player, step: int = 0):
        self._player = player
        super().__init__(srcdoc=player_page(player.trace, player.title, player.theme),
                         title=player.title, frame_height=player.height, step=step)

    @property
    def trace(self):
        return self._player.trace

    @traitlets.validate("step")
    def _step_in_range(self, proposal):
        i, last = proposal["value"], len(self._player.trace)
        if not 0 <= i <= last:
            raise ValueError(f"step must be a whole number from 0 to {last} (0 is the first step, "
                             f"{last} the update animation); got {i}.")
        return i

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = self._player.html()  # where no widget manager draws the view
        return bundle
