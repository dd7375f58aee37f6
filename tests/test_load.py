from pathlib import Path

import pytest
from rdflib import Graph

from mlops_kg.model import resources
from mlops_kg.errors import DataFileError
from mlops_kg.model.load import load_file, load_sources, parse_into
from mlops_kg.model.namespaces import GRAPHS

from .support.canary import recording_server


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


# --- inputs that cannot reach out or stall us (issue 12, items 5 and 8) -------------------------

@pytest.fixture
def canary():
    """A local HTTP server that records every request: a parser that fetches would hit it."""
    body = b'{"@context": {"name": "http://example.org/name"}}'
    with recording_server(body, "application/ld+json", "") as served:
        yield served


def _jsonld_with_context(tmp_path, context, name="remote.jsonld"):
    import json

    path = tmp_path / name
    path.write_text(json.dumps({"@context": context, "@id": "http://example.org/a", "name": "A"}),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("shape", ["string", "list", "nested", "import"])
def test_jsonld_contexts_by_reference_are_refused_not_fetched(tmp_path, canary, shape):
    url, hits = canary
    context = {"string": f"{url}/ctx", "list": [{"x": "http://e.org/x"}, f"{url}/ctx"],
               "nested": {"name": {"@id": "http://example.org/name", "@context": f"{url}/ctx"}},
               "import": {"@version": 1.1, "@import": f"{url}/ctx"}}[shape]
    path = _jsonld_with_context(tmp_path, context)
    with pytest.raises(DataFileError, match=r"remote.jsonld: refers to the JSON-LD context .*put the context inline"):
        load_file(path)
    assert hits == []


def test_jsonld_file_context_is_refused(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"@context": {"name": "http://example.org/name"}}', encoding="utf-8")
    path = _jsonld_with_context(tmp_path, secret.as_uri())
    with pytest.raises(DataFileError, match="refers to the JSON-LD context 'file://"):
        load_file(path)


def test_inline_jsonld_context_still_loads(tmp_path):
    path = _jsonld_with_context(tmp_path, {"name": "http://example.org/name"})
    assert len(load_file(path)) == 1


def test_commands_reading_rdf_fetch_no_context(tmp_path, canary, monkeypatch):
    """validate FILE, build --include FILE, analyze --data FILE: one line, exit 2, no request."""
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    url, hits = canary
    monkeypatch.chdir(tmp_path)
    path = _jsonld_with_context(tmp_path, f"{url}/ctx")
    runner = CliRunner()
    for args in (["validate", str(path)], ["build", "-q", "--out", "out", "--include", str(path)],
                 ["analyze", "--data", str(path)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1, result.output
    assert hits == []
    assert not (tmp_path / "out").exists()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&f;&f;&f;&f;&f;&f;&f;&f;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_rdfxml_entity_expansion_is_refused_quickly(tmp_path):
    import time

    from click.testing import CliRunner

    from mlops_kg.cli import cli

    path = tmp_path / "laughs.rdf"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.process_time()  # CPU seconds: expanding the entities is what would take long
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert time.process_time() - started < 2
    assert result.exit_code == 2, result.output
    assert result.output == f"error: {path}:2: RDF/XML with a <!DOCTYPE> declaration is refused (entities can " \
                            "expand without bound or read other files); remove the DOCTYPE and write the values out\n"


def test_plain_rdfxml_still_loads(tmp_path):
    path = tmp_path / "plain.rdf"
    path.write_text(BILLION_LAUGHS.split("]>\n")[1].replace("&f;", "x"), encoding="utf-8")
    assert len(load_file(path)) == 1


@pytest.mark.parametrize("name,content", [("empty.ttl", b""), ("blank.nt", b" \n\n"), ("empty.jsonld", b""),
                                          ("latin1.ttl", "<a> <b> \"caf\xe9\" .".encode("latin-1")),
                                          ("binary.nq", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                                          ("prefixes.ttl", b"@prefix ex: <http://example.org/> ."),
                                          ("no-triples.jsonld", b'[1, "x", null, {"@id": "http://e.org/a"}]'),
                                          ("xml.ttl", b'<?xml version="1.0"?><a/>')])
def test_empty_and_binary_inputs_are_one_line_errors(tmp_path, name, content):
    from click.testing import CliRunner

    from mlops_kg.cli import cli

    path = tmp_path / name
    path.write_bytes(content)
    for args in (["validate", str(path)], ["analyze", "--data", str(path)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(f"error: {path}") and len(result.output.splitlines()) == 1, result.output


def test_rdflib_warnings_do_not_add_lines(tmp_path):
    """rdflib logs a warning about an odd IRI before its parse fails; the user sees one line."""
    import subprocess

    from .conftest import venv_bin

    path = tmp_path / "xml.ttl"
    path.write_text('<?xml version="1.0"?><a/>', encoding="utf-8")
    run = subprocess.run([venv_bin("mlops-kg"), "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {path}: invalid turtle") and len(run.stderr.splitlines()) == 1, run.stderr


def test_the_model_loads_a_markdown_guide_only_with_the_importer_given(tmp_path):
    """model.load does not import the importer (a later stage): a guide among the included
    files is a one-line error there, and build.pipeline.load_sources imports it."""
    from rdflib import URIRef

    from mlops_kg.build.pipeline import load_sources as load_with_guides

    guide = tmp_path / "notes.md"
    guide.write_text((Path(__file__).parent / "data" / "guide-small.md").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataFileError, match="notes.md: a Markdown guide; load it with mlops_kg.build.pipeline"):
        load_sources([guide])
    assert len(load_with_guides([guide]).graph(URIRef(GRAPHS.IMPORTED + "notes")))
