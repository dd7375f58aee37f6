"""Work done on another core while the build goes on: a forked process computes a value and
sends it back pickled.

The build is pure Python and so uses one core; two of its steps need only what is already in
memory and nothing that runs beside them needs their result (validation beside the analysis,
the RDF files beside the index and the site), so each runs in a forked copy of the process.
Forking copies the loaded graphs for free (no pickling of rdflib graphs); only the result
comes back.

The other process is an optimisation, never a second way of failing: where fork is not
available or not safe (another thread running), or when the process fails in any way, the
work is done here instead, so the caller gets the same value or the same exception as without
it. Nothing is written by the other process: files are written by the caller, which keeps the
build's "all or nothing" contract.
"""
from __future__ import annotations

import pickle


def _can_fork() -> bool:
    import multiprocessing
    import threading

    # fork copies only the calling thread: with others running, a lock one of them holds would
    # stay held in the copy forever
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _child(work, conn) -> None:
    try:
        data = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the caller does the work again and sees the error itself
        data = pickle.dumps((False, None))
    try:
        conn.send_bytes(data)
    finally:
        conn.close()


class Aside:
    """``work()`` started in a forked process; :meth:`result` waits for its value.

    Parameters
    ----------
    work : callable
        Takes no argument; its value must pickle. It must not write anything the caller relies
        on (it may run twice: in the other process and, if that fails, in this one).

    Examples
    --------
    >>> with Aside(lambda: sum(range(10))) as aside:
    ...     aside.result()
    45
    """

    def __init__(self, work):
        self._work = work
        self._process = self._conn = None
        if not _can_fork():
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(work, send), daemon=True, name="mlops-kg build")
        import gc

        gc.freeze()  # the copy's collector then leaves the inherited objects alone (no copy-on-write)
        try:
            process.start()
        except OSError:  # e.g. no memory or process slot for a copy: work here
            receive.close()
            return
        finally:
            gc.unfreeze()
            send.close()
        self._process, self._conn = process, receive

    def result(self):
        """The value of ``work()``: from the other process, or computed here if it failed."""
        if self._process is not None:
            try:
                ok, value = pickle.loads(self._conn.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                ok, value = False, None  # the process died before it could answer
            finally:
                self.close()
            if ok:
                return value
        return self._work()

    def close(self) -> None:
        """Stop the other process if it still runs (the caller stopped waiting for it)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
