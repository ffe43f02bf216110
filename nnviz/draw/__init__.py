"""Drawing a trace: the networkx graph, its layout and labels, the plotly figures.

Built on ``nnviz.engine`` and ``nnviz.trace``."""
