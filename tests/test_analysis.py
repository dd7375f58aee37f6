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


def test_ranking_is_directional_and_the_cluster_graph_symmetric(result):
    """Kind compatibility depends on direction: an end-to-end platform can stand in for an
    experiment tracker (x0.5), a tracker for a platform only weakly (x0.1); the graph the
    clusters are found in is undirected, weighted by the mean of the two directions."""
    from mlops_kg.analysis.substitutability import kind_factor

    profs, ctx = result.profiles, result.ctx
    tracker, platform = profs[T("mlflow")], profs[S("amazon-sagemaker")] if S("amazon-sagemaker") in profs \
        else next(p for p in profs.values() if p.tech_kind.endswith("/end-to-end-platform"))
    assert kind_factor(tracker, platform, ctx) == 0.5
    assert kind_factor(platform, tracker, ctx) == 0.1
    assert kind_factor(tracker, profs[T("comet")], ctx) == 1.0
    assert not result.subst.is_directed()
    for a, b, w in result.subst.edges(data="weight"):
        ab = dict(result.ranked_substitutes(a)).get(b)
        ba = dict(result.ranked_substitutes(b)).get(a)
        assert ab is not None or ba is not None
        if ab is not None and ba is not None and not (profs[a].successors or profs[b].successors):
            assert w == pytest.approx((ab + ba) / 2, abs=1e-6)


def test_weights_live_in_one_table_and_change_the_graph(union, result):
    assert set(WEIGHTS) >= {"same_primary", "capabilities", "categories", "stated_substitute", "stated_alternative",
                            "not_a_substitute", "co_alternatives", "languages", "industries", "cloud_equivalent"}
    profs = profiles(union)
    base, _ = substitutability(profs[T("mlflow")], profs[T("weights-and-biases")], result.labels)
    heavier, _ = substitutability(profs[T("mlflow")], profs[T("weights-and-biases")], result.labels,
                                  dict(WEIGHTS, stated_substitute=10.0))
    assert 0 < base < heavier


def test_every_ranking_is_sorted_and_names_its_sources(result):
    """Best first, ties by label then IRI; every reason of a stated or shared fact says where
    it comes from (guide, a catalogue, curated, ...)."""
    for iri in result.profiles:
        rows = result.ranked_substitutes(iri)
        successors = [o for o, _w in rows if o in result.profiles[iri].successors]
        rest = rows[len(successors):]
        keys = [(-w, result.labels.get(o, o).lower(), o) for o, w in rest]
        assert keys == sorted(keys), iri
    reasons = [r for _o, _w, rs in result.substitutes(T("mlflow"), 5) for r in rs]
    sourced = [r for r in reasons if r.startswith(("stated", "same kind", "same primary", "shares"))]
    assert sourced and all(r.endswith(")") for r in sourced), sourced


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


def _with_unrelated_tools(union, per_group: int):
    """The graph plus two groups of tools that share nothing with the rest (their own capability)."""
    from rdflib import RDF, Graph, Literal
    from rdflib.namespace import SKOS

    from mlops_kg.model.namespaces import MLO

    g = Graph()
    for triple in union:
        g.add(triple)
    for cap in ("quantum-annealing", "protein-folding"):
        c = ID[f"capability/{cap}"]
        g.add((c, RDF.type, MLO.Capability))
        g.add((c, SKOS.prefLabel, Literal(cap.replace("-", " ").capitalize())))
        for i in range(per_group):
            t = ID[f"tool/{cap}-{i}"]
            g.add((t, RDF.type, MLO.Tool))
            g.add((t, RDF.type, MLO.Technology))
            g.add((t, SKOS.prefLabel, Literal(f"{cap} {i}")))
            g.add((t, MLO.hasCapability, c))
            if i:
                g.add((t, MLO.statedAlternative, ID[f"tool/{cap}-{i - 1}"]))
    return g


@pytest.mark.parametrize("per_group", [3, 40])
def test_cluster_iris_survive_a_rebuild_with_unrelated_tools(union, result, per_group):
    """Clusters are named by their content (dominant capability, then their most central member),
    found per connected component, so tools added elsewhere change neither them nor their IRIs."""
    from mlops_kg.analysis.rdf import statements
    from mlops_kg.model.namespaces import MLO

    def cluster_iris(analysis):
        """Cluster IRI → its members, as the analysis graph states them."""
        members = {}
        for s, p, o in statements(analysis):
            if p == MLO.inCluster:
                members.setdefault(str(o), []).append(str(s))
        return {iri: sorted(found) for iri, found in members.items()}

    before = cluster_iris(result)
    assert str(ID["cluster/experiment-tracking"]) in before
    after = cluster_iris(analyze(_with_unrelated_tools(union, per_group)))
    assert {iri: after.get(iri) for iri in before} == before
    assert str(ID["cluster/quantum-annealing"]) in after and len(after) == len(before) + 2


def test_a_second_cluster_of_one_capability_is_named_by_its_central_member():
    """Two groups doing the same job, unlinked: the larger keeps the capability's name, the
    other adds its most central member's (never a running number)."""
    from mlops_kg.analysis.substitutability import Profile

    tool = "https://w3id.org/mlops-kg/id/tool/"
    groups = [["seldon-core", "kserve", "bentoml"], ["ray-serve", "torchserve", "triton"]]
    profs = {tool + n: Profile(tool + n, n.title(), "tool", capabilities={"cap/serving"}) for g in groups for n in g}
    subst = nx.Graph()
    subst.add_nodes_from(sorted(profs))
    for group, centre in zip(groups, ("kserve", "torchserve")):
        subst.add_weighted_edges_from((tool + a, tool + b, 2.0 if centre in (a, b) else 1.0)
                                      for i, a in enumerate(group) for b in group[i + 1:])
    subst.add_node(tool + "lonely")
    profs[tool + "lonely"] = Profile(tool + "lonely", "Lonely", "tool")
    from mlops_kg.analysis.clusters import central_member, slugs_of

    labels = {"cap/serving": "Model serving"}
    found = clusters(subst, profs, labels)
    assert set(found[0]) == {"id", "name", "capability", "members"}
    named = sorted((slug, c["name"], len(c["members"])) for c, slug in zip(found, slugs_of(found, subst, profs, labels)))
    assert named == [("model-serving", "Model serving", 3), ("model-serving--torchserve", "Model serving (Torchserve)", 3),
                     ("unclassified", "Unclassified", 1)]
    assert central_member(subst, found[0]["members"], profs) == tool + "kserve"


def test_every_pair_is_compared_without_sampling():
    """Two technologies that share only a rare catalogue category, among many that share a
    common capability, are still each other's best candidate (no window, no sampling)."""
    from mlops_kg.analysis.substitutability import Profile, rankings

    profs = {f"t/{i:03d}": Profile(f"t/{i:03d}", f"T{i:03d}", "tool", capabilities={"c/common"},
                                   tech_kind="k/x") for i in range(300)}
    profs["t/000"].categories = profs["t/299"].categories = {"https://w3id.org/mlops-kg/id/catalogue/lfai/rare"}
    ranked, edges = rankings(profs, {}, top=5)
    assert ranked["t/000"][0][0] == "t/299" and ranked["t/299"][0][0] == "t/000"
    assert all(len(rows) == 5 for rows in ranked.values())


def test_a_large_graph_is_scored_in_blocks_of_rows_with_the_same_result(union, monkeypatch):
    """Above DENSE_LIMIT technologies the scores are computed a block of rows at a time (a dense
    matrix of 50,000 tools needs 20 GB): the rankings and edge weights must be the same."""
    from mlops_kg.analysis import substitutability as model

    profs = profiles(union)
    ctx = model.context(union)
    dense = model.rankings(profs, {}, ctx, top=10)
    monkeypatch.setattr(model, "DENSE_LIMIT", 10)
    monkeypatch.setattr(model, "DENSE_ROWS", 7)  # blocks that do not divide the row count
    assert model.rankings(profs, {}, ctx, top=10) == dense
    assert dense[1] and any(rows for rows in dense[0].values())
