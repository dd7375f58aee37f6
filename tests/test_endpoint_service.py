"""No query reaches the network: hundreds of SERVICE variants written to make rdflib (which
checks) and Oxigraph (which runs) read the text differently must never reach a canary server,
through the endpoint's GET and POST, the library's stores and `mlops-kg query`."""
from __future__ import annotations

import itertools
import urllib.parse

import pytest

from mlops_kg.errors import QueryError

from .support.canary import recording_server
from .test_endpoint import _start, _stop, call

CANARY_ANSWER = (b'{"head":{"vars":["s","p","o"]},"results":{"bindings":[{"s":{"type":"literal",'
                 b'"value":"CANARY"},"p":{"type":"literal","value":"CANARY"},"o":{"type":"literal","value":"CANARY"}}]}}')


@pytest.fixture(scope="module")
def canary():
    """A local SPARQL-looking server that records every request and answers with CANARY rows."""
    with recording_server(CANARY_ANSWER, "application/sparql-results+json") as served:
        yield served


def _escape(text: str, chars: str) -> str:
    """``text`` with each of ``chars`` written as a \\u escape (as an attacker would)."""
    return "".join(f"\\u{ord(c):04X}" if c in chars else c for c in text)


def variants(url: str) -> list[str]:
    """Queries that hold a SERVICE call to ``url``, hidden in as many ways as we could think of."""
    iri = f"<{url}>"
    keywords = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", _escape("SERVICE", "S"),
                _escape("service", "ervice"), "S\\u0045RVICE", "\\U00000053ERVICE"]
    targets = [iri, "c:", _escape(iri, "<>"), "?where"]
    clause = "{kw} {target} {{ ?s ?p ?o }}"
    # hiding places: each puts the clause where one reader might see a comment or a string
    hides = [
        "{clause}",
        "# hidden\r {clause} \n",
        "# hidden\r\n{clause}\n",
        "#\r{clause}\r",
        "# \\u000A {clause} \n",
        "# \\u000d {clause} \n",
        'BIND("x\\u0022 AS ?a) # " AS ?a) {clause}\n',
        "BIND('x\\u0027 AS ?a) # ' AS ?a) {clause}\n",
        'BIND("""x\\u0022\\u0022\\u0022 AS ?a) # """ AS ?a) {clause}\n',
        'BIND("x\\\\" AS ?a) {clause} # "\n',
        'BIND("x\\u005C" AS ?a) {clause} # "\n',
        'BIND("x\\u005C\\u0022 AS ?a) {clause} # " AS ?b)\n',
        "?s ?p ?o . {clause}",
        "OPTIONAL {{ {clause} }}",
        "{{ ?s ?p ?o }} UNION {{ {clause} }}",
        "FILTER EXISTS {{ {clause} }}",
        "{{ SELECT * WHERE {{ {clause} }} }}",
        "MINUS {{ {clause} }}",
        "\\u0023 x\n{clause}",
        "\t{clause}\r\n",
    ]
    heads = ["SELECT * WHERE {{ BIND({iri} AS ?where) {body}\n}}",
             "ASK {{ BIND({iri} AS ?where) {body}\n}}",
             "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND({iri} AS ?where) {body}\n}}"]
    out = []
    for (kw, target, hide, head) in itertools.product(keywords, targets, hides, heads):
        body = hide.format(clause=clause.format(kw=kw, target=target))
        out.append(f"PREFIX c: {iri}\n" + head.format(iri=iri, body=body))
    # thin the product deterministically to keep the test fast: every hiding place and keyword
    # still appears with every target
    return out[::7] + [v for v in out if "\r" in v or "\\u0022" in v][::3]


def _unguarded_oxigraph_fetches(query: str, hits: list) -> bool:
    """Does plain pyoxigraph, given ``query`` as it is, call the canary? (the attack is live)"""
    import pyoxigraph

    before = len(hits)
    try:
        result = pyoxigraph.Store().query(query)
        if not isinstance(result, bool) and type(result).__name__ != "QueryBoolean":
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return len(hits) > before


@pytest.fixture(scope="module")
def generated(canary):
    url, hits = canary
    queries = variants(url)
    live = [q for q in queries if _unguarded_oxigraph_fetches(q, hits)]
    hits.clear()
    return queries, live


def test_the_variants_are_real_attacks(generated):
    queries, live = generated
    assert len(queries) >= 300
    # about a fifth make a bare Oxigraph store call the canary (Oxigraph reads no escape outside
    # strings and IRIs); the others are the same attacks aimed at rdflib's reading, kept too
    assert len(live) >= 90
    assert any("\r" in q and "#" in q for q in live) and any("\\u0022" in q for q in live)


def test_no_variant_reaches_the_network_through_the_stores(generated, canary, built):
    from mlops_kg.query.named import run_query
    from mlops_kg.query.store import open_store

    _url, hits = canary
    queries, _live = generated
    for engine in ("oxigraph", "rdflib"):
        store = open_store(built, engine)
        for query in queries if engine == "oxigraph" else queries[::10]:
            for run in (lambda: store.query(query), lambda: run_query(store, query)):
                try:
                    result = run()
                except QueryError:
                    continue
                assert "CANARY" not in repr(result), query
        assert hits == [], (engine, hits)


def test_no_variant_reaches_the_network_through_the_endpoint(generated, canary, built):
    _url, hits = canary
    queries, live = generated
    server, thread = _start(built, timeout=5, workers=1)
    endpoint = server.url + "sparql"
    try:
        for index, query in enumerate(queries):
            posted = (call(endpoint, data=urllib.parse.urlencode({"query": query}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"}) if index % 2 else
                      call(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"}))
            for status, _headers, body in (call(endpoint, query=query), posted):
                assert "CANARY" not in body, query
                # 400: refused, or malformed once canonical; 200: canonical text puts SERVICE in
                # a comment (a \u0027 that closes a string for rdflib's reading, then #)
                assert status in (200, 400), (status, body, query)
    finally:
        _stop(server, thread)
    assert hits == []


def test_no_variant_reaches_the_network_through_the_cli(generated, canary, built, cli_env):
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    _url, hits = canary
    _queries, live = generated
    for query in live[::12]:
        result = CliRunner().invoke(cli, ["query", query, "--build", str(built), "--format", "json"])
        assert result.exit_code in (0, 2), (result.output, query)
        assert "CANARY" not in result.output
    assert hits == []


@pytest.mark.parametrize("query", [
    'SELECT ?l WHERE { ?t skos:prefLabel ?l FILTER(CONTAINS(LCASE(?l), "service")) }',
    "SELECT ?service WHERE { ?service a mlo:CloudService }  # every cloud service",
    "SELECT ?s WHERE { ?s a mlo:CloudService . FILTER(STRSTARTS(STR(?s), STR(svc:))) }",
    "SELECT ?s WHERE { ?s ?p <https://w3id.org/mlops-kg/id/service/amazon-s3> }",
    "SELECT ?l WHERE { tool:mlflow skos:prefLabel ?l }\r\n",
    'SELECT ?l WHERE { tool:mlflow skos:prefLabel ?l FILTER(?l = "ML\\u0066low") }',
])
def test_queries_that_only_mention_service_still_run(built, query):
    from mlops_kg.query.store import open_store

    for engine in ("oxigraph", "rdflib"):
        open_store(built, engine).query(query)


def test_canonical_text_is_what_both_parsers_read():
    from mlops_kg.query.sparql import canonical_query, parse_query

    assert canonical_query('ASK { # x\r?s ?p ?o }') == "ASK { # x\n?s ?p ?o }"
    assert canonical_query('ASK { ?s ?p "a\\u0022" }') == 'ASK { ?s ?p "a"" }'
    text = 'SELECT * WHERE { ?s ?p "\\u00e9" }\r\n'
    assert canonical_query(canonical_query(text)) == canonical_query(text)
    assert parse_query(text).text == canonical_query(text)
    # an escaped control character stays escaped inside a string (both readers expand it there)
    assert canonical_query('ASK { ?s ?p "a\\u2028b\\u000a", \'\\u0001\' }') == \
        'ASK { ?s ?p "a\\u2028b\\n", \'\\u0001\' }'
    assert canonical_query('ASK { ?s ?p "\\\\\\u2028" }') == 'ASK { ?s ?p "\\\\\\u2028" }'
    for bad in ("ASK { \\u005Cu0041 }", "ASK { ?s ?p '\\uD800' }", "ASK { # \x0b SERVICE }",
                "ASK { # \u2028 x }", "ASK { ?s ?p '\x00' }", "ASK { # \\u2028 x }", "ASK { <a\\u0001> ?p ?o }",
                'ASK { ?s ?p "\\\\u2028" }'):
        with pytest.raises(QueryError, match="malformed"):
            canonical_query(bad)


def test_the_stores_themselves_do_not_fetch_a_from_graph(canary, built):
    """rdflib loads a FROM graph it does not hold from the web; the store refuses it first.
    Oxigraph would read it as an empty graph: its store refuses it too, so the engines agree."""
    from mlops_kg.query.store import open_store

    url, hits = canary
    for engine in ("oxigraph", "rdflib"):
        store = open_store(built, engine)
        for text in (f"SELECT * FROM <{url}data.ttl> WHERE {{ ?s ?p ?o }}",
                     f"ASK FROM NAMED <{url}g> {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            with pytest.raises(QueryError, match="names a graph that is not loaded"):
                store.query(text)
    assert hits == []


def _lt_then_service(url: str) -> list[str]:
    """A ``<`` that an IRI pattern reads as the start of ``<2)SERVICE#>`` but the parsers read as
    less-than, so SERVICE is a keyword and ``#>`` starts a comment (security review, issue 12)."""
    return [f"ASK {{ FILTER(1<2)SERVICE#>\n<{url}>{{?s?p?o}} }}",
            f"ASK {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE#>\n<{url}>{{?s?p?o}} }}",
            f"SELECT * {{ BIND((1<2) AS ?x)SERVICE#>\n<{url}>{{?s?p?o}} }}",
            f"SELECT * {{ BIND(IF(1<2,1,0) AS ?x)SERVICE#>\n<{url}>{{?s?p?o}} }}"]


def test_a_less_than_sign_does_not_hide_service_from_the_stores(canary, built, dataset):
    from mlops_kg.query.named import run_query
    from mlops_kg.query.sparql import guard_offline, nesting
    from mlops_kg.query.store import open_store, store_from_dataset

    url, hits = canary
    queries = _lt_then_service(url)
    assert all(_unguarded_oxigraph_fetches(q, hits) for q in queries)  # the attacks are live
    hits.clear()
    stores = [open_store(built, "oxigraph"), store_from_dataset(dataset), open_store(built, "rdflib")]
    for query in queries:
        with pytest.raises(QueryError, match="SERVICE is not allowed"):
            guard_offline(query)
        for store in stores:
            for run in (lambda: store.query(query), lambda: run_query(store, query)):
                with pytest.raises(QueryError, match="SERVICE is not allowed"):
                    run()
    assert hits == []
    # brackets hidden the same way are still counted, so the nesting limit holds
    deep = "ASK { FILTER(1<2)" + "(" * 70 + "1" + ")" * 70 + "#>\n}"
    assert nesting(deep)[0] >= 71
    with pytest.raises(QueryError, match="nested too deeply"):
        guard_offline(deep)


def test_the_iri_pattern_follows_the_grammar():
    import re

    from mlops_kg.query.sparql import IRI_REF

    for iri in ("<http://x/a#b(c)>", "<>", "<x:\u00e9\u2028>"):
        assert re.fullmatch(IRI_REF, iri), iri
    for not_iri in ("<a b>", "<a\x01b>", "<a\\b>", "<a|b>", "<a^b>", "<a`b>", "<a{b>", '<a"b>', "<a<b>"):
        assert not re.fullmatch(IRI_REF, not_iri), not_iri


def test_run_query_runs_the_text_it_checked(built, monkeypatch):
    """run_query hands the store the canonical text parse_query checked, not the caller's."""
    from mlops_kg.query.named import run_query
    from mlops_kg.query.store import open_store

    store = open_store(built, "oxigraph")
    ran = []
    real = type(store).query
    monkeypatch.setattr(type(store), "query", lambda self, q, *a, **k: ran.append(q) or real(self, q, *a, **k))
    run_query(store, "ASK {\r\n ?s ?p \"\\u00e9\" }")
    assert [getattr(q, "text", q) for q in ran] == ["ASK {\n ?s ?p \"\u00e9\" }"]


def test_the_docs_say_where_oxigraph_expands_escapes():
    """Oxigraph expands \\u escapes in strings and in IRIs, and the README and sparql.py say so."""
    from pathlib import Path

    import pyoxigraph

    import mlops_kg.query.sparql as sparql

    row = next(iter(pyoxigraph.Store().query('SELECT ("\\u00e9" AS ?s) (<http://a/\\u00e9> AS ?i) {}')))
    assert (row["s"].value, row["i"].value) == ("\u00e9", "http://a/\u00e9")
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "Oxigraph only in strings and IRIs" in readme
    assert "Oxigraph only inside\nstrings and IRIs" in sparql.__doc__
