"""Parsing and inspecting SPARQL before it runs: syntax errors with line and column, the query
form, and the features an endpoint must refuse (SERVICE, FROM / FROM NAMED, updates).

Our prefixes (``mlo:``, ``tool:``, ``skos:``, …) are predeclared: a query may use them without
``PREFIX`` lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import QueryError
from .namespaces import PREFIXES

#: SPARQL tokens in which nothing is SPARQL: a comment, a string, an IRI (regex sources, shared
#: with the tokenizer in :mod:`mlops_kg.remote`).
COMMENT = r"""\#[^\n]*"""
STRING = "|".join([r"'''.*?'''", r'""".*?"""', r"'(?:[^'\\\n]|\\.)*'", r'"(?:[^"\\\n]|\\.)*"'])
IRI_REF = r"""<[^<>"{}|^`\\\s]*>"""
#: Comments, strings and IRIs: where a word such as LIMIT is not SPARQL.
NOT_CODE = re.compile(f"{COMMENT}|{STRING}|{IRI_REF}", re.S)


_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
          "DescribeQuery": "describe"}


@dataclass
class ParsedQuery:
    text: str
    kind: str  # select | ask | construct | describe
    prepared: object  # rdflib's prepared Query (parsed once, reusable)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    uses_service: bool = False

    @property
    def returns_graph(self) -> bool:
        return self.kind in ("construct", "describe")


def _names(node):
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _names(value)


def prefix_map() -> dict[str, str]:
    return {p: str(ns) for p, ns in PREFIXES.items()}


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text`` as a SPARQL 1.1 query; raise :class:`QueryError` with line and column."""
    from rdflib.plugins.sparql import prepareQuery

    if not text or not text.strip():
        raise QueryError("empty query; give SPARQL text, a .rq file or the name of a named query")
    try:
        prepared = prepareQuery(text, initNs=prefix_map())
    except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise several kinds
        raise QueryError(_syntax_message(text, exc)) from None
    algebra = prepared.algebra
    from_graphs, from_named = [], []
    for clause in algebra.get("datasetClause") or []:
        # CompValue.get returns the key itself when it is missing, so test membership.
        if "default" in clause:
            from_graphs.append(str(clause["default"]))
        if "named" in clause:
            from_named.append(str(clause["named"]))
    return ParsedQuery(text=text, kind=_FORMS.get(algebra.name, algebra.name), prepared=prepared,
                       from_graphs=from_graphs, from_named_graphs=from_named,
                       uses_service="ServiceGraphPattern" in set(_names(algebra)))


def _syntax_message(text: str, exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    if is_update(text):
        return "this is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
    unknown = re.search(r"Unknown namespace prefix : (\S*)", str(exc))
    if unknown:
        prefix = unknown.group(1)
        at = re.search(rf"(?<![\w:-]){re.escape(prefix)}:", text)
        if at:
            line = text.count("\n", 0, at.start()) + 1
            col = at.start() - (text.rfind("\n", 0, at.start()) + 1) + 1
        known = ", ".join(sorted(PREFIXES))
        where = f" at line {line}, column {col}" if at else ""
        return (f"malformed SPARQL{where}: unknown prefix '{prefix}:'; "
                f"declare it with PREFIX or use a predeclared one ({known})")
    why = getattr(exc, "msg", None) or str(exc).splitlines()[0]
    if re.match(r"Expected \{?SelectQuery \|", why):
        why = "expected SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX lines)"
    elif why == "Expected SelectQuery":  # the parser's name for "the query stops making sense here"
        why = "the query does not parse from here"
    where = f" at line {line}, column {col}" if line else ""
    near = ""
    if line and col:
        rest = text.splitlines()[line - 1][col - 1:].strip() if line <= len(text.splitlines()) else ""
        near = f", near {rest[:30]!r}" if rest else ", at the end of the line"
    return f"malformed SPARQL{where}{near}: {why}"


def is_update(text: str) -> bool:
    """True when ``text`` parses as a SPARQL 1.1 Update (INSERT, DELETE, LOAD, CLEAR, ...)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update
        return False
    return bool(parsed.get("request"))


def check_safe(parsed: ParsedQuery, loaded_graphs) -> None:
    """Refuse what could make the server fetch a URL or read a file: SERVICE, and FROM /
    FROM NAMED naming a graph that is not loaded (rdflib would try to fetch it)."""
    if parsed.uses_service:
        raise QueryError("SERVICE is not allowed: this endpoint never calls other endpoints")
    loaded = set(loaded_graphs)
    for iri in parsed.from_graphs + parsed.from_named_graphs:
        if iri not in loaded:
            raise QueryError(f"FROM <{iri}> names a graph that is not loaded; loaded graphs: "
                             + ", ".join(sorted(loaded)))


def star_order(text: str, variables: list[str]) -> list[str]:
    """For ``SELECT *``, ``variables`` in the order they first appear in the query (the order
    rdflib gives; SPARQL leaves it open and Oxigraph's differs); any other query's as given."""
    code = NOT_CODE.sub(" ", text)
    select = re.search(r"\bSELECT\b", code, re.I)  # the query's own, not a subquery's
    if not select or not re.match(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", code[select.start():], re.I):
        return variables
    first = {}
    for match in re.finditer(r"[?$](\w+)", code):
        first.setdefault(match[1], match.start())
    return sorted(variables, key=lambda v: (first.get(v, len(code)), v))
