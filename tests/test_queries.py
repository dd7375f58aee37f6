"""Every named query runs and gives a known answer, on both embedded engines, identically."""
import csv
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal

from mlops_kg.cli import cli
from mlops_kg.errors import QueryError
from mlops_kg.query.formats import format_result
from mlops_kg.query.named import list_queries, run_query
from mlops_kg.query.store import store_from_dataset


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def store(request, dataset):
    return store_from_dataset(dataset, request.param)


def labels(result, var="label"):
    i = result.variables.index(var)
    return [str(row[i]) for row in result.rows]


def column(result, var):
    i = result.variables.index(var)
    return [row[i] for row in result.rows]


# name → (params, check(result)); each check names facts from the guide or the curated graph.
KNOWN = {
    "alternatives": ({"tool": "W&B"}, lambda r: set(labels(r)) == {"MLflow", "Comet", "Neptune.ai"}
                     and "names the tool as its alternative" in map(str, column(r, "direction"))),
    "tools-with-capability": ({"capability": "experiment tracking"},
                              lambda r: {"MLflow", "Weights & Biases", "Comet", "Neptune.ai"} <= set(labels(r))
                              and "Apache Airflow" not in labels(r)),
    "tools-in-industry": ({"industry": "healthcare"}, lambda r: len(set(labels(r))) == 10
                          and any("hospital" in str(u) for u in column(r, "useCase"))),
    "tools-by-language": ({"language": "yaml"}, lambda r: {"Kubeflow", "Seldon Core", "Pachyderm", "Polyaxon"}
                          <= set(labels(r)) and "Apache Airflow" not in labels(r)),
    "tools-by-framework": ({"framework": "pytorch"}, lambda r: "Weights & Biases" in labels(r)),
    "cloud-equivalents": ({"tool": "apache airflow"},
                          lambda r: {(str(p), str(s)) for p, s, _ in r.rows} == {
                              ("Amazon Web Services", "Amazon Managed Workflows for Apache Airflow"),
                              ("Google Cloud", "Google Cloud Composer"), ("Microsoft Azure", "Azure Data Factory")}),
    "no-managed-equivalent": ({"provider": "azure"}, lambda r: labels(r) == ["Kedro"]),
    # Seldon Core is under BUSL-1.1 since 2024, so no longer open source (graph/curated/corrections.ttl).
    "open-source-substitutes": ({"service": "sagemaker"},
                                lambda r: {"MLflow", "Polyaxon"} <= set(labels(r))
                                and not {"Weights & Biases", "Seldon Core"} & set(labels(r))),
    "stated-vs-curated": ({"tool": "kubeflow"},
                          lambda r: {"guide", "curated", "inferred"} == {str(x) for x in column(r, "source")}),
    "path-between": ({"from": "dvc", "to": "pachyderm"},
                     lambda r: any(str(s) == "stated alternative" and str(v) == "" for s, v, _ in r.rows)
                     and "Data versioning" in {str(v) for v in column(r, "via")}),
    "shared-neighbours": ({"tool": "mlflow"}, lambda r: "Polyaxon" in labels(r)[:3]
                          and all(int(n) >= 1 for n in column(r, "shared"))),
    "describe-tool": ({"tool": "seldon"}, lambda r: r.kind == "graph" and any(
        str(o) == "Seldon Core" for _s, _p, o in r.triples)),
    "listed-tools": ({}, lambda r: [int(x) for x in column(r, "position")] == list(range(1, 23))
                     and labels(r)[0] == "MLflow"),
    "tool-overview": ({}, lambda r: len(r.rows) >= 50 and "MLflow" in labels(r)),
    "capabilities": ({}, lambda r: ("Deployment and operations", "Model serving") in
                     {(str(g), str(c)) for g, c, _n in r.rows}),
    "services-by-provider": ({}, lambda r: {str(p) for p in column(r, "provider")} ==
                             {"Amazon Web Services", "Google Cloud", "Microsoft Azure"}),
    "industries": ({}, lambda r: {str(i): int(n) for i, n, _t in r.rows}["Insurance"] == 0
                   and {str(i): int(n) for i, n, _t in r.rows}["Healthcare"] == 10),
    "most-named-alternatives": ({}, lambda r: labels(r)[0] == "MLflow"),
    "data-engineering-use": ({}, lambda r: len(r.rows) == 10),
    "most-central": ({"capability": "workflow orchestration"},
                     lambda r: len(r.rows) == 5 and "Apache Airflow" in labels(r)
                     and [float(x) for x in column(r, "pagerank")] == sorted(
                         (float(x) for x in column(r, "pagerank")), reverse=True)
                     and all(str(c).endswith(" cluster") for c in column(r, "cluster"))),
    "is-open-source": ({"tool": "kedro"}, lambda r: r.kind == "ask" and r.boolean is True),
}


def test_there_are_at_least_15_named_queries_with_headers():
    queries = list_queries()
    assert len(queries) >= 15
    for q in queries:
        assert q.description, f"{q.name} has no description"
        assert q.examples and q.examples[0].startswith(f"mlops-kg query {q.name}"), q.name


def test_every_named_query_has_a_known_answer():
    assert {q.name for q in list_queries()} == set(KNOWN)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_named_query_known_answer(store, name):
    params, check = KNOWN[name]
    _query, result = run_query(store, name, params)
    assert check(result), f"{name} on {store.engine}:\n{format_result(result, 'table')}"


def _normalised(result):
    """Rows as sorted tuples; GROUP_CONCAT order is unspecified by SPARQL, so lists are sorted."""
    def norm(term):
        text = "" if term is None else term.n3()
        if ", " in text:
            return type(term).__name__ + ", ".join(sorted(str(term).split(", ")))
        return text
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted(tuple(t.n3() for t in triple) for triple in result.triples)
    return result.variables, [tuple(norm(t) for t in row) for row in result.rows]


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_engines_give_identical_results(dataset, name):
    params, _check = KNOWN[name]
    ox = run_query(store_from_dataset(dataset, "oxigraph"), name, params)[1]
    rd = run_query(store_from_dataset(dataset, "rdflib"), name, params)[1]
    assert _normalised(ox) == _normalised(rd)


def test_hostile_string_value_cannot_change_the_query(store):
    """A value full of SPARQL syntax is bound as one literal: it matches nothing, returns nothing."""
    hostile = '" } UNION { ?s ?p ?o } #'
    _q, result = run_query(store, 'SELECT ?s WHERE { ?s skos:prefLabel ?name }', {"name": hostile})
    assert result.rows == []
    _q, result = run_query(store, 'SELECT ?s WHERE { ?s skos:prefLabel ?name }', {"name": "MLflow"})
    assert [str(r[0]) for r in result.rows] == ["https://w3id.org/mlops-kg/id/tool/mlflow"]


def test_hostile_name_parameter_is_an_unknown_tool(store):
    from mlops_kg.errors import UnknownNameError

    with pytest.raises(UnknownNameError):
        run_query(store, "alternatives", {"tool": "mlflow> } UNION { ?alternative ?p ?label } #"})


def test_unknown_and_missing_parameters(store):
    with pytest.raises(QueryError, match="unknown parameter 'tol'.*it takes: tool \\(tool\\)"):
        run_query(store, "alternatives", {"tol": "mlflow"})
    with pytest.raises(QueryError, match="needs --param tool="):
        run_query(store, "alternatives", {})


def test_unknown_named_query_lists_what_exists(store):
    with pytest.raises(QueryError, match="unknown named query 'nope'; named queries: alternatives, "):
        run_query(store, "nope")


@pytest.mark.parametrize("text,where", [
    ("SELECT ?x WHERE {\n  ?x ?y \n}", "line 2"),
    ("SELECT ?x WHERE { ?x nosuchprefix:thing ?y }", "line 1"),
])
def test_malformed_sparql_names_line_and_column(store, text, where):
    with pytest.raises(QueryError, match=f"malformed SPARQL at {where}, column \\d+"):
        run_query(store, text)


def test_update_is_not_a_query(store):
    with pytest.raises(QueryError, match="SPARQL update"):
        run_query(store, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")


# --- CLI -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def build_dir(built):
    return str(built)


def invoke(args, build_dir):
    return CliRunner().invoke(cli, [*args, "--build", build_dir])


def test_cli_table_is_aligned(build_dir):
    result = invoke(["query", "alternatives", "--param", "tool=w&b"], build_dir)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["alternative", "label", "direction"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[1].index(" ") == len("tool:neptune-ai")  # first column padded to its widest cell


def test_cli_csv_tsv_json(build_dir):
    out = invoke(["query", "listed-tools", "--format", "csv"], build_dir).output
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["position", "tool", "label", "detailed"] and rows[1][2] == "MLflow"
    out = invoke(["query", "listed-tools", "--format", "tsv"], build_dir).output
    assert out.splitlines()[0] == "?position\t?tool\t?label\t?detailed"
    assert '"MLflow"' in out.splitlines()[1]
    doc = json.loads(invoke(["query", "listed-tools", "--format", "json"], build_dir).output)
    assert doc["head"]["vars"] == ["position", "tool", "label", "detailed"]
    first = doc["results"]["bindings"][0]
    assert first["tool"] == {"type": "uri", "value": "https://w3id.org/mlops-kg/id/tool/mlflow"}
    assert first["position"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_cli_construct_as_turtle_and_ntriples(build_dir):
    from rdflib import Graph

    ttl = invoke(["query", "describe-tool", "--param", "tool=kserve"], build_dir).output
    assert len(Graph().parse(data=ttl, format="turtle")) > 5
    nt = invoke(["query", "describe-tool", "--param", "tool=kserve", "--format", "nt"], build_dir).output
    assert len(Graph().parse(data=nt, format="nt")) == len(Graph().parse(data=ttl, format="turtle"))


def test_cli_ask_exit_codes(build_dir):
    yes = invoke(["query", "is-open-source", "--param", "tool=kedro"], build_dir)
    assert (yes.exit_code, yes.output.strip()) == (0, "true")
    no = invoke(["query", "is-open-source", "--param", "tool=SageMaker"], build_dir)
    assert (no.exit_code, no.output.strip()) == (1, "false")


def test_cli_query_from_file(build_dir, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("# @param tool tool  a tool\nSELECT ?l WHERE { ?tool skos:prefLabel ?l }\n")
    result = invoke(["query", str(path), "--param", "tool=comet.ml", "--format", "csv"], build_dir)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["l", "Comet"]


def test_cli_parameter_takes_a_compact_iri_as_tables_print_it(build_dir):
    same = [invoke(["query", "alternatives", "--param", f"tool={v}", "--format", "csv"], build_dir).output
            for v in ("tool:mlflow", "MLflow")]
    assert same[0] == same[1] and "Kubeflow" in same[0]
    wrong_kind = invoke(["query", "alternatives", "--param", "tool=lang:python"], build_dir)
    assert wrong_kind.exit_code == 2
    assert wrong_kind.output == "error: unknown tool 'lang:python': it is the language 'Python', not a tool.\n"


def test_cli_inline_query_takes_an_iri_parameter_in_angle_brackets(build_dir):
    iri = "<https://w3id.org/mlops-kg/id/tool/mlflow>"
    result = invoke(["query", "SELECT ?l WHERE { ?tool skos:prefLabel ?l }", "--param", f"tool={iri}",
                     "--format", "csv"], build_dir)
    assert result.exit_code == 0 and result.output.split() == ["l", "MLflow"], result.output


def test_cli_query_file_that_is_not_utf8_is_one_line(build_dir, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_bytes(b"\xff\xfe SELECT")
    result = invoke(["query", str(path)], build_dir)
    assert result.exit_code == 2 and result.output == f"error: {path}: not UTF-8 text (byte 0); save it as UTF-8\n"


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 4,300³ rows: minutes


def test_cli_timeout_ends_an_embedded_query(build_dir):
    """In a process of its own: the evaluation it gives up on runs on until the process exits."""
    from .conftest import venv_bin

    started = time.monotonic()
    done = subprocess.run([venv_bin("mlops-kg"), "query", SLOW, "--timeout", "0.5", "--build", str(build_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and time.monotonic() - started < 20
    assert done.stderr == "error: the query took longer than 0.5 s; narrow it, or raise --timeout\n"


def test_a_timed_out_query_is_killed_not_left_running(build_dir):
    """--timeout runs the query in a worker process of the endpoint's pool and kills it at the
    limit: even a caller that lives on (a test, a notebook) is left with nothing running."""
    import multiprocessing

    started = time.monotonic()
    result = CliRunner().invoke(cli, ["query", SLOW, "--timeout", "0.5", "--build", str(build_dir)])
    assert result.exit_code == 2 and time.monotonic() - started < 30
    assert "the query took longer than 0.5 s" in result.output
    assert multiprocessing.active_children() == []
    quick = CliRunner().invoke(cli, ["query", "alternatives", "--param", "tool=nosuch", "--timeout", "30",
                                     "--build", str(build_dir)])
    assert (quick.exit_code, quick.output) == (2, "error: unknown tool 'nosuch'. `mlops-kg query tool-overview` "
                                                  "lists the known ones.\n")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("limit", [[], ["--timeout", "60"]], ids=["in-process", "in-a-worker"])
def test_ctrl_c_stops_a_query_that_oxigraph_is_evaluating(build_dir, limit):
    """Oxigraph evaluates in native code, where Python sees a signal only when it returns."""
    from .conftest import venv_bin

    process = subprocess.Popen([venv_bin("mlops-kg"), "query", SLOW, "--build", str(build_dir), *limit],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2)  # well into the evaluation
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert (process.returncode, err) == (130, "interrupted\n")


def test_cli_says_when_a_list_reaches_its_cap(build_dir):
    """A query that returns as many rows as its LIMIT (100 or more) says so on stderr: more may
    match. A top-N ranking, a list under its cap or a query without a LIMIT does not."""
    triples = "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p LIMIT %d"
    cut = CliRunner().invoke(cli, ["query", triples % 100, "--format", "csv", "--build", str(build_dir)])
    assert cut.exit_code == 0 and len(cut.stdout.splitlines()) == 101
    assert cut.stderr.startswith("note: 100 rows, as many as the query's LIMIT 100: more may match"), cut.stderr
    for args in (["query", triples % 100_000], ["query", "shared-neighbours", "--param", "tool=mlflow"],
                 ["query", "tool-overview"],  # no LIMIT: in a string or a comment it is not one
                 ["query", 'SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "LIMIT 100") } # LIMIT 100']):
        whole = CliRunner().invoke(cli, args + ["--build", str(build_dir)])
        assert whole.exit_code == 0 and whole.stderr == "", (args, whole.stderr)


@pytest.mark.parametrize("args,message", [
    (["query", "SELECT ?x WHERE { ?x "], "error: malformed SPARQL at line 1, column"),
    (["query", "SELECT ?s WHERE {\n  ?s ?p\n}"],
     "error: malformed SPARQL at line 2, column 3, near '?s ?p': the query does not parse from here"),
    (["query", "SELEC ?s WHERE { ?s ?p ?o }"], "error: malformed SPARQL at line 1, column 1, near 'SELEC ?s WHERE "
                                                "{ ?s ?p ?o }': expected SELECT, CONSTRUCT, DESCRIBE or ASK"),
    (["query", "nope"], "error: unknown named query 'nope'; named queries: alternatives"),
    (["query", "shared_neighbours"], "error: unknown named query 'shared_neighbours'. Did you mean: shared-neighbours?"),
    (["query", "alternatives", "--param", "tool=mlfloww"], "error: unknown tool 'mlfloww'. Did you mean: MLflow"),
    (["query", "alternatives", "--param", "oops"], "error: bad --param 'oops'; write NAME=VALUE"),
    (["query", "listed-tools", "--format", "ttl"], "error: --format ttl is for CONSTRUCT/DESCRIBE"),
    (["query", "missing.sparql"], "error: missing.sparql: file not found; check the path"),
    (["query", "ASK{?s"], "error: malformed SPARQL at line 1"),  # a brace: SPARQL, not a path
    (["query", "SELECT ?l WHERE { ?t skos:prefLabel ?l }", "--param", "tool=mlflow"],
     "error: --param tool: the query has no ?tool; bind a variable it uses"),
    (["query", "alternatives", "--param", "tool=zzzz"],
     "error: unknown tool 'zzzz'. `mlops-kg query tool-overview` lists the known ones."),
    (["query", "tools-in-industry", "--param", "industry=zzzz"], "error: unknown industry 'zzzz'; known industries: "),
    (["query", "alternatives.rq"], "error: alternatives.rq: file not found; to run the named query, write alternatives"),
])
def test_cli_bad_input_is_one_line_exit_2(build_dir, args, message):
    result = invoke(args, build_dir)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_queries_lists_parameters():
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0
    assert "alternatives --param tool=<tool>" in result.output
    assert "path-between --param from=<tool> --param to=<tool>" in result.output


def test_from_clause_selects_the_dataset_on_both_engines(dataset):
    text = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/mlops-kg/graph/curated> WHERE { ?s ?p ?o }"
    counts = {engine: int(run_query(store_from_dataset(dataset, engine), text)[1].rows[0][0])
              for engine in ("oxigraph", "rdflib")}
    from mlops_kg.model.namespaces import GRAPHS

    assert counts == {"oxigraph": len(dataset.graph(GRAPHS.CURATED)), "rdflib": len(dataset.graph(GRAPHS.CURATED))}


@pytest.mark.parametrize("text,message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "names a graph that is not loaded"),
])
def test_queries_never_reach_out(store, text, message):
    with pytest.raises(QueryError, match=message):
        run_query(store, text)


def test_parameter_mistakes_are_refused(store):
    from mlops_kg.query.named import parse_param_args

    with pytest.raises(QueryError, match="--param tool is given twice"):
        parse_param_args(["tool=mlflow", "tool=dvc"])
    with pytest.raises(QueryError, match="query 'listed-tools' takes no parameters"):
        run_query(store, "listed-tools", {"tool": "mlflow"})


def test_the_store_name_index_knows_foreign_nodes_and_managed_platforms(dataset):
    """The store's name index reads classes from IRIs' kinds, plus "also a cloud service" and
    the types of nodes whose IRIs are not ours (a merged catalogue's own nodes)."""
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDF, SKOS

    from mlops_kg.model.names import normalize_name, normalize_names
    from mlops_kg.model.namespaces import MLO
    from mlops_kg.sources.resolve import Resolver

    ds = Dataset()
    for quad in dataset.quads((None, None, None, None)):
        ds.add(quad)
    theirs = URIRef("http://catalogue.example.org/item/42")
    g = ds.graph(URIRef("https://w3id.org/mlops-kg/graph/import/catalogue"))
    g.add((theirs, RDF.type, MLO.Tool))
    g.add((theirs, SKOS.prefLabel, Literal("The Foo & Bar Tracker")))
    g.add((theirs, SKOS.altLabel, Literal("FBT")))
    resolver = Resolver.for_store(store_from_dataset(ds))
    assert resolver.resolve_iri("foo and bar tracker", "tool") == str(theirs)
    assert resolver.resolve_iri("fbt", "tool") == str(theirs)
    assert resolver.resolve_iri("SageMaker", "service").endswith("/amazon-sagemaker")  # a tool IRI, also a service
    assert resolver.resolve_iri("Open source", "node").endswith("#OpenSource")  # an ontology individual
    assert resolver.entries[str(theirs)].names == {"The Foo & Bar Tracker", "FBT"}
    names = ["The W&B", "MLflow", "  the\tx", "Ünïcode Tool", "a\nb", "thexyz", "東京"]
    assert normalize_names(names) == [normalize_name(n) for n in names]


def test_parameters_are_written_into_patterns_but_not_projections_or_modifiers():
    """Oxigraph evaluates a nested group holding a FILTER on its own, so a VALUES block alone
    does not make it selective: the term is also written where the variable stands in patterns."""
    from rdflib import Literal, URIRef

    from mlops_kg.query.sparql import with_values

    text = ('# uses ?tool in a comment\nSELECT ?tool (COUNT(?x) AS ?n) WHERE {\n'
            '  { ?tool ?p ?x FILTER(?x != ?tool) } UNION { ?x ?p ?tool . BIND(?tool AS ?copy) }\n'
            '  { SELECT ?tool ?y WHERE { ?tool ?q ?y } GROUP BY ?tool ?y ORDER BY ?tool }\n'
            '  FILTER(STR(?x) != "?tool") VALUES ?tool2 { <urn:z> } ?toolbox ?p $tool .\n'
            '} GROUP BY ?tool ORDER BY DESC(?n) ?tool')
    out = with_values(text, {"tool": URIRef("urn:t")}, into_patterns=True)
    body = out[out.index("WHERE {"):out.rindex("}")]
    assert "# uses ?tool in a comment" in out and '"?tool"' in out  # comments and strings untouched
    assert out.startswith("# uses ?tool in a comment\nSELECT ?tool (COUNT(?x) AS ?n) WHERE { VALUES (?tool) { (<urn:t>) }")
    assert "{ <urn:t> ?p ?x FILTER(?x != <urn:t>) } UNION { ?x ?p <urn:t> . BIND(<urn:t> AS ?copy) }" in body
    # the subquery projects ?tool: it is bound there too (it is evaluated on its own)
    assert ("{ SELECT ?tool ?y WHERE { VALUES (?tool) { (<urn:t>) }  <urn:t> ?q ?y } "
            "GROUP BY ?tool ?y ORDER BY ?tool }") in body
    assert "?toolbox ?p <urn:t>" in body and "VALUES ?tool2" in body  # whole names only
    assert out.endswith("} GROUP BY ?tool ORDER BY DESC(?n) ?tool")
    kept = with_values('SELECT * WHERE { BIND("x" AS ?tool) }', {"tool": Literal("y")}, into_patterns=True)
    assert 'BIND("x" AS ?tool)' in kept


def test_a_parameter_in_a_filtered_group_gives_the_same_answer_on_both_engines(dataset):
    text = ("SELECT ?label WHERE { { ?tool mlo:statedAlternative ?alt FILTER(?alt != ?tool) } "
            "?alt skos:prefLabel ?label } ORDER BY ?label")
    from rdflib import URIRef

    from mlops_kg.model.namespaces import ID

    mlflow = {"tool": URIRef(ID["tool/mlflow"])}
    answers = [[str(r[0]) for r in store_from_dataset(dataset, engine).query(text, mlflow).rows]
               for engine in ("oxigraph", "rdflib")]
    assert answers[0] == answers[1] and "DVC" in answers[0]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_strings_gives_plain_values_and_none_when_unbound(dataset, engine):
    store = store_from_dataset(dataset, engine)
    text = ("SELECT ?tool ?label ?nothing WHERE { ?tool mlo:listPosition 1 ; skos:prefLabel ?label "
            "OPTIONAL { ?tool mlo:noSuchProperty ?nothing } }")
    assert store.select_strings(text) == [("https://w3id.org/mlops-kg/id/tool/mlflow", "MLflow", None)]
    four = store.select_strings("SELECT ?a ?b ?c ?d WHERE { VALUES (?a ?b ?c ?d) { (1 2 3 4) } }")
    assert four == [("1", "2", "3", "4")]


def test_stated_vs_curated_shows_imported_facts_and_readable_property_names():
    from pathlib import Path

    from mlops_kg.build.pipeline import build_dataset

    guide = Path(__file__).parent / "data" / "guide-small.md"
    result = run_query(store_from_dataset(build_dataset(include=[guide], without=("landscape",))), "stated-vs-curated", {"tool": "feast"})[1]
    rows = {(str(s), str(p), str(v)) for s, p, v in result.rows}
    sources = {s for s, _p, _v in rows}
    assert any(s.startswith("import/") for s in sources), sources
    assert any(s.startswith("import/") and p == "stated alternative" and v == "Hopsworks" for s, p, v in rows)
    assert not any(p.startswith("http") for _s, p, _v in rows)  # unlabelled properties by local name
    assert not any(s in ("ontology", "analysis") for s in sources)


def test_a_subquery_that_does_not_project_a_parameter_keeps_its_own_variable(dataset):
    """Inside a subquery that does not project ?tool, ?tool is another variable: it must stay
    free there, or the count below would change. (rdflib's initBindings bind it there too, a
    known difference of that engine; VALUES on rdflib would keep them apart but made its
    evaluation of the named queries 30x slower.)"""
    from rdflib import URIRef

    from mlops_kg.model.namespaces import ID
    from mlops_kg.query.sparql import with_values

    text = ("SELECT ?tool ?all WHERE { ?tool a mlo:Tool "
            "{ SELECT (COUNT(DISTINCT ?tool) AS ?all) WHERE { ?tool a mlo:Tool } } "
            "{ SELECT * WHERE { ?tool skos:prefLabel ?l } } }")
    written = with_values(text, {"tool": URIRef("urn:t")}, into_patterns=True)
    assert "WHERE { ?tool a mlo:Tool } }" in written  # left alone: not projected
    assert "{ SELECT * WHERE { VALUES (?tool) { (<urn:t>) }  <urn:t> skos:prefLabel ?l } }" in written  # by *
    rows = store_from_dataset(dataset).query(text, {"tool": URIRef(ID["tool/mlflow"])}).rows
    tools = len(store_from_dataset(dataset).select_strings("SELECT DISTINCT ?t WHERE { ?t a mlo:Tool }"))
    assert [(str(tool), int(n)) for tool, n in rows] == [(str(ID["tool/mlflow"]), tools)]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_parameter_reaches_a_subquery_that_cuts_its_rows(dataset, engine):
    """A subquery is evaluated on its own: a VALUES block only at the top would let its LIMIT
    cut rows of every language before the join. The block is also written into a subquery that
    projects the parameter, so the text a remote server gets (VALUES only) cuts the right rows."""
    from rdflib import URIRef

    from mlops_kg.model.namespaces import ID
    from mlops_kg.query.sparql import with_values

    text = ("SELECT ?tool WHERE { { SELECT ?tool ?language WHERE { ?tool mlo:usesLanguage ?language } "
            "LIMIT 3 } } ORDER BY ?tool")
    store = store_from_dataset(dataset, engine)
    yaml = {"language": URIRef(ID["language/yaml"])}
    users = store.select_strings(f"SELECT ?t WHERE {{ ?t mlo:usesLanguage <{ID['language/yaml']}> }}")
    assert len(users) > 3  # more match than the cut: the test can tell
    rows = store.query(with_values(text, yaml), {}).rows  # what a remote server is sent
    assert len(rows) == 3 and {str(r[0]) for r in rows} <= {u for (u,) in users}


def test_shared_neighbours_does_not_count_what_most_technologies_share(dataset):
    """Python is a neighbour of most technologies: it is listed as widespread, not counted, so
    every count is the number of distinctive neighbours in common. Without the analysis' counts
    (a graph that was not analysed) every neighbour counts."""
    from rdflib import Dataset

    from mlops_kg.model.namespaces import GRAPHS

    def rows(ds):
        result = run_query(store_from_dataset(ds), "shared-neighbours", {"tool": "mlflow"})[1]
        return {str(label): (int(n), str(common).split(", ")) for _o, label, n, common in result.rows}

    counted = rows(dataset)
    assert "Python (widespread)" in counted["Polyaxon"][1]
    for label, (n, common) in counted.items():
        assert n == len([c for c in common if not c.endswith(" (widespread)")]), label
    bare = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g != GRAPHS.ANALYSIS:
            bare.add((s, p, o, g))
    uncounted = rows(bare)
    assert uncounted["Polyaxon"][0] == counted["Polyaxon"][0] + 1
    assert all(n == len(common) and not any(c.endswith(" (widespread)") for c in common)
               for n, common in uncounted.values())


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_tool_overview_lists_a_technology_with_no_capability_or_delivery_model(dataset, engine):
    """rdflib's GROUP_CONCAT failed ("Variable dm is not bound") on a technology with neither."""
    from rdflib import RDF, SKOS, Dataset, Literal

    from mlops_kg.model.namespaces import GRAPHS, ID, MLO

    bare = Dataset(default_union=True)
    for quad in dataset.quads((None, None, None, None)):
        bare.add(quad)
    new = ID["tool/bare-tool"]
    bare.graph(GRAPHS.CURATED).add((new, RDF.type, MLO.Tool))
    bare.graph(GRAPHS.INFERRED).add((new, RDF.type, MLO.Technology))
    bare.graph(GRAPHS.CURATED).add((new, SKOS.prefLabel, Literal("Bare Tool")))
    rows = {str(r[1]): r for r in run_query(store_from_dataset(bare, engine), "tool-overview")[1].rows}
    assert str(rows["Bare Tool"][2]) == "" and str(rows["Bare Tool"][3]) == ""
    assert str(rows["MLflow"][3]) and len(rows) > 50


def test_most_central_takes_a_capability_group_like_tools_with_capability(store):
    """A broad capability ("Data management") covers its narrower ones, as in tools-with-capability;
    it used to match only tools that name the broad one, i.e. none."""
    central = run_query(store, "most-central", {"capability": "data management"})[1]
    members = {str(r[1]) for r in run_query(store, "tools-with-capability", {"capability": "data management"})[1].rows}
    assert len(central.rows) == 5 and "DVC" in labels(central) and set(labels(central)) <= members


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_star_columns_come_in_the_order_the_query_names_them(dataset, engine):
    """SPARQL leaves SELECT *'s order open; Oxigraph sorted by name, rdflib differed: both now
    follow the query text, with or without parameters."""
    from rdflib import URIRef

    from mlops_kg.model.namespaces import ID

    store = store_from_dataset(dataset, engine)
    text = "SELECT * WHERE { ?tool skos:prefLabel ?label ; mlo:listPosition ?at } ORDER BY ?at LIMIT 1"
    assert store.query(text).variables == ["tool", "label", "at"]
    assert store.query(text, {"tool": URIRef(ID["tool/dvc"])}).variables == ["tool", "label", "at"]
    assert store.query("SELECT ?label ?tool WHERE { ?tool skos:prefLabel ?label } LIMIT 1").variables == ["label", "tool"]
    nested = "SELECT ?label ?tool WHERE { { SELECT * WHERE { ?tool skos:prefLabel ?label } } } LIMIT 1"
    assert store.query(nested).variables == ["label", "tool"]  # a subquery's * is not the query's


def test_a_store_and_its_name_index_form_no_reference_cycle(dataset):
    """The store caches its name index; the index must not point back at the store, or a
    dropped store (hundreds of MB at scale) waits for the cyclic collector to be freed."""
    import gc
    import weakref

    from mlops_kg.sources.resolve import Resolver

    store = store_from_dataset(dataset)
    Resolver.for_store(store)
    ref = weakref.ref(store)
    gc.disable()
    try:
        del store
        assert ref() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_query_can_search_for_a_label_holding_a_control_character(engine):
    """The build can store such labels; an escape inside a string finds them (issue 12)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import SKOS

    from mlops_kg.model.load import new_dataset

    ds = new_dataset()
    graph = ds.graph(URIRef("urn:test:g"))
    stored = {"line": "a\u2028b", "ctrl": "c\x01d", "both": "e\u2029f\ng", "bidi": "h\u202ei"}
    for name, label in stored.items():
        graph.add((URIRef(f"urn:test:{name}"), SKOS.prefLabel, Literal(label)))
    store = store_from_dataset(ds, engine)
    for name, written in {"line": '"a\\u2028b"', "ctrl": "'c\\u0001d'", "both": '"""e\\u2029f\\u000Ag"""',
                          "bidi": '"h\\u202Ei"'}.items():
        _query, result = run_query(store, f"SELECT ?s WHERE {{ ?s skos:prefLabel {written} }}")
        assert labels(result, "s") == [f"urn:test:{name}"], written
        assert store.query(f"ASK {{ ?s skos:prefLabel {written} }}").boolean, written
    # raw, or as an escape outside a string, a control character is still refused, with advice
    for bad in ("SELECT ?s WHERE { ?s skos:prefLabel \"a\u2028b\" }", "SELECT ?s WHERE { ?s ?p ?o } # \\u2028"):
        with pytest.raises(QueryError, match=r"inside a string only as an escape: write \\u2028"):
            run_query(store, bad)


# --- the one tokenizer: every rewrite and check reads SPARQL through query.sparql.tokens ---------

TRICKY = [
    # (text, what a keyword-looking piece is)
    ('SELECT ("FROM <x>" AS ?s) WHERE { ?s ?p ?o }', "string"),
    ("SELECT ?s WHERE { ?s ?p ?o } # FROM <http://x/> WHERE {", "comment"),
    ('SELECT ?s WHERE { ?s ?p """ a "" FROM { WHERE } ""x""" }', "long string with quotes and braces"),
    ("SELECT ?s WHERE { ?s ?p '''it''s FROM'''}", "long single-quoted string"),
    ('SELECT ?s WHERE { ?s ?p "a \\" FROM {" }', "escaped quote in a short string"),
    ("SELECT ?s WHERE { ?s a tool:from }", "prefixed name"),
    ('SELECT ("x"@from AS ?s) WHERE { }', "language tag"),
    ("SELECT ?s WHERE { ?s ?p <http://x/FROM#(> }", "IRI with # and a bracket"),
]


@pytest.mark.parametrize("text,why", TRICKY)
def test_keywords_in_strings_iris_comments_and_names_are_not_code(text, why):
    from mlops_kg.query.sparql import has_dataset_clause, parse_query, with_values

    parse_query(text)  # each is valid SPARQL
    assert not has_dataset_clause(text), why
    bound = with_values(text, {"s": Literal("v")})
    # the VALUES block goes into the query's own WHERE group, never into the literal or comment
    assert bound.index(' VALUES (?s) { ("v") } ') == text.index("WHERE {") + len("WHERE {"), why
    parse_query(bound)


def test_the_tokenizer_reads_long_strings_escapes_and_names_as_the_grammar_does():
    from mlops_kg.query.sparql import tokens

    kinds = lambda text: [(t.kind, t.text) for t in tokens(text)]  # noqa: E731
    assert kinds("'''a''b'''x") == [("string", "'''a''b'''"), ("word", "x")]
    assert kinds("'''a\\''''") == [("string", "'''a\\''''")]  # \' is an escape, then the end
    assert kinds('"a\\"b" c') == [("string", '"a\\"b"'), ("word", "c")]
    assert kinds("ex:a\\#b # c") == [("pname", "ex:a\\#b"), ("comment", "# c")]
    assert kinds("?x.") == [("var", "?x")] and kinds("ex:a.") == [("pname", "ex:a")]
    assert kinds("<a b>") == [("word", "a"), ("word", "b")]  # not an IRI: spaces
    assert kinds("1.5e3 @en-GB _:b0") == [("number", "1.5e3"), ("langtag", "@en-GB"), ("pname", "_:b0")]


def test_prefixes_star_order_caps_and_nesting_read_code_only():
    from mlops_kg.query.named import NamedQuery
    from mlops_kg.query.sparql import mentions_service, nesting, star_order, with_prefixes

    commented = with_prefixes("# PREFIX mlo: <http://example.org/>\nSELECT * { ?s a mlo:Tool }")
    assert "PREFIX mlo: <https://w3id.org/mlops-kg/ontology#>" in commented
    own = with_prefixes("PREFIX mlo: <http://example.org/>\nSELECT * { ?s a mlo:Tool }")
    assert "PREFIX mlo: <https://w3id.org/mlops-kg/" not in own
    assert star_order('SELECT ?b ?a { ?a ?p "SELECT *" }', ["b", "a"]) == ["b", "a"]
    assert star_order("SELECT DISTINCT * { ?b ?p ?a }", ["a", "p", "b"]) == ["b", "p", "a"]
    capped = NamedQuery("q", Path("-"), '# LIMIT 5000\nSELECT ?s { ?s ?p "LIMIT 9000" } LIMIT 1000', "")
    assert capped.cap == 1000
    assert nesting('ASK { ?s ?p "((((" }') == (1, 4)
    assert not mentions_service('ASK { ?s ?p """SERVICE""" } # SERVICE')
    assert mentions_service('ASK { ?s ?p """a "" SERVICE""" }')  # a quote inside: read as code too


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_both_engines_write_the_same_bytes(dataset, fmt):
    """The formats are written from engine-neutral rows by one serialiser (rdflib's, or own code
    where it has none), and an explicit xsd:string is the plain literal either engine returns."""
    import xml.etree.ElementTree as ElementTree

    text = ('SELECT ?s ?v ?unbound WHERE { VALUES (?s ?v) { (tool:mlflow "x"^^xsd:string) '
            '(tool:mlflow "a,\\"b\\"\\r\\nc"@en) (tool:dvc 1.5) } } ORDER BY ?s STR(?v)')
    out = {engine: format_result(run_query(store_from_dataset(dataset, engine), text)[1], fmt)
           for engine in ("oxigraph", "rdflib")}
    assert out["oxigraph"] == out["rdflib"], out
    if fmt == "json":
        bindings = json.loads(out["rdflib"])["results"]["bindings"]
        assert {"type": "literal", "value": "x"} in [b.get("v") for b in bindings]
        assert {"type": "literal", "value": 'a,"b"\r\nc', "xml:lang": "en"} in [b.get("v") for b in bindings]
    if fmt == "xml":  # the CR survives an XML reader
        values = [e.text for e in ElementTree.fromstring(out["rdflib"]).iter(
            "{http://www.w3.org/2005/sparql-results#}literal")]
        assert 'a,"b"\r\nc' in values
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out["rdflib"], newline="")))
        assert rows[0] == ["s", "v", "unbound"] and ["https://w3id.org/mlops-kg/id/tool/dvc", "1.5", ""] in rows
