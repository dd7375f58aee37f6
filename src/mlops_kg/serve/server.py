"""The server: :class:`EndpointServer` (HTTP threads plus the worker pool) and
:func:`make_server`, which checks the options and binds the address."""
from __future__ import annotations

import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from ..errors import QueryError
from ..query.workers import WorkerPool, check_seconds
from .answer import (DEFAULT_CLIENT_QUERIES, DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_ROWS,
                     DEFAULT_TIMEOUT, DEFAULT_WORKERS, SEND_TIMEOUT, ServeError, one_line, answer_request,
                     client_quota)
from .handler import Handler, printable
from .page import example_queries


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server returned by :func:`make_server`; ``shutdown()`` also stops the workers."""

    daemon_threads = True

    def __init__(self, address, *, build_dir, engine, timeout, max_rows, quiet, log=None,
                 max_bytes=DEFAULT_MAX_BYTES, max_memory_mb=DEFAULT_MAX_MEMORY_MB,
                 client_queries=DEFAULT_CLIENT_QUERIES, send_timeout=SEND_TIMEOUT):
        import socket

        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
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
        self.client_queries = client_quota(workers, self.client_queries)
        try:
            self.pool = WorkerPool(self.build_dir, self.engine, workers, handler=answer_request,
                                   max_memory_mb=self.max_memory_mb, error=ServeError)
        except BaseException:
            self.server_close()
            raise

    @property
    def url(self) -> str:
        """The base URL the server answers on, e.g. ``http://127.0.0.1:8000/``."""
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
        """Count a query of ``client`` as done (answered, refused or stopped)."""
        with self._running_lock:
            left = self._running.get(client, 0) - 1
            if left > 0:
                self._running[client] = left
            else:
                self._running.pop(client, None)

    @property
    def graph_names(self) -> list[str]:
        """The named graphs the workers loaded."""
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
        """Serve until :meth:`shutdown`; returns at once when the server was already shut down."""
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
                               f"{printable(one_line(exc, 200))}\n")
                self.log.flush()
            except (OSError, ValueError):
                pass

    def examples(self) -> list[dict]:
        """The query page's example queries (read once)."""
        if self._examples_cache is None:
            self._examples_cache = example_queries()
        return self._examples_cache


def check_options(*, host: str = "127.0.0.1", engine: str = "oxigraph", timeout: float = DEFAULT_TIMEOUT,
                  send_timeout: float = SEND_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                  workers: int = DEFAULT_WORKERS, client_queries: int | None = DEFAULT_CLIENT_QUERIES,
                  max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB) -> None:
    """Raise :class:`ServeError` (or :class:`~mlops_kg.errors.QueryError` for the engine) for
    options :func:`make_server` would refuse; the CLI checks them before it looks for a build."""
    from ..query.store import ENGINES

    if engine not in ENGINES:
        raise QueryError(f"unknown store engine {engine!r}; use one of {', '.join(ENGINES)}")
    if not host or not host.strip():
        raise ServeError("the host is empty (which would listen on every interface); give an address, "
                         "e.g. 127.0.0.1 for this machine only or 0.0.0.0 for every interface")
    for name, seconds in (("timeout", timeout), ("send_timeout", send_timeout)):
        try:
            check_seconds(seconds)
        except ValueError as exc:
            raise ServeError(f"{name}: {exc}") from None
    if min(max_rows, workers, client_quota(workers, client_queries)) < 1 or max_bytes < 1024 or (max_memory_mb is not None and max_memory_mb < 64):
        raise ServeError("max_rows, workers and client_queries must be at least 1, max_bytes at least 1024, "
                         "max_memory_mb at least 64")


def make_server(build_dir, host: str = "127.0.0.1", port: int = 8000, *, engine: str = "oxigraph",
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                workers: int = DEFAULT_WORKERS, quiet: bool = False, log=None,
                max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB,
                client_queries: int | None = DEFAULT_CLIENT_QUERIES, send_timeout: float = SEND_TIMEOUT) -> EndpointServer:
    """Bind ``host:port`` (0 picks a free port) and start ``workers`` query processes over the
    build in ``build_dir`` (a folder that exists: the server never builds). Call
    ``serve_forever()`` to serve and ``shutdown()`` to stop; the bound address is ``server_address``.

    Limits: a query runs at most ``timeout`` seconds; an answer holds at most ``max_rows`` rows
    and ``max_bytes`` bytes (cut to fit, flagged with ``X-Result-Truncated``); a worker may use
    ``max_memory_mb`` of memory, graph included (None: no cap); one client address may have
    ``client_queries`` queries running or waiting (429 beyond; None: ``workers`` - 1, at least 1,
    see :func:`~mlops_kg.serve.answer.client_quota`); a client has ``send_timeout`` seconds to
    take an answer. On a loopback address every local client is the one address 127.0.0.1 (or
    ::1) and so shares one quota.

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
