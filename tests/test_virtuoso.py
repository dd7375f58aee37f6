"""Publishing to and querying a real SPARQL server: OpenLink Virtuoso 7 (Debian ``virtuoso-opensource``).

One Virtuoso is started for the whole module (tests/support/virtuoso.py; recipe and pitfalls in
docs/virtuoso-recipe.md) and the graph is built once into a temporary folder. The tests then

1. publish the build with ``mlops-kg publish`` (Graph Store Protocol, HTTP Digest) and compare the
   triple count of each named graph on the server with the build's;
2. publish again and check that PUT replaced the graphs (counts do not double);
3. check the one-line errors for a wrong password (HTTP 401), an unreachable endpoint and an
   authentication scheme the client was told not to use;
4. run EVERY named query of ``tests.test_queries.KNOWN`` with ``mlops-kg query NAME --endpoint``
   and compare Virtuoso's answer with the embedded store's (see :func:`_canon` for the
   normalisation), and run KNOWN's check on Virtuoso's answer;
5. publish the merged graph into one named graph with ``--graph`` (removed again afterwards);
6. check ASK answers and exit codes on this server (``CaseMode=2``) and on a second one with
   Virtuoso's default ``CaseMode`` (started only for those tests), which answers ASK with a
   ``__ASK_RETVAL`` row, or no row at all for false.

How answers are compared (everything not listed here must be equal):

* rows are compared as multisets, ignoring their order: ORDER BY ties may come out in any order,
  and Virtuoso 7.2's string ordering is not the codepoint order SPARQL asks for (stored strings
  that share their first 20 characters are tie-broken by an internal id, so "Azure Machine
  Learning" sorts after "Azure Machine Learning Tracking"; keys computed by LCASE() sort
  inconsistently). Wrapping a sort key in STR() makes Virtuoso sort by codepoint;
* a value with ", " in it (a GROUP_CONCAT list) is compared as the sorted set of its items:
  SPARQL leaves GROUP_CONCAT's order unspecified;
* Virtuoso returns computed booleans (``BIND(EXISTS {...} AS ?x)``) as "1"/"0"^^xsd:integer:
  xsd:boolean true/false are compared as the integers 1/0 on both sides;
* numbers are compared by value within their datatype, not lexical form (Virtuoso answers
  "1.5" for a stored "1.50"^^xsd:decimal);
* language tags are compared lowercased (Virtuoso lowercases them);
* blank-node labels are engine-private: every blank node compares equal to every other.
"""
from __future__ import annotations

import json
import socket
import time
from collections import Counter
from decimal import Decimal

import pytest
from click.testing import CliRunner

from tests.support.virtuoso import find_virtuoso, running_virtuoso, select

if find_virtuoso() is None:
    pytest.skip("Virtuoso not installed: apt-get install virtuoso-opensource (CI's .ci/run does)",
                allow_module_level=True)

from mlops_kg.build import locate  # noqa: E402
from mlops_kg.cli import cli  # noqa: E402
from mlops_kg.query.store import QueryResult  # noqa: E402
from tests.test_queries import KNOWN  # noqa: E402

pytestmark = pytest.mark.slow

OUR_GRAPHS = "https://w3id.org/mlops-kg/graph/"
MERGED = "https://example.org/mlops-kg-test/merged"  # outside OUR_GRAPHS on purpose
XSD = "http://www.w3.org/2001/XMLSchema#"


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def env(built, tmp_path_factory):
    """The session's build and ONE running Virtuoso for the module; the server stops afterwards."""
    graphs = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["graphs"]
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield {"build": str(built), "graphs": graphs, "server": server}


def invoke(args, env):
    return CliRunner().invoke(cli, [*args, "--build", env["build"]])


def publish_args(env, *extra, password=None):
    v = env["server"]
    return ["publish", "--endpoint", v.crud_url, "--user", v.user,
            "--password", v.password if password is None else password, *extra]


@pytest.fixture(scope="module")
def published(env):
    """The build published once (every named graph to the graph of the same IRI)."""
    result = invoke(publish_args(env), env)
    assert result.exit_code == 0, result.output
    return result


def remote_counts(env) -> dict[str, int]:
    rows = select(env["server"].sparql_url,
                  "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                  f'FILTER(STRSTARTS(STR(?g), "{OUR_GRAPHS}")) }} GROUP BY ?g')
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def graph_size(env, iri) -> int:
    rows = select(env["server"].sparql_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


# --- 1-3: publish ------------------------------------------------------------------------

def test_publish_every_named_graph(env, published):
    local = env["graphs"]
    assert local and all(iri.startswith(OUR_GRAPHS) for iri in local), local
    assert published.stdout.splitlines() == [f"published {n} triples to <{iri}>" for iri, n in sorted(local.items())]
    assert remote_counts(env) == local


def test_publish_twice_replaces(env, published):
    again = invoke(publish_args(env), env)
    assert again.exit_code == 0, again.output
    assert again.stdout == published.stdout
    assert remote_counts(env) == env["graphs"]  # PUT replaced each graph: nothing doubled


def _one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_publish_with_wrong_password_is_401(env, published):
    line = _one_line_error(invoke(publish_args(env, password="not-the-password"), env))
    assert "HTTP 401" in line and env["server"].crud_url in line
    assert remote_counts(env) == env["graphs"]  # nothing was replaced


def test_publish_with_an_auth_scheme_the_server_does_not_offer(env, published):
    # Virtuoso's crud endpoint only answers Digest; --auth basic must fail cleanly, not crash
    line = _one_line_error(invoke(publish_args(env, "--auth", "basic"), env))
    assert "Digest" in line and env["server"].crud_url in line


def test_publish_to_unreachable_endpoint_names_the_url(env):
    with socket.socket() as s:  # a port nobody listens on: bound, then closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql-graph-crud-auth"
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["publish", "--endpoint", url, "--user", "u", "--password", "p",
                                      "--build", env["build"]])
    assert time.monotonic() - started < 5
    line = _one_line_error(result)
    assert url in line and "cannot reach" in line


# --- 4: every named query gives the embedded store's answer -------------------------------

def _canon(term):
    """An engine-neutral key for one RDF term (the rules are in the module docstring)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    assert isinstance(term, Literal), term
    text = str(term)
    if term.language:
        return ("lang", text, term.language.lower())
    datatype = str(term.datatype) if term.datatype is not None else XSD + "string"
    if datatype == XSD + "boolean":
        return ("literal", XSD + "integer", {"true": 1, "1": 1, "false": 0, "0": 0}[text.strip()])
    if datatype == XSD + "decimal":
        return ("literal", datatype, Decimal(text).normalize())
    if datatype in (XSD + "double", XSD + "float"):
        return ("literal", datatype, float(text))
    if datatype.startswith(XSD) and datatype[len(XSD):] in (
            "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
            "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong"):
        return ("literal", datatype, int(text))
    if datatype == XSD + "string" and ", " in text:
        return ("list", tuple(sorted(set(text.split(", ")))))
    return ("literal", datatype, text)


def _canonical(result):
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return set(tuple(_canon(t) for t in triple) for triple in result.triples)
    return result.variables, Counter(tuple(_canon(t) for t in row) for row in result.rows)


def _term_from_json(binding):
    from rdflib import BNode, Literal, URIRef

    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(binding["value"], datatype=URIRef(binding["datatype"]))
    return Literal(binding["value"])


def virtuoso_answer(env, name, params) -> QueryResult:
    """``mlops-kg query NAME --endpoint <Virtuoso> --param ...``, read back from its output."""
    from rdflib import Graph

    from mlops_kg.query.named import get_query
    from mlops_kg.query.sparql import parse_query

    graph_form = parse_query(get_query(name).text).returns_graph
    args = ["query", name, "--endpoint", env["server"].sparql_url, "--format", "nt" if graph_form else "json"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = invoke(args, env)
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    if graph_form:
        return QueryResult("graph", triples=sorted(Graph().parse(data=result.stdout, format="nt")))
    doc = json.loads(result.stdout)
    if "boolean" in doc:
        assert result.exit_code == (0 if doc["boolean"] else 1)
        return QueryResult("ask", boolean=doc["boolean"])
    assert result.exit_code == 0
    variables = doc["head"]["vars"]
    rows = [tuple(_term_from_json(b[v]) if v in b else None for v in variables)
            for b in doc["results"]["bindings"]]
    return QueryResult("select", variables=variables, rows=rows)


@pytest.fixture(scope="module")
def embedded(env):
    from mlops_kg.query.store import open_store

    return open_store(env["build"])


def _difference(local, remote) -> str:
    if local.kind != "select" or remote.kind != "select":
        return f"embedded: {_canonical(local)!r}\nvirtuoso: {_canonical(remote)!r}"
    (lv, lrows), (rv, rrows) = _canonical(local), _canonical(remote)
    lines = [f"variables: embedded {lv}, virtuoso {rv}"] if lv != rv else []
    lines += [f"only embedded: {row}" for row in sorted(map(repr, lrows - rrows))[:10]]
    lines += [f"only virtuoso: {row}" for row in sorted(map(repr, rrows - lrows))[:10]]
    return "\n".join(lines)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_named_query_on_virtuoso_equals_embedded(env, published, embedded, name):
    from mlops_kg.query.formats import format_result
    from mlops_kg.query.named import run_query

    params, check = KNOWN[name]
    _query, local = run_query(embedded, name, params)
    remote = virtuoso_answer(env, name, params)
    assert remote.kind == local.kind
    assert _canonical(remote) == _canonical(local), f"{name}:\n{_difference(local, remote)}"
    assert check(remote), f"{name} on Virtuoso:\n{format_result(remote, 'table')}"


# --- 5: --graph puts the merged graph into one named graph -------------------------------

def test_publish_merged_graph_into_one_named_graph(env, published):
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(f"{env['build']}/mlops-kg.nq", format="nquads")
    merged = len({(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))})
    assert 0 < merged <= sum(env["graphs"].values())
    try:
        result = invoke(publish_args(env, "--graph", MERGED), env)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [f"published {merged} triples to <{MERGED}>"]
        assert graph_size(env, MERGED) == merged
        assert remote_counts(env) == env["graphs"]  # the per-source graphs are untouched
    finally:  # Virtuoso's default graph is the union of all graphs: leave no duplicates behind
        env["server"].isql(f"SPARQL CLEAR GRAPH <{MERGED}>;")
    assert graph_size(env, MERGED) == 0


# --- 6: ASK answers and exit codes, with and without CaseMode=2 ---------------------------

@pytest.fixture(scope="module")
def default_case_server(env, tmp_path_factory):
    """A second Virtuoso with the ini's default CaseMode (1), as the README's short recipe
    leaves it: it answers ASK with a ``__ASK_RETVAL`` row, or with no row for false."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-casemode1"), case_mode=1) as server:
        result = CliRunner().invoke(cli, ["publish", "--endpoint", server.crud_url, "--user", server.user,
                                          "--password", server.password, "--build", env["build"]])
        assert result.exit_code == 0, result.output
        yield server


@pytest.mark.parametrize("case_mode", [2, 1])
@pytest.mark.parametrize("tool, answer", [("kedro", True), ("SageMaker", False), ("comet", False)])
def test_ask_answer_and_exit_code_on_virtuoso(env, published, request, case_mode, tool, answer):
    server = env["server"] if case_mode == 2 else request.getfixturevalue("default_case_server")
    expected = (0, "true") if answer else (1, "false")
    result = invoke(["query", "is-open-source", "--param", f"tool={tool}", "--endpoint", server.sparql_url], env)
    assert (result.exit_code, result.stdout.strip()) == expected, result.output


# --- 7: a large upload ---------------------------------------------------------------------

LARGE = "https://example.org/mlops-kg-test/large"


def test_publish_a_graph_of_100000_triples(env, published, tmp_path, monkeypatch):
    """A synthetic catalogue (benchmarks/synthetic.py) of 4,000 tools, about 110,000 distinct
    triples (9 MB of N-Triples), merged into one graph: the upload that broke most often."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write

    write(4000, tmp_path / "mlops-kg.nq")
    (tmp_path / "manifest.json").write_text("{}")
    monkeypatch.setattr(locate, "is_fresh", lambda _folder: True)  # a hand-made build
    try:
        result = CliRunner().invoke(cli, publish_args(env, "--graph", LARGE) + ["--build", str(tmp_path)])
        assert result.exit_code == 0, result.output
        triples = int(result.stdout.split()[1])
        assert triples >= 100_000 and graph_size(env, LARGE) == triples, result.stdout
    finally:
        env["server"].isql(f"SPARQL CLEAR GRAPH <{LARGE}>;")
