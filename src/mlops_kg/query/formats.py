"""Formatting query results: an aligned table for people, and the W3C formats for programs.

* SELECT: ``table``, ``csv`` / ``tsv`` (SPARQL 1.1 Query Results CSV and TSV), ``json``
  (SPARQL 1.1 Query Results JSON), ``xml`` (SPARQL Query Results XML);
* ASK: ``true`` / ``false`` for table, csv and tsv; JSON and XML as the W3C formats say;
* CONSTRUCT / DESCRIBE: ``ttl`` (Turtle), ``nt`` (N-Triples), ``jsonld``; ``table`` shows the
  triples as an s/p/o table.

The W3C formats are written by rdflib's result serialisers (``Result.serialize``: JSON, XML,
CSV) and graph serialisers (Turtle, JSON-LD). A result reaches this module as engine-neutral
rows of rdflib terms (:class:`mlops_kg.query.store.QueryResult`), already cut to a row cap, from
either embedded engine or a remote endpoint, and the endpoint renders leading parts of it to fit
a byte cap; pyoxigraph's own serialiser works only on the live ``QuerySolutions`` of a query
(it has no constructor), so rdflib's serves every engine and the bytes do not depend on the
engine. Own code remains where no library writes the format: the table, TSV results (rdflib
has no TSV serialiser), CSV/TSV for ASK (the formats have no boolean form), and N-Triples
(:mod:`mlops_kg.model.ntriples`, which escapes the line separators rdflib's writer leaves raw).
"""
from __future__ import annotations

import re

from ..errors import QueryError
from ..files import terminal_safe

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("ttl", "nt", "jsonld", "table")
ALL_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")


def short_name(term) -> str:
    """``term`` as a table shows it: an IRI under one of our prefixes as a prefixed name (the
    longest namespace wins), any other IRI in angle brackets, a blank node as ``_:label``, a
    literal as its lexical form, nothing for an unbound value.

    >>> from rdflib import Literal, URIRef
    >>> short_name(URIRef("https://w3id.org/mlops-kg/id/tool/mlflow"))
    'tool:mlflow'
    >>> short_name(URIRef("http://example.org/a/b")), short_name(Literal("MLflow")), short_name(None)
    ('<http://example.org/a/b>', 'MLflow', '')
    """
    from rdflib import BNode, URIRef

    from ..model.namespaces import PREFIXES

    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        best = None
        for prefix, ns in PREFIXES.items():
            ns = str(ns)
            local = text[len(ns):]
            if text.startswith(ns) and local and "/" not in local and "#" not in local:
                if best is None or len(ns) > len(str(PREFIXES[best])):
                    best = prefix
        return f"{best}:{text[len(str(PREFIXES[best])):]}" if best else f"<{text}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


#: A table is for a terminal: line breaks and tabs become spaces (they would break the
#: alignment); every other character a terminal acts on is escaped by ``terminal_safe``.
_LAYOUT = str.maketrans({c: " " for c in "\n\r\t"})
#: Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def table(result) -> str:
    """``result`` as an aligned text table for a terminal, with a row count (own code: no
    library writes this layout with :func:`mlops_kg.files.terminal_safe` cells).

    >>> from rdflib import Literal
    >>> from mlops_kg.query.store import QueryResult
    >>> print(table(QueryResult("select", variables=["label"], rows=[(Literal("MLflow"),)])))
    label
    ------
    MLflow
    (1 row)
    >>> table(QueryResult("ask", boolean=False))
    'false'
    """
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        headers, rows = ["subject", "predicate", "object"], [tuple(map(short_name, t)) for t in
                                                               sorted(result.triples)]
    else:
        headers, rows = result.variables, [tuple(short_name(t) for t in row) for row in result.rows]
    if not rows:
        return "(no results)"
    cells = [[terminal_safe(c.translate(_LAYOUT)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
    note = f"({len(rows)} row{'s' if len(rows) != 1 else ''}{', truncated' if result.truncated else ''})"
    return "\n".join(out + [note])


def _plain(term):
    """``term`` with an explicit ``xsd:string`` datatype dropped: RDF 1.1 makes the two the same
    literal, and the engines differ in which they hand back, so every format writes the short one."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _rdflib_result(result):
    """``result`` as an rdflib :class:`rdflib.query.Result`, for rdflib's result serialisers."""
    from rdflib import Variable
    from rdflib.query import Result

    if result.kind == "ask":
        out = Result("ASK")
        out.askAnswer = bool(result.boolean)
        return out
    out = Result("SELECT")
    out.vars = [Variable(v) for v in result.variables]
    out.bindings = [{var: _plain(term) for var, term in zip(out.vars, row) if term is not None}
                    for row in result.rows]
    return out


def delimited(result, sep: str) -> str:
    """SPARQL 1.1 CSV (``sep=","``) or TSV (``sep="\\t"``) results; ``true`` / ``false`` for an ASK.

    CSV is rdflib's serialiser (CRLF line ends, fields quoted where needed, blank nodes as
    ``_:label``). TSV is own code, since rdflib has none: ``?var`` headers and each term in
    N-Triples syntax, which escapes every character that would end a field, row or line.

    >>> from rdflib import Literal, URIRef
    >>> from mlops_kg.query.store import QueryResult
    >>> rows = [(URIRef("http://example.org/a"), Literal("a, b"))]
    >>> delimited(QueryResult("select", variables=["s", "l"], rows=rows), ",")
    's,l\\r\\nhttp://example.org/a,"a, b"\\r\\n'
    >>> delimited(QueryResult("select", variables=["s", "l"], rows=rows), "\\t")
    '?s\\t?l\\n<http://example.org/a>\\t"a, b"\\n'
    """
    if result.kind == "ask":  # the CSV and TSV results formats have no form for a boolean
        return "true" if result.boolean else "false"
    if sep == ",":
        return _rdflib_result(result).serialize(format="csv").decode("utf-8")
    from ..model.ntriples import term as nt_term

    # N-Triples term syntax is Turtle, as TSV results want, and escapes every character that
    # would end a row or a line (a language-tagged literal's n3() kept raw newlines).
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else nt_term(_plain(t)) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def json_results(result) -> str:
    """SPARQL 1.1 Query Results JSON, written by rdflib's serialiser.

    >>> import json
    >>> from mlops_kg.query.store import QueryResult
    >>> json.loads(json_results(QueryResult("ask", boolean=True)))
    {'head': {}, 'boolean': True}
    """
    return _rdflib_result(result).serialize(format="json").decode("utf-8")


def xml_results(result) -> str:
    """SPARQL Query Results XML, written by rdflib's serialiser; :class:`QueryError` when a
    literal holds a character XML 1.0 cannot carry at all.

    rdflib's writer (``xml.sax.saxutils.XMLGenerator``) leaves a carriage return in text raw,
    which XML readers turn into a line feed; it writes no line breaks of its own after the XML
    declaration, and escapes them in attributes, so every CR after that line is a literal's and
    becomes ``&#13;``.

    >>> from xml.etree import ElementTree
    >>> from rdflib import Literal
    >>> from mlops_kg.query.store import QueryResult
    >>> text = xml_results(QueryResult("select", variables=["l"], rows=[(Literal("a\\rb"),)]))
    >>> [e.text for e in ElementTree.fromstring(text).iter("{http://www.w3.org/2005/sparql-results#}literal")]
    ['a\\rb']
    """
    for row in result.rows if result.kind == "select" else ():
        for term in row:
            bad = None if term is None else _NOT_XML.search(str(term))
            if bad:
                raise QueryError(f"a result holds the character U+{ord(bad[0]):04X}, which XML cannot carry; "
                                 "use --format json, csv or tsv")
    declaration, _, body = _rdflib_result(result).serialize(format="xml").decode("utf-8").partition("\n")
    return declaration + "\n" + body.replace("\r", "&#13;")


def graph_text(result, fmt: str) -> str:
    """A CONSTRUCT / DESCRIBE result as Turtle (``ttl``), N-Triples (``nt``) or JSON-LD
    (``jsonld``, with our prefixes as its context)."""
    graph = result.graph()
    if fmt == "nt":
        from ..model.ntriples import triple_lines

        return "".join(triple_lines(graph))
    if fmt == "jsonld":
        from ..model.namespaces import PREFIXES

        text = graph.serialize(format="json-ld", context={p: str(n) for p, n in PREFIXES.items()},
                               indent=2)
        return stable_json(text)
    return graph.serialize(format="turtle")


def stable_json(text: str) -> str:
    """JSON-LD text with keys and unordered arrays sorted, so the same graph gives the same bytes.

    rdflib's JSON-LD writer follows the store's iteration order, which varies between runs; an
    ``@list`` keeps its order (it is an RDF collection).

    >>> stable_json('{"b": [2, 1], "a": {"@list": [2, 1]}}')
    '{\\n  "a": {\\n    "@list": [\\n      2,\\n      1\\n    ]\\n  },\\n  "b": [\\n    1,\\n    2\\n  ]\\n}\\n'
    """
    import json

    def canonical(value, ordered=False):
        if isinstance(value, dict):
            return {key: canonical(value[key], key == "@list") for key in sorted(value)}
        if isinstance(value, list):
            items = [canonical(item) for item in value]
            return items if ordered else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return value

    return json.dumps(canonical(json.loads(text)), indent=2, ensure_ascii=False) + "\n"


def format_result(result, fmt: str = "table") -> str:
    """Text of ``result`` in ``fmt`` (one of :data:`ALL_FORMATS`).

    Raises :class:`QueryError` when the format does not fit the result's form (``csv`` for a
    CONSTRUCT, ``ttl`` for a SELECT) or is unknown.

    >>> from mlops_kg.query.store import QueryResult
    >>> format_result(QueryResult("ask", boolean=True), "csv")
    'true'
    """
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"--format {fmt} does not fit a CONSTRUCT/DESCRIBE result; use ttl, nt, jsonld or table")
        return table(result) if fmt == "table" else graph_text(result, fmt)
    if fmt in ("ttl", "nt", "jsonld"):
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv, json or xml")
    if fmt == "table":
        return table(result)
    if fmt == "csv":
        return delimited(result, ",")
    if fmt == "tsv":
        return delimited(result, "\t")
    if fmt == "json":
        return json_results(result)
    if fmt == "xml":
        return xml_results(result)
    raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(ALL_FORMATS)}")
