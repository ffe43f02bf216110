"""Text helpers for messages about user input (no numpy, no nnviz imports).

``excerpt(value, limit)`` — a short, one-line, printable excerpt of whatever the user gave,
for a plain-text message: never the whole input, never a control character.
"""
from __future__ import annotations


def excerpt(value, limit: int = 40) -> str:
    """At most ``limit`` characters of ``str(value)``, non-printable ones as "?", "…" if cut."""
    try:
        text = str(value)
    except ValueError:  # an int too long to print
        return "(too long to show)"
    short = "".join(ch if ch.isprintable() else "?" for ch in text[:limit])
    return short + ("…" if len(text) > limit else "")
