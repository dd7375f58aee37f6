"""The pool of killable worker processes, and the time limits of queries.

Neither rdflib nor pyoxigraph can cancel a query, so a query with a time limit runs in a worker
process: each worker holds its own copy of the graph and answers one request at a time with a
*handler*; a request past the time or memory limit is stopped by killing its worker, and a fresh
one takes its place. The endpoint (:mod:`mlops_kg.serve`) keeps a pool of them; ``mlops-kg query
--timeout`` runs its query in a pool of one. Time limits are checked in one place:
:func:`check_seconds`."""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass

from ..errors import MlopsKgError


WORKER_START_TIMEOUT = 120.0
#: Bounds of a time limit: below a tenth of a second nothing answers, and a day is longer than
#: anyone waits for a query; waiting for a remote server (query --endpoint, publish) may take
#: up to a week (MAX_WAIT).
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 86400.0
MAX_WAIT = 7 * 24 * 3600.0


class WorkerError(MlopsKgError):
    """A worker process could not be started or the pool is closed."""


class Unavailable(Exception):
    """No answer in time. ``reason``: ``"time"`` (the request ran past its limit and its worker
    was killed), ``"stopped"`` (the worker died, most likely past its memory limit), ``"busy"``
    (no worker became free within the limit; ``retry_after`` seconds) or ``"closed"``."""

    def __init__(self, message: str, reason: str, retry_after: int | None = None):
        super().__init__(message)
        self.reason, self.retry_after = reason, retry_after


def check_seconds(value, low: float = MIN_TIMEOUT, high: float = MAX_TIMEOUT) -> float:
    """``value`` as a finite number of seconds from ``low`` to ``high``, else ValueError with the
    one-line reason. ``nan``, ``inf`` and ``1e308`` are floats to Python but no time limit (a
    deadline of nan is never reached, a huge one overflows the waits).

    >>> check_seconds("2.5")
    2.5
    >>> check_seconds("nan")
    Traceback (most recent call last):
    ...
    ValueError: 'nan' is not a number of seconds from 0.1 to 86400
    """
    import math

    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (low <= seconds <= high):  # also false for nan
        raise ValueError(f"{value!r} is not a number of seconds from {low:g} to {high:g}")
    return seconds


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
        raise WorkerError(f"a query worker already uses {in_use // 2**20} MB holding the graph, too close to "
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


def _worker_main(conn, build_dir: str, engine: str, handler, max_memory_mb: int | None = None) -> None:
    """A worker process: load the graph once, then answer requests from ``conn`` forever with
    ``handler(store, loaded_graph_names, request)``."""
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
        # RLIMIT_DATA counts the loaded graph too (the cap is "graph included"); set after
        # loading so a graph that leaves no room for queries is reported as such
        _limit_memory(max_memory_mb)
    except MlopsKgError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the pool, which raises its error class
        conn.send(("error", "WorkerError", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", loaded))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        conn.send(handler(store, loaded, request))


# --- the worker pool (server side) -----------------------------------------------------------

@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object

    @property
    def pid(self) -> int | None:
        return self.process.pid


class WorkerPool:
    """``size`` worker processes answering requests, each killed and replaced when it overruns.

    Each worker loads the build in ``build_dir`` into an embedded store of ``engine`` and answers
    each request (a picklable value) with ``handler(store, loaded_graph_names, request)``;
    ``handler`` must be a module-level function (workers are started with "spawn" and get it by
    name). Failures to start raise ``error`` (:class:`WorkerError` unless given), or the store's
    own error (e.g. :class:`~mlops_kg.errors.DataFileError` for a damaged build).
    """

    def __init__(self, build_dir, engine: str, size: int, *, handler, start_timeout: float = WORKER_START_TIMEOUT,
                 max_memory_mb: int | None = None, error: type[MlopsKgError] = WorkerError):
        self.build_dir, self.engine, self.size = str(build_dir), engine, size
        self.handler, self.error = handler, error
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
        process = self._ctx.Process(target=_worker_main, args=(child_end, self.build_dir, self.engine, self.handler,
                                                               self.max_memory_mb),
                                    name="mlops-kg-sparql-worker", daemon=True)
        with self._lock:
            if self._closed:
                raise self.error("the worker pool is closed (shutting down)")
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
            message = ("error", "", f"a query worker exited while starting (exit code "
                                              f"{worker.process.exitcode}); a script that starts the "
                                              "endpoint needs an `if __name__ == \"__main__\":` guard")
        if message is None:
            raise self.error("a query worker did not start in time")
        if message[0] == "ready":
            return message[1]
        cls = getattr(errors, message[1], None)
        raise (cls if isinstance(cls, type) and issubclass(cls, MlopsKgError) else self.error)(message[2])

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
            except self.error:  # closed
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

    def run(self, request, timeout: float):
        """Send ``request`` to a free worker and return its handler's reply, waiting ``timeout``
        seconds at most in all (waiting for a free worker included). Raises :class:`Unavailable`."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Unavailable(f"all {self.size} query workers stayed busy for {timeout:g} s; "
                              "try again later", "busy", retry_after=1) from None
        if worker is None:  # the pool is closed
            self._idle.put(None)
            raise Unavailable("the endpoint is shutting down", "closed")
        remaining = deadline - time.monotonic()
        if remaining <= 0.01:
            self._idle.put(worker)
            raise Unavailable(f"all {self.size} query workers stayed busy for {timeout:g} s; "
                              "try again later", "busy", retry_after=1)
        try:
            worker.conn.send(request)
            if not worker.conn.poll(remaining):
                self._replace(worker)
                raise Unavailable(f"the query ran past the time limit of {timeout:g} s and was stopped; "
                                  "narrow it down (LIMIT, more specific patterns)", "time")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            limit = f" of {self.max_memory_mb} MB" if self.max_memory_mb else ""
            raise Unavailable(f"the query worker stopped, most likely because the query needed more than "
                              f"its memory limit{limit}; narrow the query down (a fresh worker is starting)",
                              "stopped") from None
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
