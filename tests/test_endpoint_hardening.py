"""`serve` and its endpoint refuse bad values and bad requests cleanly: time limits that are not
numbers, unusable charsets, an empty host, queries nested past what the parser can take; its
log shows control characters escaped and no traceback when a client hangs up (issue 12)."""
from __future__ import annotations

import io
import socket
import time

import pytest
from click.testing import CliRunner

from mlops_kg.cli import cli
from mlops_kg.serve.answer import ServeError
from mlops_kg.serve.server import make_server

from .test_endpoint import _start, _stop, assert_one_line_error, call


@pytest.fixture(scope="module")
def logged_server(built):
    log = io.StringIO()
    server, thread = _start(built, timeout=5, workers=1, quiet=False, log=log)
    server.log_text = log
    yield server
    _stop(server, thread)


def _one_line_usage_error(result, *words):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "abc"])
def test_time_limits_must_be_a_finite_number_of_seconds(value, built, monkeypatch, cli_env):
    def must_not_start(*args, **kwargs):
        raise AssertionError("the server was started")

    monkeypatch.setattr("mlops_kg.serve.server.make_server", must_not_start)
    _one_line_usage_error(CliRunner().invoke(cli, ["serve", "--timeout", value, "--build", str(built)]),
                          "--timeout", "seconds")
    _one_line_usage_error(CliRunner().invoke(cli, ["query", "ASK {}", "--timeout", value, "--build", str(built)]),
                          "--timeout", "seconds")
    with pytest.raises(ServeError, match="timeout"):
        make_server(built, port=0, timeout=float(value) if value != "abc" else float("nan"))


def test_an_empty_host_is_refused_not_every_interface(built, monkeypatch, cli_env):
    monkeypatch.setattr("mlops_kg.serve.server.EndpointServer.serve_forever", lambda self, *a: None)
    result = CliRunner().invoke(cli, ["serve", "--host", "", "--port", "0", "--build", str(built)])
    _one_line_usage_error(result, "host is empty")
    assert "listening on :" not in result.output


@pytest.mark.parametrize("charset", ["undefined", "rot13", "base64", "no-such-charset"])
def test_an_unusable_charset_is_415_not_500(logged_server, charset):
    endpoint = logged_server.url + "sparql"
    for content_type, body in ((f"application/sparql-query; charset={charset}", b"ASK {}"),
                               (f"application/x-www-form-urlencoded; charset={charset}", b"query=ASK+%7B%7D")):
        assert_one_line_error(*call(endpoint, data=body, headers={"Content-Type": content_type}), 415, "charset")


def test_the_log_shows_control_characters_escaped(logged_server):
    with socket.create_connection(logged_server.server_address[:2], timeout=10) as client:
        client.sendall(b"GET /\x1b[2J\x1b]0;owned\x07\x9b31m HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while client.recv(65536):
            pass
    deadline = time.monotonic() + 10
    while "404" not in logged_server.log_text.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)  # the log line is written just after the answer is sent
    log = logged_server.log_text.getvalue()
    assert "GET /\\x1b[2J\\x1b]0;owned\\x07\\x9b31m 404" in log, log
    assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) < 0xa0 for c in log), repr(log)


def test_a_client_that_hangs_up_leaves_no_traceback(logged_server, capfd):
    for error in (ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError(32, "Broken pipe"),
                  TimeoutError("timed out")):
        try:
            raise error
        except OSError:
            logged_server.handle_error(None, ("127.0.0.1", 4242))
    try:
        raise RuntimeError("something else\x1b[2J")
    except RuntimeError:
        logged_server.handle_error(None, ("127.0.0.1", 4242))
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "reset" not in err
    assert "error while answering 127.0.0.1: RuntimeError: something else\\x1b[2J\n" in logged_server.log_text.getvalue()


def _nested(depth: int) -> str:
    return "SELECT ?l WHERE { tool:mlflow skos:prefLabel ?l FILTER(" + "(" * depth + "?l" + ")" * depth + ") }"


def test_deeply_nested_queries_work_up_to_the_limit_then_are_a_clear_400(logged_server, built):
    from mlops_kg.query.sparql import MAX_NESTING

    endpoint = logged_server.url + "sparql"
    for depth in (30, 40, MAX_NESTING - 2):
        status, _headers, body = call(endpoint, query=_nested(depth))
        assert status == 200 and "MLflow" in body, body
    assert_one_line_error(*call(endpoint, query=_nested(500)), 400, "nested too deeply", "flatten")
    result = CliRunner().invoke(cli, ["query", _nested(40), "--build", str(built), "--format", "csv"])
    assert result.exit_code == 0 and "MLflow" in result.output, result.output
