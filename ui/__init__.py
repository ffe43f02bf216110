"""The Streamlit layer's helpers: URL/session state (``state``) and panels (``panels``)."""
