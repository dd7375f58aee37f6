"""The SPARQL 1.1 endpoint, tested over real HTTP with real clients (SPARQLWrapper, rdflib's
SPARQLStore, urllib) against servers started in-process on free ports."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from mlops_kg.serve.negotiate import GRAPH_OFFERS, SELECT_OFFERS, negotiate
from mlops_kg.serve.page import render_page
from mlops_kg.serve.server import make_server

from .conftest import venv_bin
from .support.canary import recording_server

TIMEOUT = 2.5  # seconds; the slow query must be stopped after this
MAX_ROWS = 50
MLFLOW = URIRef("https://w3id.org/mlops-kg/id/tool/mlflow")
GUIDE = "https://w3id.org/mlops-kg/graph/guide"
CURATED = "https://w3id.org/mlops-kg/graph/curated"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
LABEL_QUERY = "SELECT ?l WHERE { tool:mlflow skos:prefLabel ?l }"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def _start(built, **options):
    """A server on a free port; unless a test says otherwise two workers, and a client quota
    no test's concurrent requests reach (every test client is the one address 127.0.0.1)."""
    server = make_server(built, port=0, **{"quiet": True, "workers": 2, "client_queries": 64, **options})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, exited but not yet reaped by its parent, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return True


def _left_running(pids, wait: float = 3.0) -> list[int]:
    """The ``pids`` still running after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        running = [p for p in pids if _alive(p)]
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)


def _stop(server, thread):
    pids = server.pool.pids()
    server.shutdown()
    thread.join(5)
    assert not thread.is_alive()
    assert not [p for p in pids if _alive(p)], "worker processes left behind"


@pytest.fixture(scope="module")
def oxigraph_server(built):
    server, thread = _start(built, timeout=TIMEOUT, max_rows=MAX_ROWS, workers=2)
    yield server
    _stop(server, thread)


@pytest.fixture(scope="module")
def rdflib_server(built):
    server, thread = _start(built, engine="rdflib", timeout=TIMEOUT, max_rows=MAX_ROWS, workers=1)
    yield server
    _stop(server, thread)


@pytest.fixture
def endpoint(oxigraph_server):
    return oxigraph_server.url + "sparql"


@pytest.fixture(params=["oxigraph", "rdflib"])
def any_endpoint(request):
    """The endpoint on each store engine (rdflib's engine is the one that would fetch URLs)."""
    return request.getfixturevalue(f"{request.param}_server").url + "sparql"


@pytest.fixture
def recorder():
    """A tiny HTTP server that records every request it gets (it must get none)."""
    with recording_server(b"<urn:a> <urn:b> <urn:c> .\n", "text/turtle", "/data") as served:
        yield served


def call(url, *, query=None, params=None, data=None, headers=None, method=None, timeout=15):
    """(status, headers, body text) of one request; HTTP errors are returned, not raised."""
    params = dict(params or {})
    if query is not None:
        params["query"] = query
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read().decode("utf-8")


def post_form(url, fields, headers=None):
    return call(url, data=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def labels(body: str) -> list[str]:
    return [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]]


def assert_one_line_error(status, headers, body, expected_status, *words):
    assert status == expected_status, body
    assert headers["Content-Type"].startswith("text/plain")
    assert body.endswith("\n") and "\n" not in body.rstrip("\n"), body
    assert "Traceback" not in body
    for word in words:
        assert word.lower() in body.lower(), body


# --- the protocol: GET, both POST forms, known answers ---------------------------------------

def test_get_select_returns_w3c_json(endpoint):
    status, headers, body = call(endpoint, query=LABEL_QUERY)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert json.loads(body)["head"]["vars"] == ["l"]
    assert labels(body) == ["MLflow"]
    assert "X-Result-Truncated" not in headers


def test_post_form_and_post_sparql_query(endpoint):
    status, _, body = post_form(endpoint, {"query": LABEL_QUERY})
    assert status == 200 and labels(body) == ["MLflow"]
    status, headers, body = call(endpoint, data=LABEL_QUERY.encode(),
                                 headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and labels(body) == ["MLflow"]
    assert headers["Content-Type"].startswith("application/sparql-results+json")


def test_client_may_declare_prefixes(endpoint):
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "PREFIX t: <https://w3id.org/mlops-kg/id/tool/>\n"
             "SELECT ?l WHERE { t:mlflow skos:prefLabel ?l }")
    assert labels(call(endpoint, query=query)[2]) == ["MLflow"]


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.4, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml"),
    ("text/html, */*;q=0.8", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0, text/*;q=0.5", "text/csv"),
])
def test_select_content_negotiation(endpoint, accept, media_type):
    status, headers, body = call(endpoint, query=LABEL_QUERY, headers={"Accept": accept})
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in headers["Vary"]
    if media_type.endswith("json"):
        assert labels(body) == ["MLflow"]
    elif media_type.endswith("xml"):
        root = ET.fromstring(body)
        assert [e.text for e in root.iter(f"{RESULTS_NS}literal")] == ["MLflow"]
        assert root.find(f"{RESULTS_NS}head/{RESULTS_NS}variable").get("name") == "l"
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(body))) == [["l"], ["MLflow"]]
    else:
        assert body.splitlines() == ["?l", '"MLflow"']


@pytest.mark.parametrize("accept, check", [
    ("application/sparql-results+json", lambda body: json.loads(body)["boolean"] is True),
    ("application/sparql-results+xml",
     lambda body: ET.fromstring(body).find(f"{RESULTS_NS}boolean").text == "true"),
    ("text/csv", lambda body: body.strip() == "true"),
])
def test_ask(endpoint, accept, check):
    status, headers, body = call(endpoint, query='ASK { tool:mlflow skos:prefLabel "MLflow" }',
                                 headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(accept) and check(body)


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/sparql-results+json;q=0.9, application/n-triples;q=0.5", "application/n-triples", "nt"),
])
def test_construct_content_negotiation(endpoint, accept, media_type, rdflib_format):
    query = "CONSTRUCT { tool:mlflow skos:prefLabel ?l } WHERE { tool:mlflow skos:prefLabel ?l }"
    status, headers, body = call(endpoint, query=query, headers={"Accept": accept} if accept else {})
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media_type
    graph = Graph().parse(data=body, format=rdflib_format)
    assert set(graph) == {(MLFLOW, SKOS.prefLabel, Literal("MLflow"))}


def test_format_parameter_overrides_accept(endpoint):
    status, headers, body = call(endpoint, params={"format": "csv"}, query=LABEL_QUERY,
                                 headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and "MLflow" in body
    status, headers, _ = call(endpoint, params={"format": "xml"},
                              query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
    assert_one_line_error(*call(endpoint, params={"format": "ttl"}, query=LABEL_QUERY), 406, "SELECT")
    assert_one_line_error(*call(endpoint, params={"format": "docx"}, query=LABEL_QUERY), 400, "format")


@pytest.mark.parametrize("query, accept", [
    (LABEL_QUERY, "text/turtle"),
    (LABEL_QUERY, "image/png"),
    ("ASK { ?s ?p ?o }", "application/n-triples"),
    ("DESCRIBE tool:mlflow", "application/sparql-results+json"),
    (LABEL_QUERY, "application/sparql-results+json;q=0, */*;q=0"),
])
def test_406_when_nothing_acceptable(endpoint, query, accept):
    assert_one_line_error(*call(endpoint, query=query, headers={"Accept": accept}), 406, "format")


def test_negotiate_prefers_q_then_specificity_then_server_order():
    assert negotiate(None, SELECT_OFFERS) == "json"
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", SELECT_OFFERS) == "xml"
    assert negotiate("*/*;q=0.5, text/csv;q=0", SELECT_OFFERS) == "json"
    assert negotiate("text/*", SELECT_OFFERS) == "csv"
    assert negotiate("application/ld+json, text/turtle", GRAPH_OFFERS) == "ttl"
    assert negotiate("text/html", SELECT_OFFERS) is None
    assert negotiate("garbage;;q=x", SELECT_OFFERS) == "json"  # unparsable: as if no preference


# --- real clients ----------------------------------------------------------------------------

def test_sparqlwrapper_select_ask_construct(endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(LABEL_QUERY)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert [b["l"]["value"] for b in answer["results"]["bindings"]] == ["MLflow"]

    client.setMethod(POST)
    client.setQuery('ASK { tool:mlflow skos:prefLabel "MLflow" }')
    assert client.query().convert()["boolean"] is True

    client = SPARQLWrapper(endpoint)  # default return format: RDF/XML for CONSTRUCT
    client.setQuery("CONSTRUCT { tool:mlflow skos:prefLabel ?l } WHERE { tool:mlflow skos:prefLabel ?l }")
    graph = client.query().convert()
    assert set(graph) == {(MLFLOW, SKOS.prefLabel, Literal("MLflow"))}


def test_rdflib_sparqlstore(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(query_endpoint=endpoint)
    graph = Graph(store)
    assert [str(row.l) for row in graph.query(LABEL_QUERY)] == ["MLflow"]
    assert graph.query('ASK { tool:mlflow skos:prefLabel "MLflow" }').askAnswer is True
    built = graph.query("CONSTRUCT { tool:mlflow skos:prefLabel ?l } WHERE { tool:mlflow skos:prefLabel ?l }")
    assert set(built) == {(MLFLOW, SKOS.prefLabel, Literal("MLflow"))}
    store.close()


# --- service description and the page --------------------------------------------------------

def test_service_description(oxigraph_server, endpoint):
    status, headers, body = call(endpoint)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    service = graph.value(predicate=SD.endpoint, object=URIRef(endpoint))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) >= 7
    dataset = graph.value(service, SD.defaultDataset)
    names = {str(graph.value(g, SD.name)) for g in graph.objects(dataset, SD.namedGraph)}
    assert names == set(oxigraph_server.graph_names) and {GUIDE, CURATED} <= names


def test_page_is_self_contained(oxigraph_server):
    status, headers, body = call(oxigraph_server.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in body and "fetch(" in body
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", body, re.I)
    assert not re.search(r"<link\b|<iframe\b|<img\b|@import|url\(", body, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", body, re.I)
    assert "innerHTML" not in body
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    examples = json.loads(re.search(r'id="example-data">(.*?)</script>', body, re.S).group(1))
    assert "listed-tools" in [e["name"] for e in examples]  # named queries without parameters


def test_page_escapes_what_it_embeds():
    evil = "</script><script>alert(1)</script></textarea><img src=x onerror=alert(1)>"
    page = render_page([{"name": evil, "query": evil}], nonce="n0nce", timeout=1, max_rows=5)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;/textarea&gt;" in page  # the textarea content is HTML-escaped


# --- read-only and hardened ------------------------------------------------------------------

def test_updates_are_refused_with_403(any_endpoint):
    insert = 'INSERT DATA { tool:pwned skos:prefLabel "pwned" }'
    for response in (call(any_endpoint, params={"update": insert}),
                     post_form(any_endpoint, {"update": insert}),
                     call(any_endpoint, data=insert.encode(), headers={"Content-Type": "application/sparql-update"}),
                     call(any_endpoint, query=insert),
                     call(any_endpoint, query="LOAD <http://127.0.0.1:9/data.ttl>"),
                     post_form(any_endpoint, {"query": "CLEAR ALL"})):
        assert_one_line_error(*response, 403, "read-only")
    assert json.loads(call(any_endpoint, query='ASK { ?s skos:prefLabel "pwned" }')[2])["boolean"] is False


def test_service_from_and_dataset_params_naming_other_graphs_are_refused_without_any_request(
        any_endpoint, recorder):
    remote, hits = recorder
    for response in (
            call(any_endpoint, query=f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}"),
            call(any_endpoint, query=f"SELECT * WHERE {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }}"),
            post_form(any_endpoint, {"query": f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{remote}> "
                                              "{ ?s ?p ?o } } }"})):
        assert_one_line_error(*response, 400, "SERVICE")
    for response in (
            call(any_endpoint, query=f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}"),
            call(any_endpoint, query=f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
            call(any_endpoint, query="SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
            call(any_endpoint, query="SELECT * WHERE { ?s ?p ?o }", params={"default-graph-uri": remote}),
            call(any_endpoint, query="SELECT * WHERE { ?s ?p ?o }", params={"named-graph-uri": remote})):
        assert_one_line_error(*response, 400, "not loaded")
    time.sleep(0.2)
    assert hits == []


def _count(endpoint, query, **params):
    status, _, body = call(endpoint, query=query, params=params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_loaded_graphs_may_be_chosen_by_from_or_protocol_params(any_endpoint):
    in_guide = _count(any_endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GUIDE}> {{ ?s ?p ?o }} }}")
    union = _count(any_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < in_guide < union
    assert _count(any_endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{GUIDE}> WHERE {{ ?s ?p ?o }}") == in_guide
    assert _count(any_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                  **{"default-graph-uri": GUIDE}) == in_guide
    # the protocol dataset replaces the query's
    assert _count(any_endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{CURATED}> WHERE {{ ?s ?p ?o }}",
                  **{"default-graph-uri": GUIDE}) == in_guide
    # only named graphs given: the default graph is empty, GRAPH ?g sees just those
    named_only = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GUIDE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(any_endpoint, named_only) == in_guide
    assert _count(any_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"named-graph-uri": GUIDE}) == 0


@pytest.mark.parametrize("query, where", [
    ("SELECT ?l WHERE {\n  tool:mlflow skos:prefLabel ?l .\n  FILTER(?l = )\n}", "line 3, column 3"),
    ("SELECT ?l WHERE { nope:mlflow skos:prefLabel ?l }", "line 1"),
    ("SELEKT * WHERE { ?s ?p ?o }", "line 1"),
])
def test_malformed_query_is_400_with_line_and_column(any_endpoint, query, where):
    status, headers, body = call(any_endpoint, query=query)
    assert_one_line_error(status, headers, body, 400, "malformed", where, "column")


def test_row_cap_returns_first_rows_and_flags_truncation(endpoint):
    status, headers, body = call(endpoint, query="SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
    assert headers["X-Result-Truncated"] == "true"
    status, headers, body = call(endpoint, query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                 headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.strip().splitlines()) == MAX_ROWS
    assert headers["X-Result-Truncated"] == "true"
    status, headers, _ = call(endpoint, query=f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert status == 200 and "X-Result-Truncated" not in headers


@pytest.mark.slow
def test_slow_query_is_stopped_while_other_clients_are_answered(oxigraph_server, endpoint):
    pool = oxigraph_server.pool
    before, restarts = set(pool.pids()), pool.restarts
    slow = {}

    def run_slow():
        started = time.monotonic()
        slow["response"] = call(endpoint, query=SLOW_QUERY, timeout=30)
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.4)  # the slow query is running in one worker now
    started = time.monotonic()
    status, _, body = call(endpoint, query=LABEL_QUERY)
    quick = time.monotonic() - started
    assert status == 200 and labels(body) == ["MLflow"]
    assert quick < TIMEOUT / 2, f"the quick query waited {quick:.2f} s"
    assert thread.is_alive(), "the slow query should still be running"
    thread.join(30)
    assert_one_line_error(*slow["response"], 503, "time limit")
    assert TIMEOUT - 0.2 <= slow["seconds"] < TIMEOUT + 2.0, slow["seconds"]
    assert pool.restarts == restarts + 1
    killed = before - set(pool.pids())
    assert len(killed) == 1 and not _alive(killed.pop())
    assert labels(call(endpoint, query=LABEL_QUERY)[2]) == ["MLflow"]  # still serving


def test_shutdown_stops_busy_workers_too(built):
    server, thread = _start(built, timeout=30, workers=2)
    url = server.url + "sparql"
    pids = server.pool.pids()
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    slow = {}
    runner = threading.Thread(target=lambda: slow.update(r=_try_call(url, SLOW_QUERY)))
    runner.start()
    time.sleep(0.4)
    started = time.monotonic()
    server.shutdown()
    thread.join(5)
    assert time.monotonic() - started < 5
    assert not [p for p in pids if _alive(p)]
    runner.join(10)
    assert slow["r"] in (503, "no response")


def _try_call(url, query):
    try:
        return call(url, query=query, timeout=20)[0]
    except OSError:
        return "no response"


# --- HTTP errors are one line of plain text ---------------------------------------------------

def test_http_errors_are_plain_one_liners(oxigraph_server, endpoint):
    base = oxigraph_server.url
    assert_one_line_error(*call(base + "nope"), 404, "/sparql")
    status, headers, body = call(endpoint, data=b"", method="PUT")
    assert_one_line_error(status, headers, body, 405)
    assert "GET" in headers["Allow"]
    assert_one_line_error(*call(base, data=b"x=1", method="POST"), 405)
    assert_one_line_error(*call(endpoint, data=b"x" * (1024 * 1024 + 1),
                                headers={"Content-Type": "application/sparql-query"}), 413, "limit")
    assert_one_line_error(*call(endpoint, data=b"SELECT * {}", headers={"Content-Type": "text/plain"}), 415)
    assert_one_line_error(*post_form(endpoint, {"nothing": "here"}), 400, "no query")
    assert_one_line_error(*call(endpoint, params={"query": [LABEL_QUERY, LABEL_QUERY]}), 400, "one query")


# --- the CLI ---------------------------------------------------------------------------------

def test_cli_serve_on_a_busy_port_exits_2_with_one_line(built):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([venv_bin("mlops-kg"), "serve", "--port", str(port), "--build", str(built)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "in use" in lines[0]


def test_cli_serve_answers_logs_and_stops_cleanly_on_ctrl_c(built):
    # Ctrl-C as at a terminal, even when the test run itself was started in the background with
    # SIGINT ignored (a child inherits that, and Python then installs no KeyboardInterrupt handler)
    process = subprocess.Popen([venv_bin("mlops-kg"), "serve", "--port", "0", "--build", str(built),
                                "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = process.stdout.readline()
        url = re.search(r"(http://\S+/sparql)", line).group(1)
        assert labels(call(url, query=LABEL_QUERY)[2]) == ["MLflow"]
        children = _children(process.pid)
        assert children, "the worker process should be a child of the server"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert re.search(r"^GET /sparql 200 \d+ms$", err, re.M), err
    assert "Traceback" not in err
    assert not _left_running(children), "worker processes left behind"


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        pytest.skip("needs Linux /proc to list child processes")


@pytest.mark.parametrize("host,allowed", [("evil.example", False), ("evil.example:8000", False),
                                          ("127.0.0.1.nip.io", False), ("localhost", True),
                                          ("127.0.0.1:1234", True), ("[::1]:8000", True), ("LOCALHOST", True)])
def test_a_loopback_endpoint_answers_only_loopback_host_names(endpoint, host, allowed):
    """DNS rebinding: a page on evil.example that re-points its name at 127.0.0.1 would reach
    the endpoint with Host: evil.example; it gets a 403 and no data."""
    status, _headers, body = call(endpoint, query="ASK { ?s ?p ?o }", headers={"Host": host})
    if allowed:
        assert status == 200
    else:
        assert status == 403 and "DNS rebinding" in body and "true" not in body


def test_query_endpoint_resolves_a_name_only_the_remote_graph_knows(built, built_with_guide):
    """`query --endpoint` resolves names through the local build first (aliases, suggestions),
    and a name it does not know on the endpoint itself: the remote may hold more than the build."""
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    server, thread = _start(built_with_guide, timeout=TIMEOUT, max_rows=MAX_ROWS, workers=1)
    try:
        def ask(tool):
            return CliRunner().invoke(cli, ["query", "alternatives", "--param", f"tool={tool}", "--format", "csv",
                                            "--endpoint", server.url + "sparql", "--build", str(built)])

        local_only = CliRunner().invoke(cli, ["query", "alternatives", "--param", "tool=Feast", "--build", str(built)])
        assert local_only.exit_code == 2  # the shipped build does not know it
        remote = ask("FEAST")
        assert remote.exit_code == 0 and "Hopsworks" in remote.output, remote.output
        assert "Kubeflow" in ask("mlflow").output  # known locally: resolved there
        typo = ask("mlfow")  # known nowhere: the local build's suggestions
        assert typo.exit_code == 2 and typo.output.startswith("error: unknown tool 'mlfow'. Did you mean: MLflow")
    finally:
        _stop(server, thread)


@pytest.mark.parametrize("url", ["http://[::1", "http://[zz]:80/", "http://h:abc/x", "http://a b/",
                                 "http://127.0.0.1:99999/x"])
def test_a_malformed_endpoint_url_is_one_line(url):
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    for args in (["query", "ASK {}", "--endpoint", url], ["publish", "--endpoint", url]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and result.output.startswith("error: not a valid endpoint URL: "), result.output
        assert len(result.output.splitlines()) == 1


def test_the_page_template_escapes_every_value():
    """The query page is a Jinja2 template with autoescaping: text from a query or the
    endpoint address cannot open an element, and the JSON cannot close its script element."""
    examples = [{"name": "</script><b>", "query": "</textarea><script>alert('x')</script> & \"q\""}]
    page = render_page(examples, nonce="n", timeout=1.0, max_rows=1, endpoint="/s?a=<b>&c=\"d\"")
    assert "</textarea><script>" not in page and "<b>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in page
    assert "/s?a=&lt;b&gt;&amp;c=&quot;d&quot;" in page
    assert "\\u003c/script\\u003e\\u003cb\\u003e" in page


def test_the_page_says_which_limit_cut_an_answer():
    """The status line names the limit from X-Result-Truncated-By: rows or bytes."""
    page = render_page([], nonce="n", timeout=1.0, max_rows=1)
    assert 'response.headers.get("X-Result-Truncated-By") === "bytes"' in page
    assert '"the size limit of " + response.headers.get("X-Result-Max-Bytes") + " bytes"' in page
    assert '"the row limit of " + response.headers.get("X-Result-Max-Rows") + " rows"' in page
