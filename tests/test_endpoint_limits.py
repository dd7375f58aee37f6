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


def test_one_client_address_may_not_take_every_worker(built):
    server, thread = _start(built, timeout=3, workers=2, client_queries=1)
    try:
        slow = {}
        runner = threading.Thread(target=lambda: slow.update(r=call(server.url + "sparql", query=SLOW_QUERY)[0]))
        runner.start()
        deadline = time.monotonic() + 10
        while server.running("127.0.0.1") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # until the slow query holds its worker
        status, headers, body = _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")
        assert status == 429 and headers["Retry-After"] == "1" and "running" in body, body
        status, _headers, body = _get_from("127.0.0.2", server, "ASK { ?s ?p ?o }")  # another client
        assert status == 200 and "true" in body, body
        runner.join(20)
        assert slow["r"] == 503
        assert _get_from("127.0.0.1", server, "ASK { ?s ?p ?o }")[0] == 200  # its turn again
    finally:
        _stop(server, thread)


def test_a_client_that_does_not_read_its_answer_is_disconnected(built):
    log = io.StringIO()
    server, thread = _start(built, timeout=20, workers=1, send_timeout=1.0, max_bytes=64 * 2**20,
                            quiet=False, log=log)
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
            time.sleep(3)  # no event to await: the point is a client that does nothing
            received = 0
            while chunk := client.recv(1 << 20):
                received += len(chunk)
        assert received < length  # the server gave up and closed the connection
        assert call(server.url + "sparql", query="ASK { ?s ?p ?o }")[0] == 200
    finally:
        _stop(server, thread)
    assert "Traceback" not in log.getvalue()
