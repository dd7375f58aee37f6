"""The endpoint's memory and capacity are bounded (issue 12 item 4): answer bytes, worker memory,
queries per client address, and the time a client has to take its answer."""
from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
import urllib.parse

import pytest
from rdflib import Graph

from mlops_kg.serve.answer import client_quota
from mlops_kg.serve.server import make_server

from .test_endpoint import SLOW_QUERY, _start, _stop, call

MAX_BYTES = 4096


def _doubled(doublings: int, *, length_only: bool = False) -> str:
    """A query whose one value is a string of 10 * 2**doublings characters, made in the engine."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(doublings))
    projection = f"(STRLEN(?x{doublings}) AS ?n)" if length_only else f"?x{doublings}"
    return f'SELECT {projection} WHERE {{ BIND("0123456789" AS ?x0) {binds} }}'


@pytest.fixture(scope="module")
def small_answers(built):
    server, thread = _start(built, timeout=20, workers=1, max_bytes=MAX_BYTES, max_memory_mb=256)
    yield server
    _stop(server, thread)


def test_an_answer_is_cut_to_the_leading_rows_that_fit_in_max_bytes(small_answers):
    endpoint = small_answers.url + "sparql"
    status, headers, body = call(endpoint, query="SELECT ?s ?l WHERE { ?s skos:prefLabel ?l } ORDER BY ?l")
    assert status == 200
    assert len(body.encode()) <= MAX_BYTES
    rows = json.loads(body)["results"]["bindings"]
    assert 10 < len(rows) < 100
    assert headers["X-Result-Truncated"] == "true" and headers["X-Result-Truncated-By"] == "bytes"
    assert headers["X-Result-Max-Bytes"] == str(MAX_BYTES)
    status, headers, body = call(endpoint, query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                 headers={"Accept": "text/turtle"})
    assert status == 200 and len(body.encode()) <= MAX_BYTES and headers["X-Result-Truncated-By"] == "bytes"
    assert len(Graph().parse(data=body, format="turtle")) > 10
    # one value longer than the limit: no rows, and the answer says it was cut
    status, headers, body = call(endpoint, query=_doubled(10), params={"format": "csv"})
    assert status == 200 and body.strip() == "x10" and headers["X-Result-Truncated"] == "true"
    status, headers, body = call(endpoint, query="ASK { ?s ?p ?o }")
    assert status == 200 and "X-Result-Truncated" not in headers


def test_a_query_past_the_memory_limit_is_stopped_and_the_worker_replaced(small_answers):
    endpoint = small_answers.url + "sparql"
    status, _headers, body = call(endpoint, query=_doubled(26, length_only=True), timeout=60)  # 640 MB
    assert status == 503 and "memory" in body, body
    status, _headers, body = call(endpoint, query=_doubled(16, length_only=True), timeout=60)
    assert status == 200 and "655360" in body, body


def _get_from(address: str, server, query: str):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=30, source_address=(address, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Host": f"127.0.0.1:{server.server_address[1]}"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def _loopback_bindable(address: str) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


needs_second_loopback = pytest.mark.skipif(
    not _loopback_bindable("127.0.0.2"),
    reason="127.0.0.2 cannot be bound here (only Linux routes all of 127/8 to loopback); it stands in "
           "for a second client address")


def _hold_worker(server, query: str = SLOW_QUERY) -> threading.Thread:
    """A client (127.0.0.1) running ``query`` in the background; returns once the server counts it."""
    before = server.running("127.0.0.1")
    outcome = {}

    def run():
        try:
            outcome["status"] = call(server.url + "sparql", query=query, timeout=120)[0]
        except OSError as exc:  # the server was stopped under it
            outcome["status"] = exc
    runner = threading.Thread(target=run, daemon=True)
    runner.outcome = outcome
    runner.start()
    deadline = time.monotonic() + 60
    while server.running("127.0.0.1") == before and runner.is_alive():
        assert time.monotonic() < deadline, "the slow query never reached the server"
        time.sleep(0.01)  # no event to await inside the server: poll its own count
    return runner


def _wait_running(server, count: int) -> None:
    deadline = time.monotonic() + 60
    while server.running("127.0.0.1") != count:
        assert time.monotonic() < deadline, server.running("127.0.0.1")
        time.sleep(0.01)


def test_by_default_a_slow_local_query_leaves_other_local_clients_answered(built):
    """Every local client is 127.0.0.1: with the default settings one slow query (a browser tab,
    a script) must not get every other local client a 429 for the whole time limit; yet the
    one address cannot hold every worker either."""
    # the defaults of make_server (not _start's test settings); the time limit is the window in
    # which the checks below must happen, so it is long, and nothing waits for it to pass
    server = make_server(built, port=0, quiet=True, timeout=60)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server.pool.size == 3 and server.client_queries == 2
        _hold_worker(server)
        status, _headers, body = _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")
        assert status == 200 and "true" in body, body
        _hold_worker(server)  # the same address, a second slow query: now it holds two of three
        status, headers, body = _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")
        assert status == 429 and headers["Retry-After"] == "1", body
        assert "every client on this machine counts as one address" in body, body
        if _loopback_bindable("127.0.0.2"):  # the worker it may not take serves another address
            status, _headers, body = _get_from("127.0.0.2", server, "ASK { ?s ?p ?o }")
            assert status == 200 and "true" in body, body
    finally:
        _stop(server, thread)


def test_the_default_quota_is_one_fewer_than_the_workers():
    assert [client_quota(n) for n in (1, 2, 3, 8)] == [1, 1, 2, 7]
    assert client_quota(3, 5) == 5


@needs_second_loopback
def test_one_client_address_may_not_take_every_worker(built):
    # a long time limit: the checks must happen while the slow query runs, on a busy machine too
    server, thread = _start(built, timeout=60, workers=2, client_queries=1)
    try:
        _hold_worker(server)
        status, headers, body = _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")
        assert status == 429 and headers["Retry-After"] == "1" and "running" in body, body
        status, _headers, body = _get_from("127.0.0.2", server, "ASK { ?s ?p ?o }")  # another client
        assert status == 200 and "true" in body, body
    finally:
        _stop(server, thread)


def test_an_address_may_query_again_once_its_query_is_answered(built):
    server, thread = _start(built, timeout=1, workers=2, client_queries=1)
    try:
        runner = _hold_worker(server)
        runner.join(60)  # the time limit stops it
        assert runner.outcome["status"] == 503
        _wait_running(server, 0)
        assert _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")[0] == 200  # its turn again
    finally:
        _stop(server, thread)


def test_a_client_that_does_not_read_its_answer_is_disconnected(built):
    log = io.StringIO()
    server, thread = _start(built, timeout=20, workers=1, send_timeout=1.0, max_bytes=64 * 2**20,
                            quiet=False, log=log)
    closed = threading.Event()
    shutdown_request = server.shutdown_request

    def record_close(request):  # the one connection of this test: the server gave up on it
        shutdown_request(request)
        closed.set()
    server.shutdown_request = record_close
    try:
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.settimeout(30)
            client.connect(server.server_address[:2])
            query = urllib.parse.urlencode({"query": _doubled(22), "format": "csv"})  # a 40 MB answer
            client.sendall(f"GET /sparql?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(1)  # the headers arrive first; then the client stops reading
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            assert length > 40_000_000
            # the client does nothing until the server has closed the connection; what reaches it
            # then is only what the socket buffers held (a few MB at most), not the answer
            assert closed.wait(60), "the server did not disconnect a client that reads nothing"
            received = 0
            while chunk := client.recv(1 << 20):
                received += len(chunk)
        assert received < length  # the server gave up and closed the connection
        assert call(server.url + "sparql", query="ASK { ?s ?p ?o }")[0] == 200
    finally:
        _stop(server, thread)
    assert "Traceback" not in log.getvalue()


def test_serve_help_says_local_clients_share_one_quota_and_send_timeout_is_settable():
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["serve", "--help"], terminal_width=200).output.split())
    assert "All clients on this machine reach a loopback address as 127.0.0.1 (or ::1) and so share one quota" in text
    assert "--send-timeout SECONDS" in text
    result = CliRunner().invoke(cli, ["serve", "--send-timeout", "0"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "--send-timeout" in result.output


def test_serve_passes_send_timeout_and_the_default_quota_to_the_server(built, monkeypatch):
    from click.testing import CliRunner

    import mlops_kg.serve.server as server_module
    from mlops_kg.cli import cli

    seen = {}

    def fake_make_server(build_dir, host, port, **options):
        seen.update(options)
        raise server_module.ServeError("stop here")
    monkeypatch.setattr(server_module, "make_server", fake_make_server)
    result = CliRunner().invoke(cli, ["serve", "--build", str(built), "--send-timeout", "2.5"])
    assert result.exit_code == 2 and "stop here" in result.output, result.output
    assert seen["send_timeout"] == 2.5 and seen["client_queries"] is None and seen["workers"] == 3
