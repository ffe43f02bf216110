"""nnviz's Streamlit app: ``streamlit run app.py`` (installed: ``nnviz app``).

The page is ``nnviz_app/app.py``; the Streamlit layer is the ``nnviz_app`` package.
"""
from nnviz_app.app import main

main()
