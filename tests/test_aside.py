"""Work done in a forked process (mlops_kg.build.aside): the same value or the same error as
without it, whatever happens to the other process."""
from __future__ import annotations

import os
import threading

import pytest

from mlops_kg.build import aside
from mlops_kg.build.aside import Aside


def test_the_value_comes_from_the_other_process(monkeypatch):
    # a thread another test left running (a server's, pytest-xdist's) makes Aside work here, as
    # it must; os.getpid takes no lock, so forking beside such a thread is safe for this test
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    with Aside(os.getpid) as work:
        assert work.result() != os.getpid()


def test_an_error_in_the_other_process_is_raised_here_as_it_is():
    calls = []

    def work():
        calls.append(os.getpid())
        raise LookupError("no such tool")

    with Aside(work) as job, pytest.raises(LookupError, match="no such tool"):
        job.result()
    assert calls == [os.getpid()]  # done again here: the copy's call was in the other process


def test_a_process_that_dies_is_replaced_by_work_here():
    parent = os.getpid()

    def work():
        if os.getpid() != parent:
            os._exit(3)  # dies without answering
        return "done here"

    with Aside(work) as job:
        assert job.result() == "done here"


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not aside._can_fork()
        with Aside(os.getpid) as job:
            assert job.result() == os.getpid()
    finally:
        stop.set()
        thread.join()
