"""Catalogue entities as RDF (mlops_kg.sources.landscape_rdf): resolution onto one node per real
thing, facts per source graph, status, dataset descriptions and deterministic Turtle."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from mlops_kg.model.iris import mint_iri
from mlops_kg.model.names import normalize_name
from mlops_kg.model.namespaces import MLO, SCHEMA
from mlops_kg.sources.catalogue import CatalogueError, Record
from mlops_kg.sources.landscape_rdf import (SOURCE_BY_ID, FileVersion, derive_status, entity_status,
                                            language_iri, licence_triples, load_shipped,
                                            observed_dates, read_versions, resolve, source_triples,
                                            to_turtle)
from mlops_kg.sources.merge import merge_records

from .conftest import ROOT

MLO_NS = str(MLO._NS)
STAR_COUNT, STAR_DATE = URIRef(MLO_NS + "starCount"), URIRef(MLO_NS + "starCountDate")
ARCHIVED, MATURITY = URIRef(MLO_NS + "archived"), URIRef(MLO_NS + "foundationMaturity")
OSI = URIRef(MLO_NS + "osiApproved")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

SHIPPED_TTL = """
@prefix mlo: <https://w3id.org/mlops-kg/ontology#> .
@prefix tool: <https://w3id.org/mlops-kg/id/tool/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
tool:servo-serving a mlo:Tool ; skos:prefLabel "Servo Serving" ;
    schema:codeRepository <https://github.com/servo-org/servo> .
tool:tuner a mlo:Tool ; skos:prefLabel "Tuner" ; skos:altLabel "Tuner.ai" .
tool:langly a mlo:Tool ; skos:prefLabel "Langly" ;
    schema:codeRepository <https://github.com/langly-corp/langly-app> .
<https://github.com/one/spot> mlo:differentProject <https://github.com/two/spot> .
# A curated name (graph/landscape/curated-names.ttl): a renamed project and its former repository.
tool:argo-labeller skos:prefLabel "Argo Labeller" ;
    schema:codeRepository <https://github.com/argo-io/labeller> , <https://github.com/recog/rubric> .
"""

VERSIONS = {name: FileVersion(name, "abc1234", day) for name, day in (
    ("a.yml", "2025-06-02"), ("b.csv", "2025-06-26"), ("c.md", "2026-01-01"))}


def record(source, name, repository=None, file=None, line=1, **facts):
    file = file or {"lfai": "a.yml", "best-of-ml-python": "b.csv"}.get(source, "c.md")
    return Record(source=source, key=name, name=name, file=file, line=line,
                  repository=repository, **facts)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    path = tmp_path_factory.mktemp("shipped") / "shipped.ttl"
    path.write_text(SHIPPED_TTL, encoding="utf-8")
    return load_shipped([path])


def place(records, shipped, reserved=None):
    resolution = resolve(merge_records(records).entities, shipped, reserved)
    return {p.entity.key: p for p in resolution.placements}, resolution.notes


GH = "https://github.com/"


def test_a_repository_of_a_shipped_node_resolves_onto_it_and_keeps_its_label(shipped):
    placed, _ = place([record("lfai", "Servo", GH + "servo-org/servo")], shipped)
    servo = placed[GH + "servo-org/servo"]
    assert servo.node == mint_iri("tool", "Servo Serving") and servo.resolved == "repository"
    assert servo.label is None  # the shipped label stands: no skos:prefLabel is written
    assert servo.aliases == {"lfai": ("Servo",)}


def test_a_name_of_a_shipped_node_without_repository_resolves_onto_it(shipped):
    placed, _ = place([record("best-of-ml-python", "tuner.ai", GH + "tuner-org/tuner")], shipped)
    tuner = placed[GH + "tuner-org/tuner"]
    assert (tuner.node, tuner.resolved) == (mint_iri("tool", "Tuner"), "name")
    assert tuner.aliases == {}  # "tuner.ai" normalises to an existing alias of the node


def test_a_name_match_with_another_repository_is_a_near_miss_and_is_disambiguated(shipped):
    placed, notes = place([record("awesome-llmops", "Langly", GH + "langly/langly")], shipped)
    langly = placed[GH + "langly/langly"]
    assert langly.resolved is None and langly.disambiguated
    assert langly.label == "Langly (langly/langly)"
    assert langly.node == mint_iri("tool", "Langly (langly/langly)")
    assert any("langly/langly: named like tool/langly" in line for line in notes["near-misses"])
    assert any("labelled 'Langly (langly/langly)'" in line for line in notes["disambiguated"])


def test_two_projects_with_one_name_get_distinct_nodes_by_a_stated_order(shipped):
    records = [record("awesome-llmops", "Flow", GH + "zeta/flow-engine", stars=10),
               record("awesome-production-ml", "Flow", GH + "alpha/flow-ui", stars=5),
               record("best-of-ml-python", "Flow", GH + "zeta/flow-engine", stars=12)]
    for attempt in range(3):  # input order does not matter
        placed, _ = place(random.Random(attempt).sample(records, len(records)), shipped)
        # Listed by two sources beats one: zeta's project keeps the plain name.
        assert placed[GH + "zeta/flow-engine"].label == "Flow"
        assert placed[GH + "alpha/flow-ui"].label == "Flow (alpha/flow-ui)"


def test_a_moved_repository_is_one_node_unless_curated_as_different(shipped):
    placed, notes = place([record("lfai", "Lang", GH + "old-owner/lang", stars=3),
                           record("awesome-llmops", "Lang", GH + "new-owner/lang"),
                           record("lfai", "Spot", GH + "one/spot"),
                           record("awesome-llmops", "Spot", GH + "two/spot")], shipped)
    assert placed[GH + "old-owner/lang"].node == placed[GH + "new-owner/lang"].node
    assert [p.label for p in (placed[GH + "old-owner/lang"], placed[GH + "new-owner/lang"])].count(None) == 1
    assert placed[GH + "one/spot"].node != placed[GH + "two/spot"].node
    assert notes["joined as moved repositories"] == [f"{GH}old-owner/lang, {GH}new-owner/lang"]


def test_an_alias_that_names_another_node_is_dropped_and_reported(shipped):
    placed, notes = place([record("lfai", "Quill", GH + "quill/quill", aliases=("Kiln", "Quill ML")),
                           record("awesome-llmops", "Kiln", GH + "kiln/kiln")], shipped)
    assert placed[GH + "quill/quill"].aliases == {"lfai": ("Quill ML",)}
    assert notes["aliases dropped"] == [f"{GH}quill/quill: lfai name 'Kiln' is a name of tool/kiln"]


def test_an_alias_naming_a_shipped_technology_resolves_onto_it(shipped):
    placed, _ = place([record("lfai", "Quill", GH + "quill/quill", aliases=("Tuner",))], shipped)
    assert placed[GH + "quill/quill"].node == mint_iri("tool", "Tuner")


def test_reserved_names_beat_catalogue_entities(shipped):
    julia = mint_iri("language", "Julia")
    placed, _ = place([record("lfai", "Julia", GH + "julialang/julia")], shipped,
                      reserved={normalize_name("Julia"): julia})
    assert placed[GH + "julialang/julia"].label == "Julia (julialang/julia)"


def test_no_two_nodes_share_a_name_or_a_repository(shipped):
    records = [record("lfai", "Servo", GH + "servo-org/servo"), record("lfai", "Tuner", GH + "t/t"),
               record("awesome-llmops", "Langly", GH + "langly/langly"),
               record("awesome-llmops", "Flow", GH + "a/flow"), record("lfai", "FLOW", GH + "b/flow2"),
               record("lfai", "Promptr")]
    placed, _ = place(records, shipped)
    owners = {}
    for placement in placed.values():
        names = [placement.label] if placement.label else []
        names += [a for aliases in placement.aliases.values() for a in aliases]
        for name in names:
            assert owners.setdefault(normalize_name(name), placement.node) == placement.node, name
    for key, nodes in shipped.names.items():
        assert key not in owners or owners[key] in nodes


# ------------------------------------------------------------------------------ facts

def facts_graph(placements, source):
    graph = Graph()
    for triple in source_triples(placements, source, VERSIONS):
        graph.add(triple)
    return graph


def test_each_source_graph_states_its_own_facts_and_only_one_holds_the_label(shipped):
    records = [
        record("lfai", "Kiln", GH + "kiln/kiln", homepage="https://kiln.example.org/",
               licence="Apache-2.0", languages=("Python", "C#", "C"), stars=1200,
               last_commit="2025-05-30", created="2019-02-03", maturity="incubating",
               categories=(("Model", "Inference"),)),
        record("best-of-ml-python", "kiln-ml", GH + "kiln/kiln", licence="MIT", stars=1300,
               pypi="kiln-ml", conda="conda-forge/kiln", archived=True),
    ]
    placements = resolve(merge_records(records).entities, shipped, None).placements
    node = mint_iri("tool", "Kiln")
    lfai, best_of = facts_graph(placements, "lfai"), facts_graph(placements, "best-of-ml-python")
    assert list(lfai.objects(node, SKOS.prefLabel)) == [Literal("Kiln")]
    assert list(best_of.objects(node, SKOS.prefLabel)) == []
    assert list(best_of.objects(node, SKOS.altLabel)) == [Literal("kiln-ml")]
    # Each licence stays in its own source's graph.
    assert set(lfai.objects(node, SCHEMA.license)) == {URIRef("https://spdx.org/licenses/Apache-2.0")}
    assert set(best_of.objects(node, SCHEMA.license)) == {URIRef("https://spdx.org/licenses/MIT")}
    assert set(lfai.objects(node, MLO.usesLanguage)) == {language_iri(n) for n in ("Python", "C#", "C")}
    assert language_iri("C#") != language_iri("C")
    assert set(lfai.objects(node, STAR_COUNT)) == {Literal(1200)}
    assert set(lfai.objects(node, STAR_DATE)) == {Literal("2025-06-02", datatype=XSD_DATE)}
    assert set(best_of.objects(node, STAR_DATE)) == {Literal("2025-06-26", datatype=XSD_DATE)}
    assert set(lfai.objects(node, SCHEMA.dateCreated)) == {Literal("2019-02-03", datatype=XSD_DATE)}
    assert set(lfai.objects(node, MATURITY)) == {URIRef("https://w3id.org/mlops-kg/id/maturity/incubating")}
    assert set(lfai.objects(node, URIRef("http://purl.org/dc/terms/subject"))) == {
        URIRef("https://w3id.org/mlops-kg/id/catalogue/lfai/model/inference")}
    assert (node, ARCHIVED, Literal(True)) in best_of and (node, ARCHIVED, None) not in lfai
    assert set(best_of.objects(node, URIRef(MLO_NS + "pypiPackage"))) == {Literal("kiln-ml")}
    assert (node, RDF.type, SCHEMA.SoftwareApplication) in lfai


def test_a_homepage_that_is_not_an_iri_is_left_out(shipped):
    placements = resolve(merge_records([record("lfai", "Odd", homepage="see our site")]).entities,
                            shipped, None).placements
    assert (None, SCHEMA.url, None) not in facts_graph(placements, "lfai")


# ----------------------------------------------------------------------------- status

@pytest.mark.parametrize("archived, last_commit, as_of, expected", [
    (True, "2025-06-01", "2025-06-26", "archived"),
    (None, "2025-06-01", "2025-06-26", "active"),
    (None, "2024-06-26", "2025-06-26", "active"),      # exactly twelve months: still active
    (None, "2024-06-25", "2025-06-26", "inactive"),
    (None, None, "2025-06-26", None),                  # nothing to judge by
])
def test_derive_status(archived, last_commit, as_of, expected):
    assert derive_status(archived=archived, last_commit=last_commit, as_of=as_of) == expected


def test_entity_status_uses_the_newest_commit_against_when_it_was_observed():
    records = [record("lfai", "Kiln", GH + "kiln/kiln", last_commit="2023-11-20"),
               record("lfai", "Other", GH + "o/o", last_commit="2022-01-01"),
               record("best-of-ml-python", "Kiln", GH + "kiln/kiln", last_commit="2025-03-01")]
    versions = observed_dates(VERSIONS, records)
    # a.yml (committed 2025-06-02) holds commits up to 2023-11-20: its data is of that day.
    assert versions["a.yml"].as_of == "2023-11-20" and versions["b.csv"].as_of == "2025-03-01"
    entities = {e.key: e for e in merge_records(records).entities}
    assert entity_status(entities[GH + "kiln/kiln"], versions) == ("active", "2025-03-01")
    assert entity_status(entities[GH + "o/o"], versions) == ("inactive", "2023-11-20")


# ------------------------------------------------------------------- datasets, Turtle

def test_read_versions_takes_commit_and_date_per_file(tmp_path):
    (tmp_path / "SOURCES.md").write_text(
        "| file | source | licence |\n|---|---|---|\n"
        "| `x.yml` | org/repo `x.yml`, a6d92b08, 2026-08-14 | MIT |\n"
        "| `y.yaml`, `z.csv` | org/other `y.yaml` and `z.csv`, edd2a131, 2025-06-26 (note) | MIT |\n",
        encoding="utf-8")
    versions = read_versions(tmp_path)
    assert versions["x.yml"] == FileVersion("x.yml", "a6d92b08", "2026-08-14")
    assert versions["z.csv"].commit == "edd2a131" and versions["y.yaml"].date == "2025-06-26"
    with pytest.raises(CatalogueError, match="SOURCES.md: not found"):
        read_versions(tmp_path / "nowhere")


def test_licence_nodes_say_whether_the_osi_approved_them():
    graph = Graph()
    for triple in licence_triples(["MIT", "CC-BY-SA-4.0"]):
        graph.add(triple)
    assert (URIRef("https://spdx.org/licenses/MIT"), OSI, Literal(True)) in graph
    assert (URIRef("https://spdx.org/licenses/CC-BY-SA-4.0"), OSI, Literal(False)) in graph


def test_turtle_is_sorted_parses_back_and_escapes_text():
    node = mint_iri("tool", "Kiln")
    triples = [(node, SKOS.prefLabel, Literal('Say "hi"\nand \\ go')),
               (node, STAR_COUNT, Literal(7)), (node, ARCHIVED, Literal(True)),
               (node, STAR_DATE, Literal("2025-01-02", datatype=XSD_DATE)),
               (node, SCHEMA.license, URIRef("https://spdx.org/licenses/Apache-2.0")),
               (node, SCHEMA.url, URIRef("https://kiln.example.org/a(b)")),
               (mint_iri("tool", "Anvil"), RDF.type, SCHEMA.SoftwareApplication)]
    text = to_turtle(triples, "a header\nover two lines")
    assert text == to_turtle(list(reversed(triples)), "a header\nover two lines")
    assert text.startswith("# a header\n# over two lines\n@prefix ")
    assert text.index("tool:anvil") < text.index("tool:kiln")
    expected = Graph()
    for triple in triples:
        expected.add(triple)
    assert isomorphic(Graph().parse(data=text, format="turtle"), expected)


def test_every_mlo_term_of_the_generated_files_is_defined():
    """The generated graphs and the curated repositories use only terms the ontology defines."""
    defined = set()
    for path in (ROOT / "ontology" / "mlops.ttl", ROOT / "ontology" / "landscape.ttl"):
        defined |= set(re.findall(r"^mlo:(\w+) a ", path.read_text(encoding="utf-8"), re.MULTILINE))
    landscape = ROOT / "graph" / "landscape"
    files = [landscape / f"{info}.ttl" for info in SOURCE_BY_ID] + [
        landscape / n for n in ("datasets.ttl", "licences.ttl", "languages.ttl", "curated-repositories.ttl")]
    used = set()
    for path in files:
        used |= set(re.findall(r"\bmlo:(\w+)", Path(path).read_text(encoding="utf-8")))
    assert used and used <= defined, sorted(used - defined)


def test_labels_that_differ_but_mint_one_iri_are_disambiguated(shipped):
    # "+" counts in a name ("C" and "C++" differ) but reads as "plus" in an IRI.
    placed, notes = place([record("lfai", "Fuse+", GH + "a/fuse", stars=9),
                           record("lfai", "Fuse Plus", GH + "b/fuse-plus")], shipped)
    assert placed[GH + "a/fuse"].node == mint_iri("tool", "Fuse+")
    assert placed[GH + "b/fuse-plus"].label == "Fuse Plus (b/fuse-plus)"
    assert len(notes["disambiguated"]) == 1


def test_every_category_of_the_generated_files_is_a_concept_of_the_crosswalk():
    from mlops_kg.sources.crosswalk import load_crosswalk

    crosswalk = load_crosswalk()
    known = set(crosswalk.mappings) | set(crosswalk.excluded)
    landscape = ROOT / "graph" / "landscape"
    used = set()
    for source in SOURCE_BY_ID:
        text = (landscape / f"{source}.ttl").read_text(encoding="utf-8")
        used |= set(re.findall(r"<(https://w3id\.org/mlops-kg/id/catalogue/[^>]+)>", text))
    assert used and used <= known, sorted(used - known)[:5]


def test_a_renamed_project_is_one_node_under_its_curated_name(shipped):
    """curated-names.ttl: the old repository (one catalogue) and the new (another) are one node,
    labelled with the current name; the old name stays findable as an alias."""
    placed, _ = place([record("best-of-ml-python", "rubric", GH + "recog/rubric"),
                       record("awesome-production-ml", "Argo Labeller", GH + "argo-io/labeller")], shipped)
    old, new = placed[GH + "recog/rubric"], placed[GH + "argo-io/labeller"]
    assert old.node == new.node == mint_iri("tool", "Argo Labeller")
    assert old.label is None and new.label is None  # the curated label stands
    assert old.aliases == {"best-of-ml-python": ("rubric",)}


@pytest.mark.parametrize("names, expected", [
    # A package name gives way to a display name another source writes.
    ((("lfai", "great_expectations"), ("awesome-llmops", "Great Expectations")), "Great Expectations"),
    ((("best-of-ml-python", "lm-evaluation-harness"), ("awesome-production-ml", "LM Eval Harness")),
     "LM Eval Harness"),
    # ... but not to another package-like or all-lower-case name.
    ((("best-of-ml-python", "scikit-optimize"), ("awesome-production-ml", "skopt")), "scikit-optimize"),
    # The spelling most sources write wins; a tie keeps the preferred source's.
    ((("lfai", "SciKit-learn"), ("best-of-ml-python", "scikit-learn"), ("awesome-llmops", "scikit-learn")),
     "scikit-learn"),
    ((("best-of-ml-python", "accelerate"), ("awesome-production-ml", "Accelerate")), "accelerate"),
    ((("lfai", "Text Generation Inference"), ("best-of-ml-python", "text-generation-inference"),
      ("awesome-llmops", "text-generation-inference")), "Text Generation Inference"),
    ((("best-of-ml-python", "Deep Checks"), ("awesome-llmops", "Deepchecks"), ("cncf", "Deepchecks")),
     "Deepchecks"),
    ((("lfai", "Hudi"), ("awesome-production-ml", "Apache Hudi")), "Hudi"),  # renames are curated, not guessed
])
def test_display_name(names, expected):
    from mlops_kg.sources.landscape_rdf import display_name

    records = tuple(record(source, name, GH + "x/y") for source, name in names)
    entity = merge_records(records).entities[0]
    assert display_name([entity])[0] == expected


def test_the_shipped_snapshot_has_one_node_per_curated_project():
    """Every catalogue entry with a repository of a curated-names.ttl node is that node, and no
    catalogue graph states another label for it."""
    curated = Graph().parse(ROOT / "graph" / "landscape" / "curated-names.ttl", format="turtle")
    catalogues = Graph()
    for source in SOURCE_BY_ID:
        catalogues.parse(ROOT / "graph" / "landscape" / f"{source}.ttl", format="turtle")
    owner = {str(r).lower(): node for node, r in curated.subject_objects(SCHEMA.codeRepository)}
    assert len(set(owner.values())) >= 10
    for node, repository in catalogues.subject_objects(SCHEMA.codeRepository):
        if str(repository).lower() in owner:
            assert node == owner[str(repository).lower()], (node, repository)
    for node in set(owner.values()):
        assert (node, SKOS.prefLabel, None) not in catalogues, node
        assert (node, SCHEMA.name, None) in catalogues, f"{node}: no catalogue lists it"
