"""Formatting query results: an aligned table for people, and the W3C formats for programs.

* SELECT: ``table``, ``csv`` / ``tsv`` (SPARQL 1.1 Query Results CSV and TSV), ``json``
  (SPARQL 1.1 Query Results JSON), ``xml`` (SPARQL Query Results XML);
* ASK: ``true`` / ``false`` for table, csv and tsv; JSON and XML as the W3C formats say;
* CONSTRUCT / DESCRIBE: ``ttl`` (Turtle), ``nt`` (N-Triples), ``jsonld``; ``table`` shows the
  triples as an s/p/o table.
"""
from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ..errors import QueryError
from ..files import terminal_safe

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("ttl", "nt", "jsonld", "table")
ALL_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")

def _short(term) -> str:
    from rdflib import BNode, Literal, URIRef

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
    if isinstance(term, Literal):
        return str(term)
    return str(term)


#: A table is for a terminal: line breaks and tabs become spaces (they would break the
#: alignment); every other character a terminal acts on is escaped by ``terminal_safe``.
_LAYOUT = str.maketrans({c: " " for c in "\n\r\t"})
#: Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def table(result) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        headers, rows = ["subject", "predicate", "object"], [tuple(map(_short, t)) for t in
                                                               sorted(result.triples)]
    else:
        headers, rows = result.variables, [tuple(_short(t) for t in row) for row in result.rows]
    if not rows:
        return "(no results)"
    cells = [[terminal_safe(c.translate(_LAYOUT)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
    note = f"({len(rows)} row{'s' if len(rows) != 1 else ''}{', truncated' if result.truncated else ''})"
    return "\n".join(out + [note])


def _csv_value(term) -> str:
    return "" if term is None else str(term)


def _tsv_value(term) -> str:
    from ..model.ntriples import term as nt_term

    # N-Triples term syntax is Turtle, as TSV results want, and escapes every character that
    # would end a row or a line (a language-tagged literal's n3() kept raw newlines).
    return "" if term is None else nt_term(term)


def delimited(result, sep: str) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    buffer = io.StringIO()
    if sep == ",":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([_csv_value(t) for t in row])
        return buffer.getvalue()
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_tsv_value(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = str(term.datatype)
    return out


def json_results(result) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2)
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None}
                for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      indent=2, ensure_ascii=False)


def xml_results(result) -> str:
    from rdflib import BNode, Literal, URIRef

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    if result.kind == "ask":
        out += ["  </head>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for var, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, URIRef):
                value = f"<uri>{xml_escape(str(term))}</uri>"
            elif isinstance(term, BNode):
                value = f"<bnode>{xml_escape(str(term))}</bnode>"
            else:
                attrs = ""
                if isinstance(term, Literal) and term.language:
                    attrs = f" xml:lang={quoteattr(term.language)}"
                elif isinstance(term, Literal) and term.datatype is not None:
                    attrs = f" datatype={quoteattr(str(term.datatype))}"
                bad = _NOT_XML.search(str(term))
                if bad:
                    raise QueryError(f"a result holds the character U+{ord(bad[0]):04X}, which XML cannot carry; "
                                     "use --format json, csv or tsv")
                value = f"<literal{attrs}>{xml_escape(str(term), {chr(13): '&#13;'})}</literal>"  # XML reads a raw CR as LF
            out.append(f"      <binding name={quoteattr(var)}>{value}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def graph_text(result, fmt: str) -> str:
    graph = result.graph()
    if fmt == "nt":
        from ..model.ntriples import triple_lines

        return "".join(triple_lines(graph))
    if fmt == "jsonld":
        from ..model.namespaces import PREFIXES

        return graph.serialize(format="json-ld", context={p: str(n) for p, n in PREFIXES.items()},
                               indent=2)
    return graph.serialize(format="turtle")


def format_result(result, fmt: str = "table") -> str:
    """Text of ``result`` in ``fmt``; raises QueryError when the format does not fit the form."""
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
