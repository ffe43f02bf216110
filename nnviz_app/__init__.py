"""The Streamlit layer (the only code that imports streamlit): the page (``app``), URL and
session state (``state``), the explorer's panels (``panels``), editing, predict, checks,
training and export widgets.  ``nnviz`` below it never imports this package."""
