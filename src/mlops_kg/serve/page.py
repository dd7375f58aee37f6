"""The query page at ``/``: one self-contained HTML page (inline CSS and JS, nothing
external), with example queries as buttons, rendered from templates/query_page.html."""
from __future__ import annotations

import functools
from pathlib import Path

from ..errors import MlopsKgError


def example_queries() -> list[dict]:
    """Queries offered as buttons on the page: a few fixed ones, then the named queries that
    take no parameters."""
    from ..query.named import list_queries

    examples = [
        {"name": "tools", "query": "SELECT ?tool ?label WHERE {\n  ?tool a mlo:Tool ; skos:prefLabel ?label .\n}\n"
                                   "ORDER BY LCASE(STR(?label))\nLIMIT 50\n"},
        {"name": "alternatives of MLflow",
         "query": "SELECT ?alternative ?label WHERE {\n  tool:mlflow mlo:isAlternativeTo ?alternative .\n"
                  "  ?alternative skos:prefLabel ?label .\n}\nORDER BY LCASE(STR(?label))\n"},
        {"name": "triples per graph",
         "query": "SELECT ?graph (COUNT(*) AS ?triples) WHERE {\n  GRAPH ?graph { ?s ?p ?o }\n}\n"
                  "GROUP BY ?graph\nORDER BY ?graph\n"},
        {"name": "is MLflow open source? (ASK)", "query": "ASK { tool:mlflow mlo:deliveryModel mlo:OpenSource }\n"},
        {"name": "MLflow's triples (CONSTRUCT)",
         "query": "CONSTRUCT { tool:mlflow ?p ?o }\nWHERE { tool:mlflow ?p ?o }\n"},
    ]
    try:
        named = [q for q in list_queries() if not q.params]
    except MlopsKgError:
        named = []
    return examples + [{"name": q.name, "title": q.description, "query": q.text} for q in named]


def _script_json(value) -> str:
    from ..pages.markup import script_json

    return script_json(value, sort_keys=False, separators=None)


@functools.lru_cache(maxsize=1)
def _template():
    """The page template (templates/query_page.html), read once. Autoescaping is on; every value
    is escaped with :func:`mlops_kg.pages.markup.escape` (``&quot;``/``&#x27;`` for quotes, as
    every other page writes them) unless it is already markup (the JSON, made safe for a
    ``<script>`` element by ``script_json``)."""
    import jinja2
    from markupsafe import Markup

    from ..pages.markup import escape

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                             autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                             finalize=lambda value: value if isinstance(value, Markup) else Markup(escape(value)))
    return env.get_template("query_page.html")


def render_page(examples, *, nonce: str, timeout: float, max_rows: int, graphs=(), endpoint: str = "/sparql") -> str:
    """The query page: self-contained HTML (inline CSS and JS, no external resources)."""
    from markupsafe import Markup

    from ..model.namespaces import PREFIXES

    return _template().render(
        nonce=nonce, timeout=f"{timeout:g}", max_rows=max_rows, graph_count=len(list(graphs)), endpoint=endpoint,
        query=examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        examples_json=Markup(_script_json(list(examples))),
        prefixes_json=Markup(_script_json({p: str(ns) for p, ns in PREFIXES.items()})))
