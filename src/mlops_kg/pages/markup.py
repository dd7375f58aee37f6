"""Escaping and templates for the HTML every page writes (graph pages, the site, the endpoint's
query page). The module imports only the standard library at load time (Jinja2 is imported
when a template is first rendered), so the endpoint imports it without networkx.

Every page of :mod:`mlops_kg.pages` is rendered from a Jinja2 template in ``templates/`` with
autoescaping on: a value reaches the page escaped by :func:`escape` unless it is already
:class:`markupsafe.Markup` (the JSON of :func:`script_json`, our own assets). Quotes are written
``&quot;`` and ``&#x27;`` as :func:`html.escape` writes them, on every page alike.
"""
from __future__ import annotations

import functools
import html
import json
from pathlib import Path

#: The folder of the page templates, shipped in the package.
TEMPLATE_DIR = Path(__file__).with_name("templates")


def escape(text) -> str:
    """HTML-escape any value for element content and quoted attributes.

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str
        ``&``, ``<``, ``>``, ``"`` and ``'`` written as character references.

    Examples
    --------
    >>> escape('<a href="x">O\\'Neil & co</a>')
    '&lt;a href=&quot;x&quot;&gt;O&#x27;Neil &amp; co&lt;/a&gt;'
    """
    return html.escape(str(text), quote=True)


def script_json(data, *, sort_keys: bool = True, separators=(",", ":")) -> str:
    """JSON that is safe inside a ``<script>`` element.

    No ``<``, ``>`` or ``&`` that could close it, nor the two line separators JavaScript once
    read as line ends. The graph pages write it compact with sorted keys; the endpoint's query
    page keeps its order and json's spacing.

    Parameters
    ----------
    data : object
        Anything :func:`json.dumps` accepts.
    sort_keys : bool
        Sort object keys (deterministic output).
    separators : tuple or None
        As for :func:`json.dumps`; None gives json's default spacing.

    Returns
    -------
    str
        The JSON text, read back in the page with ``JSON.parse``.

    Examples
    --------
    >>> script_json({"b": "</script>", "a": "x & y"})
    '{"a":"x \\\\u0026 y","b":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def _finalizer():
    """The templates' ``finalize``: every value a template prints is escaped the one way
    :func:`escape` does (markupsafe writes ``&#34;``/``&#39;``), what is already markup is left
    alone. Markup is imported once, not per value: a site prints half a million values."""
    from markupsafe import Markup

    def finalize(value):
        return value if isinstance(value, Markup) else Markup(escape(value))

    return finalize


@functools.lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment of the page templates (built once).

    Autoescaping is on for ``.html`` templates, undefined names are errors, and a template keeps
    its final newline, so a page ends as the template does.

    Returns
    -------
    jinja2.Environment
        Loads from :data:`TEMPLATE_DIR`; ``json`` is a filter giving :func:`script_json` as markup,
        ``join`` escapes its items as every other value is escaped.
    """
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                             autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, finalize=_finalizer())
    env.filters["json"] = lambda value: Markup(script_json(value))
    env.filters["join"] = _join
    return env


def _join(values, separator: str = ""):
    """Jinja's ``join`` escaping as :func:`escape` does (the built-in one escapes with markupsafe)."""
    from markupsafe import Markup

    return Markup(escape(separator).join(v if isinstance(v, Markup) else escape(v) for v in values))


def render(template: str, **context) -> str:
    """Render the page template ``template`` (a file name in ``templates/``) with ``context``.

    Parameters
    ----------
    template : str
        File name, e.g. ``"graph_page.html"``.
    **context
        The template's variables; plain values are escaped, :class:`markupsafe.Markup` is not.

    Returns
    -------
    str
        The page text.
    """
    return environment().get_template(template).render(**context)


def markup(text: str):
    """``text`` marked as safe HTML (our own asset files, already escaped fragments).

    Parameters
    ----------
    text : str
        HTML that must be written as it is.

    Returns
    -------
    markupsafe.Markup
    """
    from markupsafe import Markup

    return Markup(text)
