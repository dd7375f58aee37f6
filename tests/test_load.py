from pathlib import Path

import pytest
from rdflib import Graph

from mlops_kg import resources
from mlops_kg.errors import DataFileError
from mlops_kg.load import load_file, load_sources, parse_into
from mlops_kg.namespaces import GRAPHS


def all_shipped_files():
    files = resources.ontology_files() + [resources.shapes_file()]
    for paths in resources.graph_files().values():
        files += paths
    return files


@pytest.mark.parametrize("path", all_shipped_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_parses_and_is_not_empty(path):
    graph = parse_into(Graph(), path)
    assert len(graph) > 5, f"{path} holds almost nothing"


def test_data_files_exist_for_both_origins():
    files = resources.graph_files()
    assert files["guide"], "no guide-stated data"
    assert files["curated"], "no curated data"


def test_sources_go_to_separate_named_graphs():
    ds = load_sources()
    sizes = {g.identifier: len(g) for g in ds.graphs()}
    for name in (GRAPHS.ONTOLOGY, GRAPHS.GUIDE, GRAPHS.CURATED):
        assert sizes.get(name, 0) > 50, f"named graph {name} is (nearly) empty"


def test_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.ttl"
    with pytest.raises(DataFileError, match="nope.ttl: file not found"):
        load_file(missing)


@pytest.mark.parametrize("name,text,line", [
    ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n", 3),
    ("bad.nt", "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n<http://e.org/a> broken\n", 2),
    ("bad.jsonld", '{\n  "@id": "http://e.org/a",\n  oops\n}\n', 3),
])
def test_syntax_error_names_file_and_line(tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_file(path)
    assert f"{name}:{line}:" in str(info.value)


def test_unknown_suffix_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(DataFileError, match="unknown RDF file type '.csv'"):
        load_file(path)
