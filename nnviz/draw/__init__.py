"""Drawing a trace: the networkx graph, what it shows at each step, its layout and labels, the plotly figures (step, update animation, cost curve).

Built on ``nnviz.engine`` and ``nnviz.trace``."""
