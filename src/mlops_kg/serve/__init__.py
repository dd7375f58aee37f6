"""A read-only SPARQL 1.1 HTTP endpoint over the built graph, with a small query page at ``/``.

Standard library only (:mod:`http.server`). The HTTP threads never evaluate SPARQL: each query is
parsed, checked and run in one of a pool of worker *processes* (``multiprocessing`` "spawn"),
each holding its own copy of the graph (:func:`mlops_kg.query.store.open_store`). A query that runs
past the time limit is stopped by killing its worker, and a fresh worker takes its place, so one
runaway query neither blocks other clients nor keeps burning CPU (neither rdflib nor pyoxigraph
can cancel a query).

Protocol (SPARQL 1.1 Protocol, query operation only):

* ``GET /sparql?query=...``, ``POST /sparql`` with ``application/x-www-form-urlencoded``
  (``query=...``) or ``application/sparql-query`` (the query as the body);
  ``default-graph-uri`` / ``named-graph-uri`` select the dataset like FROM / FROM NAMED;
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle);
* results by ``Accept`` (q-values honoured) or ``format=`` (``json``, ``xml``, ``csv``, ``tsv``;
  ``ttl``, ``nt``, ``jsonld``, ``rdfxml``);
* ``GET /``: a self-contained HTML page to type and run queries (no external resources).

Status codes (bodies are one line of plain text): 200 · 400 malformed query, SERVICE, FROM /
FROM NAMED / dataset parameters naming a graph that is not loaded, missing or repeated
``query`` · 403 SPARQL Update (``update=``, ``application/sparql-update``, INSERT/LOAD/... in
``query=``) · 404 unknown path · 405 method not allowed · 406 no acceptable result format ·
411 POST without Content-Length · 413 body over 1 MiB · 415 unsupported POST content type ·
429 the client's address already has as many queries running as allowed (``Retry-After``) ·
500 unexpected failure · 503 the query hit the time limit and was stopped, it needed more
memory than a worker may use, or every worker stayed busy for the whole time limit (then with
``Retry-After``). When the row cap cuts a result, the first ``max_rows`` rows (or triples) are
returned with ``X-Result-Truncated: true``; when the answer is still over ``max_bytes``, it is
cut to the leading rows that fit (``X-Result-Truncated-By: bytes``; no rows if the first does
not fit). A client has ``send_timeout`` seconds to take an answer before the connection closes.

Example::

    server = make_server("build", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ...  # http://127.0.0.1:<server.server_address[1]>/sparql
    server.shutdown()

Workers are started with ``multiprocessing``'s "spawn" method, so a script that calls
:func:`make_server` must do so under ``if __name__ == "__main__":``.
"""
from __future__ import annotations

import html
import json
import multiprocessing
import os
import queue
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import MlopsKgError, QueryError

__all__ = ["make_server", "EndpointServer", "ServeError", "answer_query", "negotiate"]

MAX_BODY = 1024 * 1024
DEFAULT_TIMEOUT = 10.0
#: Bounds of a time limit: a day is longer than anyone waits, and larger values overflow the
#: waits of ``queue`` and ``multiprocessing``.
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 86400.0
DEFAULT_MAX_ROWS = 10000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_MEMORY_MB = 1024
DEFAULT_CLIENT_QUERIES = 1
DEFAULT_WORKERS = 2
#: Seconds a client has to take a whole answer; then the connection is closed (a client that
#: never reads would otherwise hold a thread and the answer in memory).
SEND_TIMEOUT = 20.0
WORKER_START_TIMEOUT = 120.0

#: Formats offered per result kind, in server preference order (first is the default), each
#: with the media types that select it. The first media type is the one sent back.
SELECT_OFFERS = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_OFFERS = {
    "ttl": ("text/turtle", "application/turtle", "application/x-turtle"),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "rdfxml": ("application/rdf+xml",),
}
#: ``format=`` / ``output=`` values → (format of a SELECT/ASK result, of a CONSTRUCT/DESCRIBE
#: result). SPARQLWrapper sends its return format this way (``json``, ``xml``, ``turtle``, ...).
FORMAT_NAMES = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
                "tsv": ("tsv", None), "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"),
                "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
                "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"),
                "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml")}
CONTENT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                 "ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples",
                 "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}
SD_FORMATS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
              "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD",
              "rdfxml": "RDF_XML"}

READ_ONLY = ("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
             "is not accepted; send a query (SELECT, ASK, CONSTRUCT, DESCRIBE) as query=")


class ServeError(MlopsKgError):
    """The endpoint cannot start: the address is in use or not valid, or a worker failed."""


# --- content negotiation ---------------------------------------------------------------------

def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def negotiate(accept: str | None, offers: dict) -> str | None:
    """The key of ``offers`` that ``accept`` (an HTTP Accept header) prefers, or None.

    Each offered media type gets the q-value of the most specific range that matches it;
    the highest q wins, ties go to the earlier offer. No header means the first offer. Aliases
    (``application/json``, ``text/xml``, ...) count only when named exactly, not via ``text/*``.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SELECT_OFFERS)
    'xml'
    """
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges = _parse_accept(accept) or [("*", "*", 1.0)]
    best, best_q = None, 0.0
    for key, media_types in offers.items():
        for index, media in enumerate(media_types):
            kind, _, sub = media.partition("/")
            match = None  # (specificity, q)
            for r_kind, r_sub, q in ranges:
                if (r_kind, r_sub) == (kind, sub):
                    spec = 2
                elif index:
                    continue
                elif r_kind == kind and r_sub == "*":
                    spec = 1
                elif (r_kind, r_sub) == ("*", "*"):
                    spec = 0
                else:
                    continue
                if match is None or spec > match[0]:
                    match = (spec, q)
            if match and match[1] > best_q:
                best, best_q = key, match[1]
    return best


# --- answering one query (runs inside a worker process) --------------------------------------

@dataclass
class Reply:
    """What a worker sends back: an HTTP status, a content type and a body."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    cut_by: str | None = None  # "rows" or "bytes": the limit that cut the answer

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (_one_line(message) + "\n").encode("utf-8"))


def _one_line(message: str, limit: int = 2000) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
                                f"{_one_line(exc, 200)})")
    return Reply(200, CONTENT_TYPES[fmt], body, cut_by is not None, cut_by)


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
    from the protocol's default-graph-uri / named-graph-uri parameters."""
    return store.query(parsed.text, max_rows=max_rows, dataset=dataset)


def _limit_memory(max_memory_mb: int | None) -> None:
    """Cap this process's data memory (heap and anonymous mappings, RLIMIT_DATA) at
    ``max_memory_mb``: past it an allocation fails, in Python (MemoryError) or in Oxigraph (the
    process aborts and is replaced). Where the ``resource`` module is missing (Windows), no cap."""
    if not max_memory_mb:
        return
    try:
        import resource
    except ImportError:
        return
    limit = max_memory_mb * 1024 * 1024
    in_use = _data_in_use()
    if in_use is not None and in_use > 0.8 * limit:
        raise ServeError(f"a query worker already uses {in_use // 2**20} MB holding the graph, too close to "
                         f"--max-memory {max_memory_mb}; raise it")
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _data_in_use() -> int | None:
    """Bytes of this process's data segment (VmData), as RLIMIT_DATA counts it; None if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _worker_main(conn, build_dir: str, engine: str, max_memory_mb: int | None = None) -> None:
    """A worker process: load the graph once, then answer requests from ``conn`` forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    # a query past the memory limit aborts Oxigraph with one line on stderr (serve's log), not a
    # page of Rust backtrace
    os.environ["RUST_BACKTRACE"] = "0"
    parent = multiprocessing.parent_process()
    if parent is not None:
        def exit_with_parent():  # even in the middle of a runaway query
            parent.join()
            os._exit(0)

        threading.Thread(target=exit_with_parent, daemon=True).start()
    try:
        from ..query.sparql import parse_query
        from ..query.store import open_store

        store = open_store(build_dir, engine)
        parse_query("ASK {}")  # warm up rdflib's parser so the first request is not slow
        loaded = store.graph_names()
        _limit_memory(max_memory_mb)  # after loading: the graph is not the query's to pay for
    except MlopsKgError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the server, which raises ServeError
        conn.send(("error", "ServeError", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", loaded))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        text = request.pop("query")
        conn.send(answer_query(store, loaded, text, **request))


# --- the worker pool (server side) -----------------------------------------------------------

class _Unavailable(Exception):
    """No answer in time: the query was stopped, or no worker became free."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object

    @property
    def pid(self) -> int | None:
        return self.process.pid


class WorkerPool:
    """``size`` worker processes answering queries, each killed and replaced when it overruns."""

    def __init__(self, build_dir, engine: str, size: int, *, start_timeout: float = WORKER_START_TIMEOUT,
                 max_memory_mb: int | None = None):
        self.build_dir, self.engine, self.size = str(build_dir), engine, size
        self.max_memory_mb = max_memory_mb
        self.restarts = 0
        self.graph_names: list[str] = []
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._closed = False
        try:
            started = [self._spawn() for _ in range(size)]
            deadline = time.monotonic() + start_timeout
            for worker in started:
                self.graph_names = self._await_ready(worker, deadline - time.monotonic())
        except BaseException:
            self.close()
            raise
        for worker in started:
            self._idle.put(worker)

    def pids(self) -> list[int]:
        """Process ids of every worker started and not yet stopped."""
        with self._lock:
            return sorted(w.pid for w in self._live if w.pid)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child_end, self.build_dir, self.engine, self.max_memory_mb),
                                    name="mlops-kg-sparql-worker", daemon=True)
        with self._lock:
            if self._closed:
                raise ServeError("the endpoint is shutting down")
            process.start()
            worker = _Worker(process, parent_end)
            self._live.add(worker)
        child_end.close()
        return worker

    def _await_ready(self, worker: _Worker, timeout: float) -> list[str]:
        from .. import errors

        try:
            message = worker.conn.recv() if worker.conn.poll(max(timeout, 0)) else None
        except (EOFError, OSError):
            worker.process.join(1)
            message = ("error", "ServeError", f"a query worker exited while starting (exit code "
                                              f"{worker.process.exitcode}); a script that starts the "
                                              "endpoint needs an `if __name__ == \"__main__\":` guard")
        if message is None:
            raise ServeError("a query worker did not start in time")
        if message[0] == "ready":
            return message[1]
        cls = getattr(errors, message[1], None)
        raise (cls if isinstance(cls, type) and issubclass(cls, MlopsKgError) else ServeError)(message[2])

    def _stop(self, worker: _Worker) -> None:
        """Kill ``worker`` once: shutdown and a request thread that saw it die may both ask."""
        with self._lock:
            if worker not in self._live:
                return
            self._live.discard(worker)
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; start its replacement in the background."""
        self._stop(worker)
        with self._lock:
            self.restarts += 1
        threading.Thread(target=self._respawn, name="mlops-kg-respawn", daemon=True).start()

    def _respawn(self) -> None:
        delay = 0.5
        while True:
            try:
                worker = self._spawn()
            except ServeError:  # closed
                return
            except OSError:  # e.g. out of processes or file handles: try again later
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            try:
                self._await_ready(worker, WORKER_START_TIMEOUT)
            except MlopsKgError:
                self._stop(worker)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            with self._lock:
                closed = self._closed
            if closed:
                self._stop(worker)
            else:
                self._idle.put(worker)
            return

    def run(self, request: dict, timeout: float) -> Reply:
        """Send ``request`` to a free worker and wait for its reply, ``timeout`` seconds at most
        in all (waiting for a free worker included). Raises :class:`_Unavailable`."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise _Unavailable(f"all {self.size} query workers stayed busy for {timeout:g} s; "
                               "try again later", retry_after=1) from None
        if worker is None:  # the pool is closed
            self._idle.put(None)
            raise _Unavailable("the endpoint is shutting down")
        remaining = deadline - time.monotonic()
        if remaining <= 0.01:
            self._idle.put(worker)
            raise _Unavailable(f"all {self.size} query workers stayed busy for {timeout:g} s; "
                               "try again later", retry_after=1)
        try:
            worker.conn.send(request)
            if not worker.conn.poll(remaining):
                self._replace(worker)
                raise _Unavailable(f"the query ran past the time limit of {timeout:g} s and was stopped; "
                                   "narrow it down (LIMIT, more specific patterns)")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            limit = f" of {self.max_memory_mb} MB" if self.max_memory_mb else ""
            raise _Unavailable(f"the query worker stopped, most likely because the query needed more than "
                               f"its memory limit{limit}; narrow the query down (a fresh worker is starting)") from None
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        """Kill every worker (idle, busy or starting); idempotent."""
        with self._lock:
            self._closed = True
            workers = list(self._live)
        for worker in workers:
            self._stop(worker)
        self._idle.put(None)  # wakes requests waiting for a worker


# --- HTTP ------------------------------------------------------------------------------------

class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server returned by :func:`make_server`; ``shutdown()`` also stops the workers."""

    daemon_threads = True

    def __init__(self, address, *, build_dir, engine, timeout, max_rows, quiet, log=None,
                 max_bytes=DEFAULT_MAX_BYTES, max_memory_mb=DEFAULT_MAX_MEMORY_MB,
                 client_queries=DEFAULT_CLIENT_QUERIES, send_timeout=SEND_TIMEOUT):
        import socket

        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.build_dir, self.engine = Path(build_dir), engine
        self.timeout_seconds, self.max_rows = float(timeout), max_rows
        self.quiet, self.log = quiet, log or sys.stderr
        self.max_bytes, self.max_memory_mb = max_bytes, max_memory_mb
        self.client_queries, self.send_timeout = client_queries, send_timeout
        self._running: dict[str, int] = {}  # client address -> its queries running or waiting
        self._running_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._serving = self._closed = False
        self.pool: WorkerPool | None = None
        self._examples_cache = None

    def start_workers(self, workers: int) -> None:
        """Start the query processes; on failure the socket is closed and the error raised."""
        try:
            self.pool = WorkerPool(self.build_dir, self.engine, workers, max_memory_mb=self.max_memory_mb)
        except BaseException:
            self.server_close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def running(self, client: str) -> int:
        """How many queries of ``client`` (an address) are running or waiting for a worker."""
        with self._running_lock:
            return self._running.get(client, 0)

    def enter_query(self, client: str) -> bool:
        """Count a query of ``client``; False (and not counted) when it has as many as allowed."""
        with self._running_lock:
            if self._running.get(client, 0) >= self.client_queries:
                return False
            self._running[client] = self._running.get(client, 0) + 1
            return True

    def leave_query(self, client: str) -> None:
        with self._running_lock:
            left = self._running.get(client, 0) - 1
            if left > 0:
                self._running[client] = left
            else:
                self._running.pop(client, None)

    @property
    def graph_names(self) -> list[str]:
        return self.pool.graph_names if self.pool else []

    @property
    def loopback(self) -> bool:
        """True when bound to a loopback address only (the default, 127.0.0.1)."""
        import ipaddress

        try:
            return ipaddress.ip_address(self.server_address[0]).is_loopback
        except ValueError:
            return False

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        with self._state_lock:
            if self._closed:
                return
            self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def shutdown(self) -> None:
        """Stop serving (if serving), kill all workers and close the socket; idempotent."""
        with self._state_lock:
            already, self._closed = self._closed, True
            serving = self._serving
        if serving:
            super().shutdown()
        if not already:
            if self.pool is not None:
                self.pool.close()
            self.server_close()

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (even while http.server answers its malformed request) is
        normal: no traceback. Anything else is one line in the log."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        if not self.quiet:
            try:
                self.log.write(f"error while answering {client_address[0]}: {type(exc).__name__}: "
                               f"{_printable(_one_line(exc, 200))}\n")
                self.log.flush()
            except (OSError, ValueError):
                pass

    def examples(self) -> list[dict]:
        if self._examples_cache is None:
            self._examples_cache = example_queries()
        return self._examples_cache


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


def _printable(text: str) -> str:
    """``text`` with control and other unprintable characters (and backslashes) escaped, so a
    request line cannot send escape sequences to the terminal that shows the log."""
    return "".join(c if c.isprintable() and c != "\\" else
                   ("\\\\" if c == "\\" else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
                   for c in text)


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could close it."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Handler(BaseHTTPRequestHandler):
    server: EndpointServer
    server_version = "mlops-kg-sparql"
    sys_version = ""
    timeout = 60  # seconds an idle or slow client may hold a connection
    _status = None

    def version_string(self):
        return self.server_version

    # one log line per request, written after the response
    def log_request(self, code="-", size="-"):
        pass

    def log_error(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def handle_one_request(self):
        started = time.perf_counter()
        self._status, self.command = None, None
        super().handle_one_request()
        if self._status is not None and not self.server.quiet:
            path = urllib.parse.urlsplit(self.path or "").path if getattr(self, "path", None) else "-"
            ms = (time.perf_counter() - started) * 1000
            try:
                self.server.log.write(f"{_printable((self.command or '-')[:20])} {_printable(path[:200])} "
                                      f"{self._status} {ms:.0f}ms\n")
                self.server.log.flush()
            except (OSError, ValueError):
                pass

    def send_error(self, code, message=None, explain=None):
        """Used by http.server itself (malformed request line, too long, ...): plain text too."""
        self.close_connection = True
        self._plain(code, message or self.responses.get(code, ("error",))[0])

    # --- responses ---------------------------------------------------------------------------
    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None):
        # one deadline for the whole answer (sendall's timeout is not renewed by partial sends),
        # so a client that stops reading frees its thread and the answer
        self.connection.settimeout(self.server.send_timeout)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.connection.settimeout(self.timeout)

    def _plain(self, status: int, message: str, headers: dict | None = None):
        self._send(status, "text/plain; charset=utf-8", (_one_line(message) + "\n").encode("utf-8"), headers)

    # --- dispatch ----------------------------------------------------------------------------
    def _check_host(self):
        """On a loopback address, answer only requests addressed to loopback names: a web page
        that points a DNS name of its own at 127.0.0.1 (DNS rebinding) gets nothing back."""
        if not self.server.loopback:
            return
        host = self.headers.get("Host")
        if host is None:
            return  # HTTP/1.0 clients; browsers always send Host
        name = (host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]", 1)[0]).lower()
        if not _is_loopback_name(name):
            raise _HttpError(403, f"Host {host[:100]!r} is not this server: it only answers requests addressed "
                                  "to localhost, 127.0.0.1 or [::1] (protection against DNS rebinding)")

    def _dispatch(self, method: str):
        try:
            self._check_host()
            path = urllib.parse.urlsplit(self.path).path
            if path == "/":
                if method not in ("GET", "HEAD"):
                    raise _HttpError(405, f"{method} is not allowed on /; use GET", {"Allow": "GET, HEAD"})
                self._page()
            elif path == "/sparql":
                if method not in ("GET", "HEAD", "POST"):
                    raise _HttpError(405, f"{method} is not allowed on /sparql; use GET or POST "
                                          "(this endpoint is read-only)", {"Allow": "GET, HEAD, POST"})
                self._sparql(method)
            else:
                raise _HttpError(404, f"no such page: {path[:200]}; the SPARQL endpoint is /sparql")
        except _HttpError as exc:
            if exc.status in (411, 413):
                self.close_connection = True
            self._plain(exc.status, exc.message, exc.headers)
        except (ConnectionError, TimeoutError):  # the client left, or did not take the answer in time
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - never a traceback to the client
            self.close_connection = True
            try:
                self._plain(500, f"internal error ({type(exc).__name__})")
            except OSError:
                pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_HEAD(self):  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_OPTIONS(self):  # noqa: N802
        self._dispatch("OPTIONS")

    # --- /sparql -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _HttpError(411, "chunked request bodies are not supported; send Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise _HttpError(411, "POST needs a Content-Length header")
        try:
            size = int(length)
        except ValueError:
            raise _HttpError(400, "bad Content-Length header") from None
        if size < 0:
            raise _HttpError(400, "bad Content-Length header")
        if size > MAX_BODY:
            self._drain(size)
            raise _HttpError(413, f"request body of {size} bytes is over the limit of {MAX_BODY} bytes")
        return self.rfile.read(size)

    def _drain(self, size: int) -> None:
        """Read and drop a too-big body (up to a bound), so the client sees our 413 and not a
        connection reset."""
        left = min(size, 16 * MAX_BODY)
        try:
            self.connection.settimeout(1.0)  # a client that declares more than it sends
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    @staticmethod
    def _decode(data: bytes, charset: str | None) -> str:
        import codecs

        unusable = _HttpError(415, f"unknown or unusable charset {_printable((charset or '')[:50])!r}; send UTF-8")
        try:
            # only real text encodings: Python also knows "rot13", "base64", "hex", ...
            if charset and not getattr(codecs.lookup(charset), "_is_text_encoding", True):
                raise unusable
            return data.decode(charset or "utf-8")
        except LookupError:
            raise unusable from None
        except UnicodeDecodeError:
            raise _HttpError(400, f"the request is not valid {_printable((charset or 'UTF-8')[:50])} text") from None
        except (UnicodeError, ValueError, TypeError):  # "undefined" raises UnicodeError on any use
            raise unusable from None

    @staticmethod
    def _form(text: str) -> dict[str, list[str]]:
        try:
            return urllib.parse.parse_qs(text, keep_blank_values=True, max_num_fields=200,
                                         errors="strict")
        except ValueError as exc:
            raise _HttpError(400, f"malformed form parameters: {exc}") from None

    def _request_params(self, method: str) -> dict[str, list[str]]:
        params = self._form(urllib.parse.urlsplit(self.path).query)
        if method != "POST":
            return params
        mime, charset = _content_type(self.headers.get("Content-Type", ""))
        if mime == "application/sparql-update":
            self._read_body_quietly()
            raise _HttpError(403, READ_ONLY)
        body = self._read_body()
        if mime == "application/x-www-form-urlencoded":
            for key, values in self._form(self._decode(body, charset)).items():
                params.setdefault(key, []).extend(values)
        elif mime == "application/sparql-query":
            if "query" in params:
                raise _HttpError(400, "give the query either as the request body or as query=, not both")
            params["query"] = [self._decode(body, charset)]
        else:
            raise _HttpError(415, f"unsupported Content-Type {mime[:100]!r} for POST; use "
                                  "application/x-www-form-urlencoded or application/sparql-query")
        return params

    def _read_body_quietly(self):
        try:
            self._read_body()
        except _HttpError:
            self.close_connection = True

    def _sparql(self, method: str):
        params = self._request_params(method)
        if any(k in params for k in ("update", "using-graph-uri", "using-named-graph-uri")):
            raise _HttpError(403, READ_ONLY)
        queries = params.get("query", [])
        if len(queries) > 1:
            raise _HttpError(400, "more than one query= parameter; send one query per request")
        if queries and not queries[0].strip():
            raise _HttpError(400, "empty query= parameter; send a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)")
        if not queries:
            if method == "POST":
                raise _HttpError(400, "no query: send query=... (form) or an application/sparql-query body")
            return self._service_description()
        formats = self._formats(params)
        if formats["select"] is None and formats["graph"] is None:
            raise _HttpError(406, "none of the requested result formats is offered; this endpoint offers "
                                  + ", ".join(m[0] for m in [*SELECT_OFFERS.values(), *GRAPH_OFFERS.values()]))
        request = {"query": queries[0], "formats": formats, "max_rows": self.server.max_rows,
                   "max_bytes": self.server.max_bytes,
                   "default_graphs": params.get("default-graph-uri"),
                   "named_graphs": params.get("named-graph-uri")}
        client = self.client_address[0] if self.client_address else "-"
        if not self.server.enter_query(client):
            allowed = self.server.client_queries
            raise _HttpError(429, f"this client address already has {allowed} quer{'y' if allowed == 1 else 'ies'} "
                                  f"running (the most one address may have); wait for the answer, then retry",
                             {"Retry-After": "1"})
        try:
            reply = self.server.pool.run(request, self.server.timeout_seconds)
        except _Unavailable as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            raise _HttpError(503, str(exc), headers) from None
        finally:
            self.server.leave_query(client)
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Max-Rows"] = str(self.server.max_rows)
            headers["X-Result-Max-Bytes"] = str(self.server.max_bytes)
            headers["X-Result-Truncated-By"] = getattr(reply, "cut_by", None) or "rows"
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _formats(self, params) -> dict:
        requested = (params.get("format") or params.get("output") or [None])[0]
        if requested:
            name = requested.strip().lower()
            if name in FORMAT_NAMES:
                select, graph = FORMAT_NAMES[name]
            elif "/" in name and "*" not in name:  # a media type works too
                select, graph = negotiate(name, SELECT_OFFERS), negotiate(name, GRAPH_OFFERS)
            else:
                select = graph = None
            if select is None and graph is None:
                raise _HttpError(400, f"unknown format {requested[:50]!r}; use one of "
                                      + ", ".join(FORMAT_NAMES) + " or a media type")
            return {"select": select, "graph": graph}
        accept = self.headers.get("Accept")
        return {"select": negotiate(accept, SELECT_OFFERS), "graph": negotiate(accept, GRAPH_OFFERS)}

    def _host(self) -> str:
        host = self.headers.get("Host", "")
        if re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host):
            return host
        return self.server.url[len("http://"):].rstrip("/")

    def _service_description(self):
        fmt = negotiate(self.headers.get("Accept"), GRAPH_OFFERS)
        if fmt is None:
            raise _HttpError(406, "the service description is offered as "
                                  + ", ".join(m[0] for m in GRAPH_OFFERS.values()))
        body = service_description(f"http://{self._host()}/sparql", self.server.graph_names,
                                   timeout=self.server.timeout_seconds, max_rows=self.server.max_rows,
                                   fmt=fmt)
        self._send(200, CONTENT_TYPES[fmt], body.encode("utf-8"), {"Vary": "Accept"})

    # --- / -----------------------------------------------------------------------------------
    def _page(self):
        nonce = secrets.token_urlsafe(16)
        body = render_page(self.server.examples(), nonce=nonce, timeout=self.server.timeout_seconds,
                           max_rows=self.server.max_rows, graphs=self.server.graph_names)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        self._send(200, "text/html; charset=utf-8", body.encode("utf-8"),
                   {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})


def _content_type(header: str) -> tuple[str, str | None]:
    fields = [f.strip() for f in header.split(";")]
    charset = None
    for param in fields[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return fields[0].lower(), charset


def service_description(endpoint_url: str, graph_names, *, timeout: float, max_rows: int,
                        fmt: str = "ttl") -> str:
    """A SPARQL 1.1 Service Description of the endpoint (Turtle by default)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, RDFS

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    service, dataset, default = BNode(), BNode(), BNode()
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, URIRef(endpoint_url)))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    for name in SD_FORMATS.values():
        g.add((service, sd.resultFormat, formats[name]))
    g.add((service, RDFS.comment, Literal(
        f"mlops-kg knowledge graph, read-only: no SPARQL Update, SERVICE or loading of other graphs; "
        f"each query is stopped after {timeout:g} s and returns at most {max_rows} rows")))
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    for name in graph_names:
        node = BNode()
        g.add((dataset, sd.namedGraph, node))
        g.add((node, RDF.type, sd.NamedGraph))
        g.add((node, sd.name, URIRef(name)))
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    return g.serialize(format=rdflib_format)


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


def _is_loopback_name(name: str) -> bool:
    import ipaddress

    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_options(*, host: str = "127.0.0.1", engine: str = "oxigraph", timeout: float = DEFAULT_TIMEOUT,
                  send_timeout: float = SEND_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                  workers: int = DEFAULT_WORKERS, client_queries: int = DEFAULT_CLIENT_QUERIES,
                  max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB) -> None:
    """Raise :class:`ServeError` (or :class:`~mlops_kg.errors.QueryError` for the engine) for
    options :func:`make_server` would refuse; the CLI checks them before it looks for a build."""
    from ..query.store import ENGINES

    if engine not in ENGINES:
        raise QueryError(f"unknown store engine {engine!r}; use one of {', '.join(ENGINES)}")
    if not host or not host.strip():
        raise ServeError("the host is empty (which would listen on every interface); give an address, "
                         "e.g. 127.0.0.1 for this machine only or 0.0.0.0 for every interface")
    if not (MIN_TIMEOUT <= timeout <= MAX_TIMEOUT) or not (MIN_TIMEOUT <= send_timeout <= MAX_TIMEOUT):
        raise ServeError(f"timeout must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}")  # nan too
    if min(max_rows, workers, client_queries) < 1 or max_bytes < 1024 or (max_memory_mb is not None and max_memory_mb < 64):
        raise ServeError("max_rows, workers and client_queries must be at least 1, max_bytes at least 1024, "
                         "max_memory_mb at least 64")


def make_server(build_dir, host: str = "127.0.0.1", port: int = 8000, *, engine: str = "oxigraph",
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                workers: int = DEFAULT_WORKERS, quiet: bool = False, log=None,
                max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB,
                client_queries: int = DEFAULT_CLIENT_QUERIES, send_timeout: float = SEND_TIMEOUT) -> EndpointServer:
    """Bind ``host:port`` (0 picks a free port) and start ``workers`` query processes over the
    build in ``build_dir`` (a folder that exists: the server never builds). Call
    ``serve_forever()`` to serve and ``shutdown()`` to stop; the bound address is ``server_address``.

    Limits: a query runs at most ``timeout`` seconds; an answer holds at most ``max_rows`` rows
    and ``max_bytes`` bytes (cut to fit, flagged with ``X-Result-Truncated``); a worker may use
    ``max_memory_mb`` of memory, graph included (None: no cap); one client address may have
    ``client_queries`` queries running or waiting (429 beyond); a client has ``send_timeout``
    seconds to take an answer.

    Raises :class:`ServeError` when the address is in use or invalid, and the error of the
    store (e.g. :class:`~mlops_kg.errors.DataFileError`) when the build cannot be loaded.
    """
    check_options(host=host, engine=engine, timeout=timeout, send_timeout=send_timeout, max_rows=max_rows,
                  workers=workers, client_queries=client_queries, max_bytes=max_bytes, max_memory_mb=max_memory_mb)
    from ..model.layout import built_graph

    directory = Path(build_dir)
    built_graph(directory)
    try:
        server = EndpointServer((host, port), build_dir=directory.resolve(), engine=engine, timeout=timeout,
                                max_rows=max_rows, quiet=quiet, log=log, max_bytes=max_bytes,
                                max_memory_mb=max_memory_mb, client_queries=client_queries,
                                send_timeout=send_timeout)
    except (OSError, OverflowError) as exc:
        import errno

        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            raise ServeError(f"cannot listen on {host}:{port}: the address is already in use; "
                             "stop the other server or pick another --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    server.start_workers(workers)  # after binding, so a busy port fails fast
    return server
