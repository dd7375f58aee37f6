import json
import os
import subprocess
import sys

import pytest
from rdflib import URIRef

import networkx as nx

from mlops_kg.analysis.centrality import betweenness_centrality, betweenness_pivots
from mlops_kg.analysis.clusters import clusters
from mlops_kg.analysis.projection import project, tool_graph
from mlops_kg.analysis.result import analyze
from mlops_kg.analysis.substitutability import WEIGHTS, profiles, substitutability
from mlops_kg.model.namespaces import GRAPHS, ID, sparql_prologue

T = lambda slug: str(ID["tool/" + slug])  # noqa: E731
S = lambda slug: str(ID["service/" + slug])  # noqa: E731


@pytest.fixture(scope="module")
def result(union):
    return analyze(union)


def test_projection_has_typed_labelled_nodes_and_named_edges(union):
    g = project(union)
    mlflow = g.nodes[T("mlflow")]
    assert mlflow["kind"] == "tool" and mlflow["label"] == "MLflow" and mlflow["description"]
    assert g.nodes[str(ID["language/yaml"])]["kind"] == "language"
    assert g.nodes[str(ID["use-case/mlflow-in-finance"])]["kind"] == "use-case"
    relations = {d["relation"] for _s, _o, d in g.edges(data=True)}
    assert {"statedAlternative", "cloudEquivalent", "usesLanguage", "hasCapability", "useCaseOf",
            "inIndustry", "offeredBy", "broader"} <= relations
    # literals are attributes, schema terms and guide sections are not nodes, derived edges are left out
    assert all(n.startswith(str(ID)) for n in g.nodes)
    assert not any(k == "source" for _n, k in g.nodes(data="kind"))
    assert "isAlternativeTo" not in relations and "usedInIndustry" not in relations


def test_tool_graph_has_only_technologies(union):
    g = tool_graph(project(union))
    assert {k for _n, k in g.nodes(data="kind")} == {"tool", "service", "platform"}
    assert "statedAlternative" in g.edges[T("mlflow"), T("dvc")]["relations"]


def test_centrality_measures_cover_every_node(result):
    assert set(result.scores) == {"degree", "betweenness", "pagerank", "closeness"}
    for values in result.scores.values():
        assert set(values) == set(result.full.nodes)
    top_tool = max((n for n, k in result.full.nodes(data="kind") if k == "tool"),
                   key=lambda n: (result.scores["degree"][n], n))
    assert top_tool == T("mlflow"), "the guide names MLflow more than any other tool"


def test_substitutability_is_symmetric(result):
    labels = result.labels
    profs = result.profiles
    for a in profs:
        for b in profs:
            if a < b:
                assert substitutability(profs[a], profs[b], labels) [0] == \
                    substitutability(profs[b], profs[a], labels)[0]


def test_weights_live_in_one_table_and_change_the_graph(union, result):
    assert set(WEIGHTS) >= {"stated_alternative", "capabilities", "shared_equivalents", "co_alternatives",
                            "languages", "industries", "cloud_equivalent"}
    profs = profiles(union)
    base, _ = substitutability(profs[T("mlflow")], profs[T("dvc")], result.labels)
    heavier, _ = substitutability(profs[T("mlflow")], profs[T("dvc")], result.labels,
                                  dict(WEIGHTS, stated_alternative=10.0))
    assert heavier == pytest.approx(base + 8.0)


def cluster_of(result, iri):
    return next(c for c in result.clusters if iri in c["members"])


def test_kinds_of_tools_are_not_lumped_together(result):
    groups = {
        "experiment trackers": [T("weights-and-biases"), T("comet"), T("neptune-ai")],
        "orchestrators": [T("apache-airflow"), T("luigi"), T("prefect")],
        "model servers": [T("seldon-core"), T("kserve"), T("bentoml")],
        "data versioning": [T("dvc"), T("git-lfs"), T("pachyderm")],
        "managed platforms": [T("amazon-sagemaker"), T("azure-machine-learning"), T("vertex-ai")],
    }
    ids = {}
    for group, members in groups.items():
        found = {cluster_of(result, m)["id"] for m in members}
        assert len(found) == 1, f"{group} are split over clusters {found}"
        ids[group] = found.pop()
    assert len(set(ids.values())) == len(groups), ids


def test_clusters_are_named_by_dominant_capability(result):
    names = {c["name"] for c in result.clusters}
    assert {"Experiment tracking", "Model serving", "Data versioning", "End-to-end platform"} <= names
    assert cluster_of(result, T("weights-and-biases"))["name"] == "Experiment tracking"
    assert len(names) == len(result.clusters), "cluster names are unique"


def test_clusters_are_stable_across_hash_seeds(result):
    # What prepare() analyses (the loaded, inferred graph), without validating it: not the point here.
    script = ("import json; from mlops_kg.analysis.result import analyze; from mlops_kg.model.inference import infer; "
              "from mlops_kg.model.load import load_sources, union_graph; ds = load_sources(without=('landscape',)); infer(ds); "
              "print(json.dumps(analyze(union_graph(ds)).clusters))")
    children = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "999")]
    runs = {child.communicate()[0] for child in children}
    assert [child.returncode for child in children] == [0, 0]
    assert len(runs) == 1
    assert json.loads(runs.pop()) == result.clusters


def test_analysis_results_are_rdf_in_their_own_graph(dataset):
    analysis = dataset.graph(GRAPHS.ANALYSIS)
    assert len(analysis) > 500
    rows = list(dataset.query(sparql_prologue() + """
        SELECT ?label ?rank WHERE {
          ?tool mlo:hasCapability cap:workflow-orchestration ; skos:prefLabel ?label ; mlo:pageRank ?rank .
        } ORDER BY DESC(?rank) LIMIT 5"""))
    assert len(rows) == 5 and "Apache Airflow" in {str(r.label) for r in rows}
    method = dataset.value(URIRef(str(ID["analysis/run"])), URIRef("https://w3id.org/mlops-kg/ontology#method"))
    assert "Louvain" in str(method) and "seed 42" in str(method)
    members = list(dataset.query(sparql_prologue() + """
        SELECT ?tool WHERE { ?tool mlo:inCluster ?c . ?c rdfs:label "Experiment tracking cluster" }"""))
    assert len(members) >= 4


def test_neighbour_counts_say_how_many_technologies_share_each_neighbour(union, result):
    """The analysis counts, for each node, the technologies linked to it the way
    `shared-neighbours` links them (inferred links included), and the technologies in all."""
    from mlops_kg.analysis.projection import NEIGHBOUR_RELATIONS
    from mlops_kg.analysis.rdf import statements
    from mlops_kg.model.namespaces import MLO

    values = " ".join(f"<{p}>" for p in NEIGHBOUR_RELATIONS)
    expected = {str(n): int(c) for n, c in union.query(sparql_prologue() + f"""
        SELECT ?n (COUNT(DISTINCT ?t) AS ?c) WHERE {{
          VALUES ?p {{ {values} }} ?t ?p ?n ; a mlo:Technology }} GROUP BY ?n""")}
    assert result.neighbour_counts == expected
    python = str(ID["language/python"])
    assert expected[python] * 2 > len(result.profiles)  # most technologies: the widespread case
    triples = set(statements(result))
    assert (URIRef(python), MLO.technologyCount, _int(expected[python])) in triples
    assert (URIRef(str(ID["analysis/run"])), MLO.technologyTotal, _int(len(result.profiles))) in triples


def _int(n):
    from rdflib import Literal
    from rdflib.namespace import XSD

    return Literal(n, datatype=XSD.integer)


def test_analyze_data_on_a_small_imported_graph(tmp_path):
    """PageRank's stopping bar is n·tol: a graph of a few dozen nodes needed more than networkx's
    default 100 steps, and `analyze --data` on one imported guide ended in a traceback."""
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    from .conftest import DATA

    out = tmp_path / "small.ttl"
    assert CliRunner().invoke(cli, ["import", str(DATA / "guide-small.md"), "-q", "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(cli, ["analyze", "--data", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["centrality"]["tool"]["pagerank"]
    assert scores and all(row["score"] > 0 for row in scores)


def test_analyze_cli_markdown_and_json(built):
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    md = CliRunner().invoke(cli, ["analyze", "--build", str(built)])
    assert md.exit_code == 0, md.output
    assert "## Tools" in md.output and "| 1 | MLflow" in md.output and "# Clusters" in md.output
    js = CliRunner().invoke(cli, ["analyze", "--build", str(built), "--format", "json", "--top", "3"])
    doc = json.loads(js.output)
    assert doc["centrality"]["tool"]["degree"][0]["label"] == "MLflow"
    assert len(doc["centrality"]["tool"]["pagerank"]) == 3
    assert all({"id", "members"} <= set(c) for c in doc["clusters"])
    assert any("Weights & Biases" in c["members"] for c in doc["clusters"])


@pytest.mark.parametrize("graph", [nx.karate_club_graph(), nx.gnm_random_graph(120, 300, seed=3),
                                   nx.path_graph(4), nx.Graph([(0, 1), (2, 3)]), nx.barabasi_albert_graph(400, 2, seed=1)],
                         ids=["karate", "random", "path", "two-components", "scale-free"])
@pytest.mark.parametrize("k", [None, 3])
def test_vectorised_betweenness_matches_networkx(graph, k):
    ours = betweenness_centrality(graph, k=k, seed=42)
    theirs = nx.betweenness_centrality(graph, k=k, seed=42)
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-12


def test_betweenness_is_exact_on_the_shipped_graph_and_sampled_with_a_floor_at_scale(union):
    simple = nx.Graph(project(union).to_undirected())
    n, m = simple.number_of_nodes(), simple.number_of_edges()
    assert betweenness_pivots(n, m) == n  # exact
    assert betweenness_pivots(200_000, 500_000) == 120
    assert betweenness_pivots(10**7, 10**9) == 16


def test_igraph_louvain_for_large_graphs_is_deterministic_and_as_good_as_networkx():
    from mlops_kg.analysis.clusters import louvain_igraph

    g = nx.planted_partition_graph(12, 100, 0.2, 0.01, seed=5)
    g = nx.relabel_nodes(g, {v: f"n{v:04d}" for v in g})
    for u, v in g.edges:
        g.edges[u, v]["weight"] = 1.0 + (int(u[1:]) + int(v[1:])) % 3
    first, second = louvain_igraph(g, seed=42), louvain_igraph(g, seed=42)
    assert sorted(map(sorted, first)) == sorted(map(sorted, second))
    assert set().union(*first) == set(g.nodes)
    ours = nx.community.modularity(g, first, weight="weight", resolution=1.8)
    theirs = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=42, resolution=1.8),
                                     weight="weight", resolution=1.8)
    assert ours >= theirs - 0.02


def test_analysis_as_ntriples_matches_the_rdf_graph(result):
    import io

    from rdflib import Graph

    from mlops_kg.analysis.rdf import statements, write_ntriples

    out = io.BytesIO()
    written = write_ntriples(result, out)
    parsed = Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")
    expected = set(statements(result))
    assert written == len(parsed) == len(expected) > 100
    assert set(parsed) == expected


def test_bulk_work_pauses_the_collector_and_restores_it():
    import gc

    from mlops_kg.bulk import paused_gc

    assert gc.isenabled()
    with pytest.raises(ValueError):
        with paused_gc():
            assert not gc.isenabled()
            raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a caller's own pause is left as it was
    finally:
        gc.enable()


def test_analyze_data_without_technologies_is_one_line(tmp_path):
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", "--data", str(empty)])
    assert result.exit_code == 2
    assert result.output == (f"error: {empty}: no technologies to analyse (nothing typed mlo:Technology); give a "
                             "built graph, e.g. build/mlops-kg.nq, or an imported guide's .ttl\n")
