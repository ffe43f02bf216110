"""``FrozenFigure``: a plotly figure frozen as its JSON text, safe to share between sessions.

The app caches figures once for every session (``st.cache_resource``).  A shared
``go.Figure`` could be changed in place by any session (``fig.update_layout(...)``) and
every other session would see the change.  A ``FrozenFigure`` holds only the figure's JSON
text (a ``str``, immutable): ``to_dict()`` hands out a fresh copy each time, and
everything that would change it raises.  It is a ``BaseFigure`` so ``st.plotly_chart``
takes it (it reads a figure through ``to_dict()`` only); copying the JSON back
(``json.loads``) is cheaper than ``go.Figure.to_dict()``'s deep copy (bench/RELIABILITY.md).
"""
from __future__ import annotations

import json

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure


class FrozenFigure(BaseFigure):
    """An immutable snapshot of ``fig``; ``to_dict()`` / ``to_plotly_json()`` give a
    fresh dict, ``to_json()`` the text, ``figure()`` a fresh, changeable ``go.Figure``."""

    def __init__(self, fig: go.Figure):  # BaseFigure.__init__ not called: no mutable state
        object.__setattr__(self, "_spec", fig.to_json(validate=False))

    def __setattr__(self, name, value):
        raise TypeError("A FrozenFigure cannot be changed; call .figure() for a copy to change.")

    __delattr__ = __setattr__

    def to_dict(self) -> dict:
        return json.loads(self._spec)

    to_plotly_json = to_dict

    def to_json(self, *args, **kwargs) -> str:
        return self._spec

    def figure(self) -> go.Figure:
        return go.Figure(self.to_dict(), _validate=False)

    def __repr__(self) -> str:
        return f"FrozenFigure({len(self._spec):,} characters of JSON)"

    def __getattr__(self, name):  # anything else of BaseFigure would read state it lacks
        raise AttributeError(f"A FrozenFigure only offers to_dict(), to_json() and figure(); not {name!r}.")
