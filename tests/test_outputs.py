"""Every file a build writes parses with an independent parser and holds exactly what was built,
whatever characters the literals hold (issue 12, item 2)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef

from mlops_kg.build.outputs import serialize_outputs
from mlops_kg.model.layout import STEM
from mlops_kg.cli import cli
from mlops_kg.model.load import new_dataset, union_graph
from mlops_kg.model.ntriples import BREAKING

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
EX = "http://example.org/"
#: Every character that splits a line somewhere, alone, doubled and with text around it.
NASTY = ["".join(BREAKING), *(f"a{c}b" for c in BREAKING), *(f"{c}{c}" for c in BREAKING),
         'ends with a quote "', '"""triple quotes""" inside', "back\\slash", "\n@prefix x: <y> .\n"]
OXIGRAPH_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "nq": "N_QUADS"}
QUAD_EXTS = ("trig", "nq")


def _nasty_dataset() -> Dataset:
    """Plain, language-tagged and typed literals (labels and descriptions) in two named graphs."""
    from rdflib.namespace import DCTERMS, SKOS

    ds = new_dataset()
    for g, graph_name in enumerate(("graph/one", "graph/two")):
        graph = ds.graph(URIRef(EX + graph_name))
        for i, text in enumerate(NASTY):
            node = URIRef(f"{EX}node/{g}-{i}")
            graph.add((node, SKOS.prefLabel, Literal(text)))
            graph.add((node, SKOS.altLabel, Literal(text, lang="en")))
            graph.add((node, DCTERMS.description, Literal(text, datatype=URIRef(XSD_STRING))))
            graph.add((node, URIRef(EX + "note"), Literal(text, datatype=URIRef(EX + "datatype"))))
    return ds


def _key(value, lang, datatype):
    # RDF 1.1: a literal without language or datatype is an xsd:string; rdflib keeps them apart.
    return (value, lang or None, None if lang or datatype in (None, XSD_STRING) else datatype)


def _rdflib_term(term):
    if isinstance(term, Literal):
        return _key(str(term), term.language, str(term.datatype) if term.datatype else None)
    return str(term)


def _ox_term(term):
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal):
        return _key(term.value, term.language, term.datatype.value if term.datatype else None)
    return term.value


def expected(ds, with_graphs: bool) -> set:
    if with_graphs:
        return {(*map(_rdflib_term, (s, p, o)), str(g.identifier)) for g in ds.graphs() for s, p, o in g}
    return {tuple(map(_rdflib_term, t)) for t in union_graph(ds)}


def parsed(path: Path, ext: str, with_graphs: bool) -> set:
    """The statements of ``path`` read by pyoxigraph, or by rdflib for JSON-LD."""
    if ext == "jsonld":
        from rdflib import Graph

        return {tuple(map(_rdflib_term, t)) for t in Graph().parse(path, format="json-ld")}
    import pyoxigraph

    with open(path, "rb") as f:
        quads = list(pyoxigraph.parse(f, format=getattr(pyoxigraph.RdfFormat, OXIGRAPH_FORMATS[ext])))
    if with_graphs:
        return {(*map(_ox_term, (q.subject, q.predicate, q.object)), q.graph_name.value) for q in quads}
    return {tuple(map(_ox_term, (q.subject, q.predicate, q.object))) for q in quads}


@pytest.fixture(scope="module")
def nasty_outputs(tmp_path_factory):
    ds = _nasty_dataset()
    out = tmp_path_factory.mktemp("nasty")
    for name, data in serialize_outputs(ds).items():
        (out / name).write_bytes(data)
    return ds, out


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld", "trig", "nq"])
def test_every_output_holds_every_breaking_character(nasty_outputs, ext):
    ds, out = nasty_outputs
    with_graphs = ext in QUAD_EXTS
    assert parsed(out / f"{STEM}.{ext}", ext, with_graphs) == expected(ds, with_graphs)


@pytest.mark.parametrize("ext", ["nt", "nq"])
def test_line_formats_have_one_statement_per_line(nasty_outputs, ext):
    """Line-oriented tools (sort, grep, str.splitlines) see one statement per line."""
    ds, out = nasty_outputs
    text = (out / f"{STEM}.{ext}").read_text(encoding="utf-8")
    assert len(text.splitlines()) == len(expected(ds, ext == "nq"))
    assert not any(c in text for c in BREAKING if c != "\n")


def test_a_build_with_breaking_characters_parses_and_queries(tmp_path):
    """End to end: tools whose labels and descriptions hold every breaking character; every file
    of the build parses, and the query commands read it."""
    esc = "".join(f"\\u{ord(c):04X}" for c in BREAKING)
    include = tmp_path / "weird.ttl"
    include.write_text(f"""@prefix mlo: <https://w3id.org/mlops-kg/ontology#> .
@prefix tool: <https://w3id.org/mlops-kg/id/tool/> .
@prefix cap: <https://w3id.org/mlops-kg/id/capability/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
tool:weird-plain a mlo:Tool ; skos:prefLabel "Weird{esc}Plain" ; dcterms:description "d{esc}plain" ;
    mlo:hasCapability cap:model-serving .
tool:weird-lang a mlo:Tool ; skos:prefLabel "Weird{esc}Lang"@en ; skos:altLabel "a{esc}lias"@en ;
    mlo:hasCapability cap:model-serving .
tool:weird-typed a mlo:Tool ; skos:prefLabel "Weird{esc}Typed"^^xsd:string ;
    dcterms:description "d{esc}typed"^^xsd:string ; mlo:hasCapability cap:model-serving .
""", encoding="utf-8")
    out = tmp_path / "build"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "-q", "--out", str(out), "--include", str(include), "--without", "landscape"])
    assert result.exit_code == 0, result.output
    from mlops_kg.model.load import load_file

    ds = load_file(out / f"{STEM}.nq")  # rdflib's reading, against which the others are compared
    for ext in ("ttl", "nt", "jsonld", "trig", "nq"):
        with_graphs = ext in QUAD_EXTS
        got = parsed(out / f"{STEM}.{ext}", ext, with_graphs)
        assert got == expected(ds, with_graphs), ext
        assert any(isinstance(t[2], tuple) and t[2][0] == f"Weird{''.join(BREAKING)}Plain" for t in got), ext
    for fmt in ("nt", "tsv", "json", "csv"):
        result = runner.invoke(cli, ["query", "--build", str(out), "--format", fmt,
                                     "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(STRSTARTS(?l, 'Weird')) }"
                                     if fmt != "nt" else "DESCRIBE tool:weird-lang"])
        assert result.exit_code == 0, result.output
        if fmt == "nt":
            import pyoxigraph

            statements = list(pyoxigraph.parse(result.output.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES))
            assert len(result.output.splitlines()) == len(statements) > 5
        if fmt == "tsv":
            assert len(result.output.splitlines()) == 1 + 3, result.output


def _select(*labels):
    from mlops_kg.query.store import QueryResult

    return QueryResult(kind="select", variables=["label"], rows=[(Literal(label),) for label in labels])


def test_a_table_shows_control_characters_without_breaking_rows():
    from mlops_kg.query.formats import table

    text = table(_select(*NASTY))
    assert len(text.splitlines()) == 2 + len(NASTY) + 1
    assert "\x1b" not in text and "\\x1b" in text  # terminal_safe writes \xNN below U+0100


def test_xml_results_refuse_what_xml_cannot_carry_and_keep_the_rest():
    from xml.etree import ElementTree

    from mlops_kg.errors import QueryError
    from mlops_kg.query.formats import xml_results

    with pytest.raises(QueryError, match="U\\+000B, which XML cannot carry; use --format json"):
        xml_results(_select("a\x0bb"))
    kept = "tab\tcr\rlf\nnel\x85ls\u2028"
    root = ElementTree.fromstring(xml_results(_select(kept)))
    assert [e.text for e in root.iter("{http://www.w3.org/2005/sparql-results#}literal")] == [kept]


def test_jsonld_nodes_are_in_the_order_of_their_whole_texts():
    """The JSON-LD nodes are sorted by their ids' JSON when ids are unique: the same order as
    sorting the nodes' whole texts (as before), also for ids one of which begins another."""
    import json

    import pyoxigraph

    from mlops_kg.build.outputs import _jsonld

    iris = ["http://ex.org/a", "http://ex.org/a!", "http://ex.org/a/b", "http://ex.org/a#", "http://ex.org/a~",
            "http://ex.org/é", "http://ex.org/A", "urn:x:1", "http://ex.org/a%22"]
    lines = sorted(f'<{iri}> <http://ex.org/p> "{i}" .\n' for i, iri in enumerate(iris))
    doc = json.loads(pyoxigraph.serialize(pyoxigraph.parse("".join(lines).encode(), format=pyoxigraph.RdfFormat.N_TRIPLES),
                                          format=pyoxigraph.RdfFormat.JSON_LD))
    nodes = doc if isinstance(doc, list) else doc.get("@graph", [doc])
    nodes.sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    expected = json.dumps(nodes, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert _jsonld(lines).decode("utf-8") == expected
