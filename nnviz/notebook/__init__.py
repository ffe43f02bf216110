"""nnviz in Jupyter: ``nnviz.show(net, x, y, eta=...)`` and a ``Trace`` display the player.

See ``nnviz.notebook.host``.  Jupyter itself is not needed to import this package: the
output is plain ``text/html`` (``Player._repr_html_``), shown by any notebook frontend.
``Player.live()`` (``nnviz.notebook.widget``, needs anywidget) is the live widget whose
``step`` Python reads and sets.
"""
from nnviz.notebook.host import Player, frame_html, player_page, show

__all__ = ["Player", "frame_html", "player_page", "show"]
