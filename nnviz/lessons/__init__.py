"""Self-study: predict-then-reveal, common mistakes, data sets and training.

Built on ``nnviz.engine``, ``nnviz.trace`` and ``nnviz.draw``."""
