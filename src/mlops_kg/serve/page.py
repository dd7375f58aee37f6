"""The query page at ``/``: one self-contained HTML page (inline CSS and JS, nothing
external), with example queries as buttons."""
from __future__ import annotations

import html

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


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlops-kg SPARQL</title>
<style nonce="{nonce}">
  body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }}
  h1 {{ font-size: 1.4rem; margin: 0 0 .3rem; }}
  .note {{ color: #555; margin: .2rem 0 .8rem; }}
  textarea {{ width: 100%; box-sizing: border-box; min-height: 14rem; font: 13px/1.4 ui-monospace, monospace; padding: .5rem; }}
  .examples button {{ margin: 0 .3rem .3rem 0; font-size: 12px; }}
  .bar {{ display: flex; gap: .8rem; align-items: center; margin: .5rem 0; }}
  #run {{ font-size: 1rem; padding: .3rem 1.4rem; }}
  #status {{ color: #555; }}
  #error {{ color: #a00; white-space: pre-wrap; font-family: ui-monospace, monospace; }}
  table {{ border-collapse: collapse; font-size: 13px; }}
  th, td {{ border: 1px solid #ccc; padding: .2rem .45rem; text-align: left; vertical-align: top; }}
  th {{ background: #f2f2f2; position: sticky; top: 0; }}
  td .meta {{ color: #888; font-size: 11px; }}
  pre {{ background: #f6f6f6; padding: .6rem; overflow: auto; font-size: 12px; }}
  code {{ background: #f2f2f2; padding: 0 .2rem; }}
</style>
</head>
<body>
<h1>mlops-kg SPARQL endpoint</h1>
<p class="note">Read-only SPARQL 1.1 over the MLOps knowledge graph ({graph_count} named graphs; the default graph
is their union). Prefixes such as <code>mlo:</code>, <code>tool:</code> and <code>skos:</code> are predeclared.
Each query is stopped after {timeout} s and returns at most {max_rows} rows. Programs use
<code>{endpoint}</code> (GET or POST <code>query=</code>).</p>
<div class="examples" id="examples"></div>
<textarea id="query" spellcheck="false" aria-label="SPARQL query">{query}</textarea>
<div class="bar"><button id="run" type="button">Run</button><span id="status"></span></div>
<div id="error" role="alert"></div>
<div id="result"></div>
<script type="application/json" id="example-data">{examples_json}</script>
<script type="application/json" id="prefix-data">{prefixes_json}</script>
<script nonce="{nonce}">
(function () {{
  "use strict";
  var examples = JSON.parse(document.getElementById("example-data").textContent);
  var prefixes = JSON.parse(document.getElementById("prefix-data").textContent);
  var box = document.getElementById("query");
  var statusLine = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var resultBox = document.getElementById("result");
  var bar = document.getElementById("examples");

  examples.forEach(function (example) {{
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = example.name;
    if (example.title) {{ button.title = example.title; }}
    button.addEventListener("click", function () {{ box.value = example.query; run(); }});
    bar.appendChild(button);
  }});

  function shorten(iri) {{
    var best = null;
    Object.keys(prefixes).forEach(function (p) {{
      var ns = prefixes[p];
      var local = iri.slice(ns.length);
      if (iri.indexOf(ns) === 0 && local && !/[\\/#]/.test(local) && (!best || ns.length > prefixes[best].length)) {{
        best = p;
      }}
    }});
    return best ? best + ":" + iri.slice(prefixes[best].length) : "<" + iri + ">";
  }}

  function cell(term) {{
    var td = document.createElement("td");
    if (!term) {{ return td; }}
    if (term.type === "uri") {{
      td.textContent = shorten(term.value);
      td.title = term.value;
    }} else if (term.type === "bnode") {{
      td.textContent = "_:" + term.value;
    }} else {{
      td.appendChild(document.createTextNode(term.value));
      var meta = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? " " + shorten(term.datatype) : "");
      if (meta) {{
        var span = document.createElement("span");
        span.className = "meta";
        span.textContent = meta;
        td.appendChild(span);
      }}
    }}
    return td;
  }}

  function clear(node) {{ while (node.firstChild) {{ node.removeChild(node.firstChild); }} }}

  function showTable(data) {{
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v) {{
      var th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }});
    var body = table.createTBody();
    data.results.bindings.forEach(function (row) {{
      var tr = body.insertRow();
      data.head.vars.forEach(function (v) {{ tr.appendChild(cell(row[v])); }});
    }});
    resultBox.appendChild(table);
    return data.results.bindings.length;
  }}

  function run() {{
    clear(errorBox); clear(resultBox);
    statusLine.textContent = "running\\u2026";
    var started = Date.now();
    fetch("sparql", {{
      method: "POST",
      headers: {{ "Accept": "application/sparql-results+json, text/turtle;q=0.9",
                 "Content-Type": "application/x-www-form-urlencoded" }},
      body: new URLSearchParams({{ query: box.value }})
    }}).then(function (response) {{
      return response.text().then(function (text) {{
        var ms = Date.now() - started;
        if (!response.ok) {{
          statusLine.textContent = "";
          errorBox.textContent = response.status + " " + response.statusText + ": " + text;
          return;
        }}
        var truncated = response.headers.get("X-Result-Truncated") === "true";
        var type = response.headers.get("Content-Type") || "";
        var summary;
        if (type.indexOf("json") >= 0) {{
          var data = JSON.parse(text);
          if (typeof data.boolean === "boolean") {{
            var answer = document.createElement("p");
            answer.textContent = "ASK: " + data.boolean;
            resultBox.appendChild(answer);
            summary = "answered";
          }} else {{
            var n = showTable(data);
            summary = n + (n === 1 ? " row" : " rows");
          }}
        }} else {{
          var pre = document.createElement("pre");
          pre.textContent = text;
          resultBox.appendChild(pre);
          summary = "graph";
        }}
        statusLine.textContent = summary + (truncated ? " (truncated to the row limit)" : "") + " in " + ms + " ms";
      }});
    }}).catch(function (err) {{
      statusLine.textContent = "";
      errorBox.textContent = "request failed: " + err;
    }});
  }}

  document.getElementById("run").addEventListener("click", run);
  box.addEventListener("keydown", function (event) {{
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {{ event.preventDefault(); run(); }}
  }});
}}());
</script>
</body>
</html>
"""


def render_page(examples, *, nonce: str, timeout: float, max_rows: int, graphs=(), endpoint: str = "/sparql") -> str:
    """The query page: self-contained HTML (inline CSS and JS, no external resources)."""
    from ..model.namespaces import PREFIXES

    return _PAGE.format(
        nonce=html.escape(nonce), timeout=html.escape(f"{timeout:g}"), max_rows=html.escape(str(max_rows)),
        graph_count=len(list(graphs)), endpoint=html.escape(endpoint),
        query=html.escape(examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        examples_json=_script_json(list(examples)),
        prefixes_json=_script_json({p: str(ns) for p, ns in PREFIXES.items()}))
