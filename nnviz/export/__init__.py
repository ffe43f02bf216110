"""Exports of one backprop call: files and JSON (``files``), the offline HTML walk-through
(``html``), images and GIFs drawn by kaleido (``images``).

Pure Python (no streamlit); failures raise ``files.ExportError`` with one readable sentence."""
