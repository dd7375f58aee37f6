"""Named queries (``queries/*.rq``) and running any query with parameters.

A named query file starts with a comment header::

    # One or more lines saying what the query answers.
    #
    # @param tool tool  What the parameter means.
    # @example mlops-kg query alternatives --param tool=mlflow

``@param NAME KIND DESCRIPTION`` declares ``?NAME``; KIND says how a value given on the command
line is turned into an RDF term: ``tool`` / ``capability`` / ``industry`` / ``language`` /
``provider`` / ``service`` / ``framework`` / ``node`` resolve a name or alias to a node of that
kind (case- and punctuation-insensitive); ``string``, ``integer`` and ``iri`` are taken as they
are. Values are bound by the query engine, never pasted into the query text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QueryError

VALUE_KINDS = ("string", "integer", "iri")


@dataclass(frozen=True)
class Param:
    """A parameter a named query declares with ``@param NAME KIND DESCRIPTION``."""
    name: str
    kind: str
    description: str


@dataclass
class NamedQuery:
    """A query to run: a named query (``queries/NAME.rq``), a ``.rq`` file or inline text.

    Attributes
    ----------
    name, path, text
        Its name (``"inline"`` for text), file (``-`` for text) and SPARQL text.
    description
        What its header comment says it answers.
    params, examples
        Its ``@param`` and ``@example`` header lines.
    """
    name: str
    path: Path
    text: str
    description: str
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The description's first sentence."""
        return self.description.split(". ")[0].rstrip(".")

    @property
    def cap(self) -> int | None:
        """The row cap of a list query (its largest ``LIMIT`` of 100 or more), else None: a
        top-N ranking's small LIMIT is what it asks for, not a cut."""
        from .sparql import code_tokens

        code = list(code_tokens(self.text))
        limits = [int(n.text) for word, n in zip(code, code[1:])
                  if word.is_word("LIMIT") and n.text.isdigit() and int(n.text) >= 100]
        return max(limits) if limits else None


_PARAM = re.compile(r"^@param\s+(\w+)\s+(\w+)\s*(.*)$")


def parse_header(name: str, path: Path, text: str) -> NamedQuery:
    """A :class:`NamedQuery` from query ``text`` and its leading comment header (description,
    ``@param`` and ``@example`` lines); :class:`QueryError` for a malformed ``@param`` line.

    >>> q = parse_header("q", Path("q.rq"), "# Tools.\\n# @param tool tool The tool.\\nSELECT * { }")
    >>> q.description, q.params
    ('Tools.', [Param(name='tool', kind='tool', description='The tool.')])
    """
    description, params, examples = [], [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("#"):
            if line:
                break
            continue
        body = line.lstrip("#").strip()
        if body.startswith("@param"):
            match = _PARAM.match(body)
            if not match:
                raise QueryError(f"{path}: bad @param line {body!r}; write '@param NAME KIND DESCRIPTION'")
            params.append(Param(*match.groups()))
        elif body.startswith("@example"):
            examples.append(body.removeprefix("@example").strip())
        elif body:
            description.append(body)
    return NamedQuery(name, path, text, " ".join(description), params, examples)


def query_dir() -> Path:
    """The folder of the shipped named queries (``queries/``, in the wheel or the checkout)."""
    from ..model.resources import data_dir

    return data_dir("queries")


def list_queries(directory=None) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    directory = Path(directory) if directory else query_dir()
    return [parse_header(p.stem, p, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory=None) -> NamedQuery:
    """The named query ``name``; :class:`QueryError` naming close matches (or all) when unknown."""
    queries = list_queries(directory)
    for query in queries:
        if query.name == name:
            return query
    import difflib

    known = [q.name for q in queries]
    close = difflib.get_close_matches(name.lower().replace("_", "-"), known, n=3, cutoff=0.75)
    if close:
        raise QueryError(f"unknown named query {name!r}. Did you mean: {', '.join(close)}? (see `mlops-kg queries`)")
    raise QueryError(f"unknown named query {name!r}; named queries: {', '.join(known)} (see `mlops-kg queries`)")


def resolve_query(spec: str, directory=None) -> NamedQuery:
    """``spec`` is a named query, a ``.rq`` file, or inline SPARQL text."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec.strip()):
        return get_query(spec.strip(), directory)
    path = Path(spec.strip())
    # SPARQL text has a group in braces, and mostly whitespace: one word without is a file's path
    if spec.endswith(".rq") or not re.search(r"[\s{]", spec.strip()):
        from ..files import read_text

        if not path.exists() and re.fullmatch(r"[A-Za-z0-9_-]+", path.stem) and any(
                q.name == path.stem for q in list_queries(directory)):
            raise QueryError(f"{spec}: file not found; to run the named query, write {path.stem}")
        text = read_text(path, expected="a SPARQL query file", error=QueryError)
        return parse_header(path.stem, path, text)
    return NamedQuery("inline", Path("-"), spec, "inline query", _declared_params(spec))


def _declared_params(text: str) -> list[Param]:
    """Inline queries and .rq files may use @param headers too; otherwise params are strings."""
    return parse_header("inline", Path("-"), text).params


def parse_param_args(pairs) -> dict[str, str]:
    """``["tool=mlflow", ...]`` → ``{"tool": "mlflow"}``; raise on a malformed pair."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", key):
            raise QueryError(f"bad --param {pair!r}; write NAME=VALUE, e.g. --param tool=mlflow")
        if key in out:
            raise QueryError(f"--param {key} is given twice; give it once")
        out[key] = value
    return out


def bind_params(query: NamedQuery, values: dict[str, str], resolver) -> dict:
    """Turn ``--param`` strings into RDF terms, checking names against the query's @params.

    ``resolver`` is a :class:`mlops_kg.sources.resolve.Resolver` for name-valued kinds.
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    declared = {p.name: p for p in query.params}
    if values and not query.params and query.name != "inline" and query.path.parent == query_dir():
        raise QueryError(f"query {query.name!r} takes no parameters; remove --param")
    if query.params:
        unknown = sorted(set(values) - set(declared))
        if unknown:
            listing = ", ".join(f"{p.name} ({p.kind})" for p in query.params)
            raise QueryError(f"unknown parameter {unknown[0]!r} for query {query.name!r}; it takes: {listing}")
        missing = [p.name for p in query.params if p.name not in values]
        if missing:
            raise QueryError(f"query {query.name!r} needs --param {missing[0]}=... "
                             f"({declared[missing[0]].description or declared[missing[0]].kind})")
    from .sparql import code_tokens

    used = {t.text[1:] for t in code_tokens(query.text) if t.kind == "var"}
    for name in values:
        if name not in declared and name not in used:
            raise QueryError(f"--param {name}: the query has no ?{name}; bind a variable it uses")
    bindings = {}
    for name, value in values.items():
        kind = declared[name].kind if name in declared else "string"
        if name not in declared and re.fullmatch(r"<[^<>]*>", value.strip()):
            kind, value = "iri", value.strip()[1:-1]  # an undeclared parameter written as <IRI>
        if kind == "string":
            bindings[name] = Literal(value)
        elif kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise QueryError(f"--param {name} must be an integer, got {value!r}")
            bindings[name] = Literal(int(value), datatype=XSD.integer)
        elif kind == "iri":
            if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
                raise QueryError(f"--param {name} must be an absolute IRI, got {value!r}")
            bindings[name] = URIRef(value)
        else:
            bindings[name] = resolver.resolve(value, kind)
    return bindings


def run_query(store, spec: str, params: dict[str, str] | None = None, *, max_rows=None, directory=None):
    """Run a named query, ``.rq`` file or inline SPARQL on ``store`` with ``params``.

    Returns ``(NamedQuery, QueryResult)``.
    """
    from ..sources.resolve import Resolver
    from .sparql import check_safe, parse_query

    query = resolve_query(spec, directory)
    parsed = parse_query(query.text)  # syntax errors with line and column, before anything runs
    check_safe(parsed, store.graph_names())  # offline: no SERVICE, no FROM <url> to fetch
    bindings = bind_params(query, params or {}, Resolver.for_store(store))
    # the canonical text parse_query checked is what runs, never the text as given
    return query, store.query(parsed, bindings, max_rows=max_rows)


def run_request(store, loaded_graphs, request: dict):
    """A worker's handler (:class:`mlops_kg.query.workers.WorkerPool`) for ``mlops-kg query
    --timeout``: :func:`run_query` with ``request["query"]`` and ``request["params"]``.

    Returns ``("ok", NamedQuery, QueryResult)``, or ``("error", message, exit_code)`` for a
    :class:`~mlops_kg.errors.MlopsKgError` (sent as text: not every error class can be rebuilt
    from its message); :func:`reply_result` turns either back into a result or the error.
    """
    from ..errors import MlopsKgError

    try:
        named, result = run_query(store, request["query"], request.get("params") or {})
    except MlopsKgError as exc:
        return ("error", str(exc), exc.exit_code)
    return ("ok", named, result)


def reply_result(reply) -> tuple:
    """``(NamedQuery, QueryResult)`` from a :func:`run_request` reply, or its error raised as a
    :class:`QueryError` with the same message and exit code."""
    if reply[0] == "ok":
        return reply[1], reply[2]
    error = QueryError(reply[1])
    error.exit_code = reply[2]
    raise error
