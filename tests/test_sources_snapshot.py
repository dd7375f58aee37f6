"""The shipped landscape snapshot (mlops_kg.sources.snapshot) and `mlops-kg landscape refresh`:
regenerated from the catalogue files it is the committed bytes; no catalogue prose; no two nodes
share a name or a repository; the refresh reports changes, writes atomically, refuses bad input."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_kg.cli import cli
from mlops_kg.sources import SNAPSHOTS
from mlops_kg.sources.landscape_rdf import load_shipped
from mlops_kg.sources.snapshot import (GENERATED_FILES, check_snapshot, diff_snapshot,
                                       generate_snapshot, landscape_dir)

from .conftest import DATA, ROOT

FIXTURES = DATA / "landscape"
SHARED = ROOT.parent / "shared" / "landscape"
HAVE_SHARED = all((SHARED / name).is_file() for _, name, _ in SNAPSHOTS) and (SHARED / "SOURCES.md").is_file()

CNCF_SMALL = """landscape:
  - category:
    name: Inference
    subcategories:
      - subcategory:
        name: Runtime
        items:
          - item:
            name: Quarry
            homepage_url: https://quarry.example.org/
            repo_url: https://github.com/quarry/quarry
            project: sandbox
            description: Quarry digs out answers quicker than anything else on earth.
"""

SOURCES_MD = """| file | source | licence |
|---|---|---|
| `lfai-landscape.yml` | lfai/lfai-landscape `landscape.yml`, a6d92b08, 2026-08-14 | Apache-2.0 |
| `lfai-processed-landscape-2025-06-02.yml` | lfai/lfai-landscape `processed_landscape.yml`, 87a9db2e, 2025-06-02 | Apache-2.0 |
| `cncf-landscape.yml` | cncf/landscape `landscape.yml`, 153d699b, 2026-08-07 | Apache-2.0 |
| `best-of-ml-python-projects.yaml`, `best-of-ml-python-2025-06-26.csv` | ml-tooling/best-of-ml-python, edd2a131, 2025-06-26 | CC-BY-SA-4.0 |
| `awesome-production-machine-learning.md` | EthicalML/awesome-production-machine-learning `README.md`, 30a25821, 2026-06-26 | MIT |
| `awesome-llmops.md` | tensorchord/Awesome-LLMOps `README.md`, 71099184, 2026-04-06 | CC0-1.0 |
"""


def small_catalogues(folder: Path) -> Path:
    """The small test catalogues under the snapshot file names, with a SOURCES.md."""
    folder.mkdir(parents=True, exist_ok=True)
    for fixture, name in (("lfai-small.yml", "lfai-landscape.yml"),
                          ("lfai-processed-small.yml", "lfai-processed-landscape-2025-06-02.yml"),
                          ("best-of-small.csv", "best-of-ml-python-2025-06-26.csv"),
                          ("best-of-small.yaml", "best-of-ml-python-projects.yaml"),
                          ("awesome-small.md", "awesome-production-machine-learning.md"),
                          ("llmops-small.md", "awesome-llmops.md")):
        shutil.copyfile(FIXTURES / fixture, folder / name)
    (folder / "cncf-landscape.yml").write_text(CNCF_SMALL, encoding="utf-8")
    (folder / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shipped():
    return load_shipped()


@pytest.fixture(scope="module")
def small(tmp_path_factory, shipped):
    folder = small_catalogues(tmp_path_factory.mktemp("catalogues"))
    return folder, generate_snapshot(folder, shipped=shipped)


def descriptions(folder: Path) -> list[str]:
    """The prose of the small catalogues: YAML descriptions, CSV descriptions, list texts."""
    found = []
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        found += re.findall(r"description: (.+)", text)
        found += re.findall(r"\) - (.+)", text)
        found += [cell.strip() for line in text.splitlines() if line.startswith("| [")
                  for cell in line.split("|")[2:3]]
    found.append("Tuner tunes hyperparameters better than anything else on earth.")  # the CSV's
    return [d.strip() for d in found if len(d.strip()) >= 12]


def test_small_snapshot_has_every_file_and_the_facts(small):
    _, snapshot = small
    assert sorted(snapshot.files) == sorted(GENERATED_FILES)
    lfai = snapshot.files["lfai.ttl"]
    assert "Named graph: <https://w3id.org/mlops-kg/graph/source/lfai>" in lfai
    servo = lfai[lfai.index("\ntool:servo\n"):].split("\n\n")[0]
    # The newest file speaks first: landscape.yml says Apache 2.0 and incubation, the older
    # processed file GPL-3.0 and sandbox; its stars and languages are the only ones there are.
    assert "schema:license spdx:Apache-2.0" in servo and "maturity:incubating" in servo
    assert "mlo:starCount 1234" in servo and "lang:c-plus-plus , lang:python" in servo
    assert 'skos:prefLabel "Servo"' in servo
    assert 'dcterms:hasVersion "87a9db2e"' in snapshot.files["datasets.ttl"]
    assert "ShareAlike" in snapshot.files["best-of-ml-python.ttl"]
    assert "tool:quarry" in snapshot.files["cncf.ttl"]
    assert snapshot.counts["entities"] >= 5


def test_no_catalogue_prose_in_any_output(small):
    folder, snapshot = small
    prose = descriptions(folder)
    assert len(prose) >= 6
    for name, text in snapshot.files.items():
        for sentence in prose:
            assert sentence not in text, f"{name} copies {sentence!r}"


def test_small_snapshot_is_the_same_bytes_under_another_hash_seed(small, tmp_path):
    folder, snapshot = small
    code = ("import sys, json; from mlops_kg.sources.snapshot import generate_snapshot; "
            "json.dump(generate_snapshot(sys.argv[1]).files, sys.stdout)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(folder)], env=env, capture_output=True,
                         text=True, check=True).stdout
    import json

    assert json.loads(out) == snapshot.files


def test_small_snapshot_has_no_shared_names_or_repositories(small, shipped):
    assert check_snapshot(small[1].files, shipped) == []


# ------------------------------------------------------------------- the shipped snapshot

needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason=f"no catalogue snapshots in {SHARED}")


@pytest.fixture(scope="module")
def regenerated(shipped):
    start = time.process_time()  # CPU, not wall, seconds: a busy machine does not fail the bound
    snapshot = generate_snapshot(SHARED, shipped=shipped)
    return snapshot, time.process_time() - start


@needs_shared
def test_committed_snapshot_is_what_the_catalogues_generate(regenerated):
    snapshot, seconds = regenerated
    assert seconds < 15, f"generating the snapshot took {seconds:.1f} s"
    for name, text in snapshot.files.items():
        committed = (landscape_dir() / name).read_text(encoding="utf-8")
        assert committed == text, f"graph/landscape/{name} is stale: run `mlops-kg landscape refresh --from {SHARED}`"


@needs_shared
def test_shipped_snapshot_has_no_shared_names_or_repositories(regenerated, shipped):
    assert check_snapshot(regenerated[0].files, shipped) == []


@needs_shared
def test_shipped_snapshot_literals_are_names_ids_and_dates_only(regenerated):
    """No prose: every plain string of a source graph is a name, alias or package id that a
    catalogue record states (or a label built from one)."""
    from mlops_kg.sources import read_snapshots

    allowed = set()
    for r in read_snapshots(SHARED):
        allowed |= {r.name, *r.aliases, r.pypi, r.conda}
    import pyoxigraph

    snapshot = regenerated[0]
    for source in {source for source, _, _ in SNAPSHOTS}:
        triples = pyoxigraph.parse(snapshot.files[f"{source}.ttl"].encode("utf-8"),
                                   format=pyoxigraph.RdfFormat.TURTLE)
        for triple in triples:
            value = triple.object
            if isinstance(value, pyoxigraph.Literal) and value.datatype.value.endswith("#string"):
                text = value.value
                # A disambiguated label is a name with "(owner/repo)" added.
                assert text in allowed or re.sub(r" \([^()]*\)$", "", text) in allowed, text


@needs_shared
def test_shipped_nodes_keep_their_iris(regenerated):
    lfai = regenerated[0].files["lfai.ttl"]
    # MLflow's catalogue entries land on the shipped node, without a second preferred label.
    block = lfai[lfai.index("\ntool:mlflow\n"):].split("\n\n")[0]
    assert "schema:codeRepository <https://github.com/mlflow/mlflow>" in block
    assert "skos:prefLabel" not in block


# ------------------------------------------------------------------------------ the CLI

def run(*args):
    return CliRunner().invoke(cli, ["landscape", "refresh", *args])


def test_refresh_writes_then_reports_changes(tmp_path):
    source = small_catalogues(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    result = run("--from", str(source), "--out", str(out), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.output and not list(out.iterdir())
    assert re.search(r"lfai\.ttl: \d+ added, 0 removed", result.output)

    result = run("--from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(GENERATED_FILES)

    csv = source / "best-of-ml-python-2025-06-26.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("4567.0", "5000.0"), encoding="utf-8")
    awesome = source / "awesome-production-machine-learning.md"
    awesome.write_text(awesome.read_text(encoding="utf-8").replace(
        "* [**Featly** 🎁](https://featly.example.com) - Featly stores features.\n", ""), encoding="utf-8")
    result = run("--from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "best-of-ml-python.ttl: 0 added, 0 removed, 1 changed (1 facts added, 1 removed)" in result.output
    assert "+ <https://w3id.org/mlops-kg/ontology#starCount> \"5000\"" in result.output
    assert re.search(r'removed "Featly" <https://w3id.org/mlops-kg/id/tool/featly>', result.output)
    assert "lfai.ttl: unchanged" in result.output


def test_diff_of_identical_files_is_empty(small, tmp_path):
    for name, text in small[1].files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert all(d.empty for d in diff_snapshot(tmp_path, small[1].files))


@pytest.mark.parametrize("problem, expected", [
    ("missing folder", "not a folder"),
    ("no SOURCES.md", "SOURCES.md: not found"),
    ("no row", "no commit and date for awesome-llmops.md"),
    ("bad YAML", "lfai-landscape.yml:3: not valid YAML"),
    ("no out folder", "not a folder; create it first"),
    ("broken old file", "not valid Turtle"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, problem, expected):
    source = small_catalogues(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (out / "lfai.ttl").write_text("# old\n", encoding="utf-8")
    if problem == "missing folder":
        source = tmp_path / "nowhere"
    elif problem == "no SOURCES.md":
        (source / "SOURCES.md").unlink()
    elif problem == "no row":
        (source / "SOURCES.md").write_text(SOURCES_MD.replace("`awesome-llmops.md`", "`other.md`"), encoding="utf-8")
    elif problem == "bad YAML":
        (source / "lfai-landscape.yml").write_text("landscape:\n  - [unclosed\n", encoding="utf-8")
    elif problem == "no out folder":
        out = tmp_path / "missing-out"
    elif problem == "broken old file":
        (out / "lfai.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()} if out.is_dir() else None
    result = run("--from", str(source), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert expected in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    if before is not None:
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_collision_check_finds_shared_names_and_repositories(shipped):
    files = {"x.ttl": """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/mlops-kg/id/tool/ml-flow> skos:prefLabel "ML-Flow" .
<https://w3id.org/mlops-kg/id/tool/a> skos:prefLabel "A" ; schema:codeRepository <https://github.com/x/y> .
<https://w3id.org/mlops-kg/id/tool/b> skos:prefLabel "B" ; schema:codeRepository <https://github.com/x/y> .
"""}
    problems = check_snapshot(files, shipped)
    assert any("share the name 'mlflow'" in p and "tool/mlflow" in p for p in problems)
    assert any("share the repository https://github.com/x/y" in p for p in problems)
