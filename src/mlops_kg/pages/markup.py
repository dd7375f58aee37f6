"""Escaping for the HTML every page writes (graph pages, the site, the endpoint's query page).
Standard library only, so the endpoint imports it without networkx."""
from __future__ import annotations

import html
import json


def escape(text) -> str:
    """HTML-escape any value for element content and quoted attributes."""
    return html.escape(str(text), quote=True)


def script_json(data, *, sort_keys: bool = True, separators=(",", ":")) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` that could close
    it, nor the two line separators JavaScript once read as line ends. The graph pages write it
    compact with sorted keys; the endpoint's query page keeps its order and json's spacing."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text
