"""Print the CSP hash source ('sha256-…') of every inline <script> in the installed
Streamlit's index.html, space-separated (deploy/start.sh puts them in script-src).

Streamlit's page has one small inline script (``window.prerenderReady = false``); allowing
it by hash keeps 'unsafe-inline' out of the policy, and computing it here keeps the policy
right for whichever Streamlit version is installed.
"""
import base64
import hashlib
import re
from pathlib import Path

import streamlit

page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.S | re.I)
print(" ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()
               for b in bodies))
