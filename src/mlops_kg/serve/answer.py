"""Answering one query inside a worker process: parse, check it is safe and read-only, run
it, render it in the negotiated format within the row and byte limits. Also the limits'
defaults and bounds, which the CLI and the server share."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import MlopsKgError, QueryError
from .negotiate import CONTENT_TYPES, GRAPH_OFFERS, SELECT_OFFERS


DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_MEMORY_MB = 1024
#: None: one fewer than the workers, at least 1 (see :func:`client_quota`).
DEFAULT_CLIENT_QUERIES = None
#: Three, so that with the default quota one client address cannot take every worker and yet a
#: second client on the same address (every local client is 127.0.0.1) is still answered.
DEFAULT_WORKERS = 3
#: Seconds a client has to take a whole answer; then the connection is closed (a client that
#: never reads would otherwise hold a thread and the answer in memory).
SEND_TIMEOUT = 20.0

READ_ONLY = ("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
             "is not accepted; send a query (SELECT, ASK, CONSTRUCT, DESCRIBE) as query=")


class ServeError(MlopsKgError):
    """The endpoint cannot start: the address is in use or not valid, or a worker failed."""


def client_quota(workers: int, client_queries: int | None = DEFAULT_CLIENT_QUERIES) -> int:
    """Queries one client address may have running or waiting: ``client_queries``, or by
    default one fewer than ``workers`` (at least 1), so that one address can never hold every
    worker while others wait, yet one slow query leaves room for the same address's next one."""
    return max(1, workers - 1) if client_queries is None else client_queries


# --- answering one query (runs inside a worker process) --------------------------------------

@dataclass
class Reply:
    """What a worker sends back: an HTTP status, a content type and a body."""

    status: int
    content_type: str
    body: bytes
    cut_by: str | None = None  # "rows" or "bytes": the limit that cut the answer; None: whole

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        """A plain-text reply of one line, ``message`` flattened (:func:`one_line`)."""
        return cls(status, "text/plain; charset=utf-8", (one_line(message) + "\n").encode("utf-8"))


def one_line(message: str, limit: int = 2000) -> str:
    """``message`` on one line (runs of whitespace, line breaks included, become one space), cut
    to ``limit`` characters with ``...``.

    >>> one_line("bad\\n  query", limit=8)
    'bad q...'
    """
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def answer_request(store, loaded_graphs, request: dict) -> Reply:
    """The worker pool's handler (:class:`mlops_kg.query.workers.WorkerPool`): answer one
    request of the HTTP handler, a dict with ``query`` and the keyword arguments of
    :func:`answer_query`."""
    options = dict(request)
    return answer_query(store, loaded_graphs, options.pop("query"), **options)


def answer_query(store, loaded_graphs, text: str, *, default_graphs=None, named_graphs=None,
                 formats=None, max_rows: int | None = DEFAULT_MAX_ROWS,
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Reply:
    """Parse, check and run ``text`` on ``store`` and format the answer as an HTTP reply.

    Everything that could make the server fetch a URL or read a file is refused before the
    query runs: SERVICE, and FROM / FROM NAMED / ``default_graphs`` / ``named_graphs`` naming a
    graph not in ``loaded_graphs``. ``formats`` maps ``"select"`` (also used for ASK) and
    ``"graph"`` (CONSTRUCT, DESCRIBE) to a format key or None (406); by default JSON / Turtle.
    An answer is cut to its first ``max_rows`` rows (or triples), and then to the first rows
    whose formatted answer fits in ``max_bytes`` (none, if the first does not fit).
    """
    from ..query.sparql import check_safe, is_update, parse_query

    formats = formats or {"select": "json", "graph": "ttl"}
    try:
        parsed = parse_query(text)
    except QueryError as exc:
        if is_update(text):
            return Reply.error(403, READ_ONLY)
        return Reply.error(400, str(exc))
    loaded = set(loaded_graphs)
    try:
        check_safe(parsed, loaded)
    except QueryError as exc:
        return Reply.error(400, str(exc))
    for param, iris in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in iris or []:
            if iri not in loaded:
                return Reply.error(400, f"{param} <{iri}> names a graph that is not loaded; "
                                        f"loaded graphs: {', '.join(sorted(loaded))}")
    key = "graph" if parsed.returns_graph else "select"
    fmt = formats.get(key)
    if fmt is None:
        offers = GRAPH_OFFERS if key == "graph" else SELECT_OFFERS
        return Reply.error(406, f"no acceptable format for a {parsed.kind.upper()} result; this endpoint "
                                f"offers {', '.join(m[0] for m in offers.values())} (Accept header or format=)")
    if default_graphs is not None or named_graphs is not None:
        dataset = (list(default_graphs or []), list(named_graphs or []))
    elif parsed.from_graphs or parsed.from_named_graphs:
        dataset = (parsed.from_graphs, parsed.from_named_graphs)
    else:
        dataset = None
    try:
        result = _execute(store, parsed, dataset, max_rows)
        cut_by = "rows" if result.truncated else None
        body = _render(result, fmt)
        if max_bytes is not None and len(body) > max_bytes:
            body = _fit(result, fmt, max_bytes)
            cut_by = "bytes"
    except QueryError as exc:
        return Reply.error(400, str(exc))
    except MemoryError:
        return Reply.error(503, "the query needed more memory than a query worker may use (serve "
                                "--max-memory); narrow it down")
    except Exception as exc:  # noqa: BLE001 - an engine bug must become a 500, not a dead worker
        return Reply.error(500, f"internal error while running the query ({type(exc).__name__}: "
                                f"{one_line(exc, 200)})")
    return Reply(200, CONTENT_TYPES[fmt], body, cut_by)


def _render(result, fmt: str) -> bytes:
    from ..query.formats import format_result

    text = result.graph().serialize(format="xml") if fmt == "rdfxml" else format_result(result, fmt)
    return text.encode("utf-8")


def _fit(result, fmt: str, max_bytes: int) -> bytes:
    """The answer cut to the most leading rows (or triples) whose rendering fits in ``max_bytes``."""
    import dataclasses

    field = "triples" if result.kind == "graph" else "rows"
    items = getattr(result, field)

    def render(count: int) -> bytes:
        return _render(dataclasses.replace(result, **{field: items[:count]}, truncated=True), fmt)

    # first a cut by the length of the terms, which a rendering of them hardly ever undercuts
    # (prefixed names in Turtle do), so the search below renders bounded answers only
    total, high = 0, len(items)
    for index, item in enumerate(items):
        total += sum(len(term) for term in item if term is not None)
        if total > 2 * max_bytes:
            high = index
            break
    low, best = 0, render(0)
    if len(best) > max_bytes:  # not even the empty answer: headers of a very wide SELECT
        return best
    while low < high:  # the most rows that fit
        middle = (low + high + 1) // 2
        body = render(middle)
        if len(body) <= max_bytes:
            low, best = middle, body
        else:
            high = middle - 1
    return best


def _execute(store, parsed, dataset, max_rows):
    """Run on the store's union default graph, or on an explicit dataset ``(defaults, named)``
    from the protocol's default-graph-uri / named-graph-uri parameters. The store is given the
    parsed query itself, so it runs the text that was checked without parsing it again."""
    return store.query(parsed, max_rows=max_rows, dataset=dataset)
