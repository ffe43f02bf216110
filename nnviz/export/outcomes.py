"""``ExportBoard``: where a download made on a worker thread leaves its outcome.

The app makes each download only when its button is clicked (``st.download_button`` with
a callable, run on one of Streamlit's worker threads).  When that callable fails,
Streamlit shows nothing.  So the callable reports to a board, under the session's own
random token, and the session's rerun (the button's ``on_click``) waits for that outcome
and shows the message.  The board is one per process, thread-safe, and bounded (the
oldest entries go first); a token is a random string held by one session, so sessions
never see each other's outcomes.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

MAX_ENTRIES = 1024


class ExportBoard:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, list] = OrderedDict()  # token -> [done Event, message]
        self._max = max_entries

    def run(self, token: str, make: Callable[[], bytes], errors: tuple = (Exception,)) -> bytes:
        """``make()``, with its outcome on the board: None, or the message of an error of
        type ``errors`` (which is raised on)."""
        entry = [threading.Event(), None]
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        try:
            return make()
        except errors as e:
            entry[1] = str(e)
            raise
        finally:
            entry[0].set()

    def wait(self, token: str, start_s: float, done_s: float) -> str | None:
        """The message of ``token``'s export (None when it succeeded, or none started within
        ``start_s`` seconds, or it took longer than ``done_s``); the entry is then removed."""
        waited = 0.0
        while True:
            with self._lock:
                entry = self._entries.get(token)
            if entry is not None or waited >= start_s:
                break
            threading.Event().wait(0.05)
            waited += 0.05
        if entry is None or not entry[0].wait(done_s):
            return None
        with self._lock:
            if self._entries.get(token) is entry:
                del self._entries[token]
        return entry[1]
