"""The remote client against small in-process servers that behave like the real ones do at
their worst (tests/test_virtuoso.py runs the real Virtuoso): a Graph Store endpoint that answers
a request without credentials with 401 and resets the connection before reading the body, one
that drops the connection without an answer, and SPARQL endpoints that give ASK answers in
each shape servers use."""
from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from mlops_kg.build import locate, pipeline
from mlops_kg.cli import cli

USER, PASSWORD, REALM, NONCE = "mlopskg", "secret", "SPARQL", "d455fb2a02f87825b2aa036a04ec28a8"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _digest_ok(value: str, method: str) -> bool:
    if not value.startswith("Digest "):
        return False
    items = {k.strip().lower(): v for k, v in urllib.request.parse_keqv_list(
        urllib.request.parse_http_list(value[len("Digest "):])).items()}
    if items.get("username") != USER or items.get("nonce") != NONCE:
        return False
    ha1, ha2 = _md5(f"{USER}:{REALM}:{PASSWORD}"), _md5(f"{method}:{items['uri']}")
    expected = _md5(f"{ha1}:{NONCE}:{items['nc']}:{items['cnonce']}:auth:{ha2}")
    return items.get("response") == expected


class FakeServer:
    """Answers one connection at a time on 127.0.0.1 with ``handler(method, headers, sock)``."""

    def __init__(self, handler):
        self.handler, self.requests = handler, []
        self.sock = socket.socket()
        # A small receive buffer: what the client can push before the server reads is bounded,
        # so a body the server never reads fails the client's send every time, not by luck.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(1)
                    if not chunk:
                        break
                    head += chunk
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                self.requests.append((method, "authorization" in headers))
                try:
                    self.handler(method, target, headers, conn)
                except OSError:  # the client went away: serve the next one
                    pass

    def close(self):
        self.sock.close()


def _reply(conn, status: str, extra: str = "", body: bytes = b""):
    conn.sendall(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                 + body)


def _reset(conn):
    """Close at once with a reset, dropping whatever the client sent that was not read."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _read_body(conn, headers):
    left = int(headers.get("content-length", 0))
    while left:
        chunk = conn.recv(min(left, 1 << 16))
        if not chunk:
            return
        left -= len(chunk)


def virtuoso_like(method, target, headers, conn):
    """Like Virtuoso's /sparql-graph-crud-auth: no (valid) Digest answer, no body read."""
    if not _digest_ok(headers.get("authorization", ""), method):
        _reply(conn, "401 Unauthorized", f'WWW-Authenticate: Digest realm="{REALM}", nonce="{NONCE}", '
                                         'opaque="5ebe", stale="false", qop="auth", algorithm="MD5"\r\n')
        _reset(conn)
        return
    _read_body(conn, headers)
    _reply(conn, "201 Created")


@pytest.fixture
def server(request):
    started = FakeServer(request.param)
    yield started
    started.close()


@pytest.fixture(scope="module")
def big_build(tmp_path_factory):
    """A 'build' with a 16 MB graph: far more than socket buffers hold, so the body cannot be
    sent to a server that stopped reading."""
    folder = tmp_path_factory.mktemp("bigbuild")
    text = "x" * 10_000
    with open(folder / "mlops-kg.nq", "w", encoding="utf-8") as out:
        for i in range(1600):
            out.write(f'<urn:s{i}> <urn:p> "{text}" <https://w3id.org/mlops-kg/graph/guide> .\n')
    (folder / "manifest.json").write_text("{}")  # with locate.is_fresh patched: a build as it stands
    return folder


def publish(server, build, *extra):
    return CliRunner().invoke(cli, ["publish", "--endpoint", f"{server.url}/sparql-graph-crud-auth",
                                    "--user", USER, "--password", PASSWORD, "--build", str(build), *extra])


@pytest.mark.parametrize("server", [virtuoso_like], indirect=True)
def test_publish_to_a_server_that_resets_unauthenticated_uploads(server, big_build, monkeypatch):
    monkeypatch.setattr(locate, "is_fresh", lambda _folder: True)
    result = publish(server, big_build)
    assert result.exit_code == 0, result.output
    assert result.stdout == "published 1600 triples to <https://w3id.org/mlops-kg/graph/guide>\n"
    assert ("PUT", False) not in server.requests  # the body only ever went with credentials


@pytest.mark.parametrize("server", [virtuoso_like], indirect=True)
def test_publish_with_a_wrong_password_says_401_not_broken_pipe(server, big_build, monkeypatch):
    monkeypatch.setattr(locate, "is_fresh", lambda _folder: True)
    result = CliRunner().invoke(cli, ["publish", "--endpoint", f"{server.url}/crud", "--user", USER,
                                      "--password", "wrong", "--build", str(big_build)])
    assert result.exit_code == 2
    line, = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "HTTP 401" in line and "--password" in line, line


def drops_uploads(method, target, headers, conn):
    if method == "HEAD":
        _reply(conn, "404 Not Found")
        return
    _reset(conn)  # no answer at all, body unread


@pytest.mark.parametrize("server", [drops_uploads], indirect=True)
def test_a_server_closing_mid_upload_is_not_called_unreachable(server, big_build, monkeypatch):
    monkeypatch.setattr(locate, "is_fresh", lambda _folder: True)
    result = publish(server, big_build)
    assert result.exit_code == 2
    line, = result.stderr.strip().splitlines()
    assert "cannot reach" not in line and "closed the connection" in line, line
    assert server.requests.count(("PUT", False)) == 2  # PUT replaces: sent once more, then given up


# --- ASK answers in every shape a server gives them ---------------------------------------

RETVAL = {"head": {"link": [], "vars": ["__ASK_RETVAL"]}, "results": {"distinct": False, "ordered": True}}
ASK_SHAPES = [  # (what the server sends, the answer it means)
    ({"head": {}, "boolean": True}, True),
    ({"head": {}, "boolean": False}, False),
    ({"head": {}, "boolean": "false"}, False),  # a string: bool("false") would be True
    ({**RETVAL, "results": {"bindings": [{"__ASK_RETVAL": {
        "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}]}}, True),
    ({**RETVAL, "results": {"bindings": []}}, False),  # Virtuoso without CaseMode=2: no row is no
    ({**RETVAL, "results": {"bindings": [{"__ASK_RETVAL": {"type": "literal", "value": "0"}}]}}, False),
]


def sparql_answering(doc):
    def handler(method, target, headers, conn):
        _read_body(conn, headers)
        _reply(conn, "200 OK", "Content-Type: application/sparql-results+json\r\n", json.dumps(doc).encode())
    return handler


@pytest.mark.parametrize("doc, answer", ASK_SHAPES)
def test_ask_answer_and_exit_code_in_every_shape(doc, answer):
    server = FakeServer(sparql_answering(doc))
    try:
        result = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", f"{server.url}/sparql"])
    finally:
        server.close()
    assert (result.exit_code, result.stdout.strip()) == ((0, "true") if answer else (1, "false")), result.output


@pytest.mark.parametrize("doc", [
    {**RETVAL, "results": {"bindings": [{"__ASK_RETVAL": {"type": "literal", "value": "maybe"}}]}},
    {"head": {"vars": ["a", "b"]}, "results": {"bindings": []}},
    {"head": {}, "boolean": None},
])
def test_an_ask_answer_that_is_no_boolean_is_an_error(doc):
    server = FakeServer(sparql_answering(doc))
    try:
        result = CliRunner().invoke(cli, ["query", "ASK {}", "--endpoint", f"{server.url}/sparql"])
    finally:
        server.close()
    assert result.exit_code == 2
    line, = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "did not answer the ASK query with a boolean" in line, line


# --- a remote query makes no local build ---------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nobody listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args", [["ASK {}"], ["is-open-source", "--param", "tool=W&B"]])
def test_remote_query_builds_nothing_locally(tmp_path, args):
    import os
    import subprocess
    import sys

    cache, folder = tmp_path / "cache", tmp_path / "work"
    cache.mkdir()
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "MLOPS_KG_BUILD"}
    env["XDG_CACHE_HOME"] = str(cache)
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    done = subprocess.run([sys.executable, "-m", "mlops_kg", "query", *args, "--endpoint", url],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: cannot reach {url}"), done.stderr
    # a build, even an abandoned one, leaves its cache folder or output behind: the real check
    # (CPU time of RUSAGE_CHILDREN also counted other tests' children, and flaked)
    assert list(cache.iterdir()) == [] and list(folder.iterdir()) == []


def test_remote_names_come_from_an_up_to_date_build_index(built, monkeypatch):
    from mlops_kg.build.locate import local_names

    monkeypatch.setattr(pipeline, "load_sources", None)  # the index alone is enough
    assert str(local_names(str(built)).resolve("W&B")).endswith("/tool/weights-and-biases")


# --- what publish sends --------------------------------------------------------------------

@pytest.mark.parametrize("merged", [None, "urn:x-test:merged"])
def test_uploads_cut_from_lines_are_the_parsed_graphs(built, merged):
    from rdflib import Graph

    from mlops_kg.query.graph_store import _uploads_from_lines, _uploads_from_rdflib

    fast, parsed = _uploads_from_lines(built / "mlops-kg.nq", merged), _uploads_from_rdflib(built / "mlops-kg.nq", merged)
    assert [(iri, n) for iri, _, n in fast] == [(iri, n) for iri, _, n in parsed]
    for (iri, a, _), (_, b, _) in zip(fast, parsed):
        assert set(Graph().parse(data=a, format="nt")) == set(Graph().parse(data=b, format="nt")), iri


def test_uploads_with_blank_nodes_or_a_default_graph_are_parsed(tmp_path):
    from mlops_kg.query.graph_store import _uploads_from_lines

    nq = tmp_path / "x.nq"
    nq.write_text('_:b <urn:p> "x" <urn:g> .\n')
    assert _uploads_from_lines(nq, None) is None
    nq.write_text('<urn:s> <urn:p> "a <b> c"^^<urn:d> .\n')
    assert _uploads_from_lines(nq, None) is None


def stale_once():
    answered = []

    def handler(method, target, headers, conn):
        if method == "PUT" and _digest_ok(headers.get("authorization", ""), method) and not answered:
            answered.append(1)
            _read_body(conn, headers)
            _reply(conn, "401 Unauthorized", f'WWW-Authenticate: Digest realm="{REALM}", nonce="{NONCE}", '
                                             'stale="true", qop="auth", algorithm="MD5"\r\n')
            return
        virtuoso_like(method, target, headers, conn)
    return handler


@pytest.mark.parametrize("server", [stale_once()], indirect=True)
def test_put_answers_a_stale_nonce_once_more(server):
    from mlops_kg.query.graph_store import put_graph

    assert put_graph(f"{server.url}/crud?graph=urn:g", b"<urn:s> <urn:p> <urn:o> .\n", user=USER,
                     password=PASSWORD) == 201
    assert server.requests == [("HEAD", False), ("PUT", True), ("PUT", True)]


def no_head(method, target, headers, conn):
    if method == "HEAD":
        _reset(conn)  # drops HEAD without an answer; challenges the PUT instead
        return
    if not _digest_ok(headers.get("authorization", ""), method):
        _read_body(conn, headers)
    virtuoso_like(method, target, headers, conn)


@pytest.mark.parametrize("server", [no_head], indirect=True)
def test_put_without_head_support_answers_the_puts_challenge(server):
    from mlops_kg.query.graph_store import put_graph

    assert put_graph(f"{server.url}/crud?graph=urn:g", b"<urn:s> <urn:p> <urn:o> .\n", user=USER,
                     password=PASSWORD) == 201
    assert server.requests == [("HEAD", False), ("PUT", False), ("PUT", True)]


# --- user names, passwords and graph IRIs that cannot go in a request as given --------------

def _digest_fields(value: str) -> dict:
    """The parameters of a Digest header, quoted-strings unescaped (as a strict server reads them)."""
    import re

    fields = {}
    for key, quoted, token in re.findall(r'([\w*-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', value[len("Digest "):]):
        fields[key.lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted or not token else token
    return fields


def digest_for(user: str):
    """A Graph Store that takes only a correct Digest answer from ``user`` (RFC 7616, UTF-8)."""
    def handler(method, target, headers, conn):
        value = headers.get("authorization", "")
        fields = _digest_fields(value) if value.startswith("Digest ") else {}
        name = fields.get("username")
        if "username*" in fields:
            charset, _, encoded = fields["username*"].partition("''")
            name = urllib.parse.unquote(encoded, encoding="utf-8") if charset.upper() == "UTF-8" else None
        if name == user and fields.get("nonce") == NONCE:
            ha1, ha2 = _md5(f"{user}:{REALM}:{PASSWORD}"), _md5(f"{method}:{fields['uri']}")
            if fields.get("response") == _md5(f"{ha1}:{NONCE}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}"):
                _read_body(conn, headers)
                _reply(conn, "201 Created")
                return
        _read_body(conn, headers)
        _reply(conn, "401 Unauthorized", f'WWW-Authenticate: Digest realm="{REALM}", nonce="{NONCE}", '
                                         'qop="auth", algorithm="MD5", charset=UTF-8\r\n')
    return handler


@pytest.mark.parametrize("user", ["用户", 'a"b\\c', "Zoë"])
def test_digest_sends_utf8_and_quoted_user_names_as_rfc_7616_says(user):
    from mlops_kg.query.graph_store import put_graph

    fake = FakeServer(digest_for(user))
    try:
        assert put_graph(f"{fake.url}/crud?graph=urn:g", b"<urn:s> <urn:p> <urn:o> .\n", user=user,
                         password=PASSWORD) == 201
    finally:
        fake.close()


@pytest.mark.parametrize("server", [virtuoso_like], indirect=True)
@pytest.mark.parametrize("option, value", [("--user", "a\nb"), ("--user", "a\rb"), ("--password", "se\ncret"),
                                           ("--user", "a\x7fb")])
def test_publish_refuses_credentials_with_control_characters_in_one_line(server, big_build, monkeypatch,
                                                                         option, value):
    monkeypatch.setattr(locate, "is_fresh", lambda folder: True)
    result = CliRunner().invoke(cli, ["publish", "--endpoint", f"{server.url}/crud", "--user", USER,
                                      "--password", PASSWORD, option, value, "--build", str(big_build)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "control character" in result.output and "Traceback" not in result.output
    assert server.requests == []  # refused before anything was sent


@pytest.mark.parametrize("server", [virtuoso_like], indirect=True)
@pytest.mark.parametrize("iri", ["urn:a b", "https://example.org/<g>", "graph", "urn:a\nb", 'urn:"g"'])
def test_publish_refuses_a_graph_that_is_not_an_iri_in_one_line(server, big_build, monkeypatch, iri):
    monkeypatch.setattr(locate, "is_fresh", lambda folder: True)
    result = publish(server, big_build, "--graph", iri)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: the graph ") and result.output.count("\n") == 1, result.output
    assert server.requests == []


def test_basic_refuses_a_user_name_with_a_colon():
    from mlops_kg.errors import EndpointError
    from mlops_kg.query.graph_store import put_graph

    def basic_only(method, target, headers, conn):
        _read_body(conn, headers)
        _reply(conn, "401 Unauthorized", 'WWW-Authenticate: Basic realm="x"\r\n')
    fake = FakeServer(basic_only)
    try:
        with pytest.raises(EndpointError, match="colon"):
            put_graph(f"{fake.url}/crud?graph=urn:g", b"", user="a:b", password="p")
    finally:
        fake.close()


def test_query_on_an_endpoint_that_wants_a_password():
    """`query --endpoint` takes --user / --password / --auth, as publish does (DESIGN.md's
    contract); without them the server's 401 is one line naming the URL."""
    import json

    def sparql_with_digest(method, target, headers, conn):
        _read_body(conn, headers)
        if not _digest_ok(headers.get("authorization", ""), method):
            _reply(conn, "401 Unauthorized", f'WWW-Authenticate: Digest realm="{REALM}", nonce="{NONCE}", '
                                             'qop="auth", algorithm="MD5"\r\n', b"who are you\n")
            return
        _reply(conn, "200 OK", "Content-Type: application/sparql-results+json\r\n",
               json.dumps({"head": {}, "boolean": True}).encode())

    fake = FakeServer(sparql_with_digest)
    try:
        url = f"{fake.url}/sparql"
        ok = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", url, "--user", USER,
                                      "--password", PASSWORD])
        assert (ok.exit_code, ok.output) == (0, "true\n")
        refused = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", url])
        assert refused.exit_code == 2 and refused.output == f"error: {url} answered HTTP 401: who are you\n"
        bad = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", url, "--user", "a\nb"])
        assert bad.exit_code == 2 and bad.output.startswith("error: the user name holds a control character")
    finally:
        fake.close()
    local = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--user", USER])
    assert local.exit_code == 2 and "--user is for a remote endpoint" in local.output
