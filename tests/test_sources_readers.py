"""Each catalogue reader on a small fixture of its format (tests/data/landscape/), and on bad input."""
from __future__ import annotations

import dataclasses

import pytest

from mlops_kg.errors import MlopsKgError
from mlops_kg.sources import (CatalogueError, read_awesome_list, read_best_of, read_landscape,
                              read_llmops)

from .conftest import DATA

FIXTURES = DATA / "landscape"
#: Prose that every fixture's descriptions contain: it must never reach a record.
PROSE = "than anything else on earth"


def by_name(records):
    return {r.name: r for r in records}


def test_landscape_reads_facts_with_their_line():
    records = read_landscape(FIXTURES / "lfai-small.yml")
    assert [r.name for r in records] == ["Servo", "Org Only Tool (OOT)", "Flowy", "Example Corp (KCSP)"]
    servo, orgonly, flowy, corp = records
    assert servo == dataclasses.replace(
        servo, source="lfai", key="Servo", file="lfai-small.yml", line=9,
        homepage="https://servo.example.org/", repository="https://github.com/servo-org/servo",
        licence="Apache-2.0", licence_given="Apache 2.0", maturity="incubating", archived=None,
        categories=(("Model", "Inference"), ("Data", "Versioning")))
    assert orgonly.repository is None  # an organisation page is not a repository
    assert orgonly.aliases == ("OOT",) and corp.aliases == ()  # KCSP marks a service provider
    assert flowy.repository == "https://gitlab.com/flowy/core/flowy"
    assert flowy.other_repositories == ("https://github.com/flowy/flowy-sdk",)
    assert flowy.archived is True and flowy.maturity is None and flowy.labels == ("ai",)
    assert corp.categories == (("LF AI & Data Member Company", "Premier"),)


def test_processed_landscape_adds_github_facts():
    servo, = read_landscape(FIXTURES / "lfai-processed-small.yml", source="lfai")
    assert servo.licence == "GPL-3.0-only" and servo.licence_given == "GNU General Public License v3.0"
    assert servo.osi_approved is True
    assert servo.languages == ("Python", "C++")  # Makefile holds under 5 % of the bytes
    assert (servo.stars, servo.created, servo.last_commit, servo.latest_release) == \
        (1234, "2019-02-03", "2025-05-30", "2025-04-01")
    assert servo.maturity == "sandbox"


def test_cncf_is_the_same_format_under_its_own_source():
    records = read_landscape(FIXTURES / "lfai-small.yml", source="cncf")
    assert {r.source for r in records} == {"cncf"}


def test_awesome_list_entries_sections_and_badges():
    records = read_awesome_list(FIXTURES / "awesome-small.md")
    assert [(r.name, r.categories, r.line) for r in records] == [
        ("Tuner", (("AutoML",),), 18),
        ("Servo", (("AutoML",),), 19),
        ("Featly", (("Feature Store",),), 26),
        ("Awesome Elsewhere", (("Other Awesome Lists",),), 30),
    ]
    tuner, servo, featly, _ = records
    assert tuner.repository == "https://github.com/tuner-org/tuner" and tuner.homepage is None
    # The link is a website: it is the homepage, and the stars badge names the repository.
    assert servo.homepage == "https://servo.example.org/"
    assert servo.repository == "https://github.com/servo-org/servo"
    assert servo.aliases == ("ServoML",)
    assert featly.repository is None and featly.homepage == "https://featly.example.com"


def test_llmops_table_rows():
    records = read_llmops(FIXTURES / "llmops-small.md")
    assert [(r.name, r.categories, r.line) for r in records] == [
        ("Servo", (("Serving", "Large Model Serving"),), 13),
        ("Langly", (("Serving", "Large Model Serving"),), 14),
        ("Promptr", (("LLMOps",),), 22),
    ]
    servo, langly, promptr = records
    assert servo.repository == "https://github.com/servo-org/servo" and servo.aliases == ("ServoML",)
    assert servo.homepage == "https://servo.example.org"
    assert langly.repository == "https://github.com/langly/langly" and langly.homepage is None
    assert promptr.repository is None and promptr.homepage == "https://promptr.example.ai/"
    assert (servo.archived, langly.archived, promptr.archived) == (None, True, None)  # "*(Archived)*"


def test_best_of_yaml():
    tuner, loose = read_best_of(FIXTURES / "best-of-small.yaml")
    assert tuner == dataclasses.replace(
        tuner, source="best-of-ml-python", key="tuner-org/tuner", line=7,
        repository="https://github.com/tuner-org/tuner", pypi="tuner", conda="conda-forge/tuner",
        categories=(("hyperopt",),), labels=("pytorch", "sklearn"), licence="MIT")
    assert loose.categories == (("others",),)  # best-of's own default category


def test_best_of_csv():
    records = by_name(read_best_of(FIXTURES / "best-of-small.csv"))
    tuner, moved, resource = records["Tuner"], records["Moved"], records["best-of-web-python - Web Scraping"]
    assert tuner.line == 2 and moved.line == 4 and resource.line == 5  # a quoted field spans a line
    assert (tuner.stars, tuner.created, tuner.last_commit, tuner.latest_release) == \
        (4567, "2018-01-02", "2025-06-01", "2025-05-01")
    assert tuner.labels == ("pytorch", "sklearn") and tuner.pypi == "tuner"
    assert moved.repository == "https://github.com/new-owner/moved"
    assert moved.former_repositories == ("https://github.com/old-owner/moved",)
    assert moved.licence == "GPL-3.0-only" and moved.stars is None
    assert "resource" in resource.labels  # a list of projects, not a tool


@pytest.mark.parametrize("reader, name", [
    (read_landscape, "lfai-small.yml"), (read_landscape, "lfai-processed-small.yml"),
    (read_awesome_list, "awesome-small.md"), (read_llmops, "llmops-small.md"),
    (read_best_of, "best-of-small.yaml"), (read_best_of, "best-of-small.csv"),
])
def test_no_prose_is_copied(reader, name):
    assert PROSE in (FIXTURES / name).read_text(encoding="utf-8")
    for record in reader(FIXTURES / name):
        assert PROSE not in repr(record)


BAD_INPUTS = [
    (read_landscape, "x.yml", None, "file not found"),
    (read_landscape, "x.yml", "landscape: [\n  - {name: a\n", "not valid YAML"),
    (read_landscape, "x.yml", "projects: []\n", "no top-level 'landscape:' list"),
    (read_landscape, "x.yml", "landscape:\n  - name: Cat\n    subcategories:\n      - items: []\n",
     "a subcategory has no name"),
    (read_landscape, "x.yml", "landscape:\n  - name: C\n    subcategories:\n      - name: S\n"
                              "        items:\n          - homepage_url: https://x.org\n",
     "x.yml:6: an item has no name"),
    (read_best_of, "x.yaml", "categories: []\n", "no top-level 'projects:' list"),
    (read_best_of, "x.csv", "name,stars\nA,1\n", "no column github_id, category"),
    (read_best_of, "x.txt", "", "expected a best-of projects.yaml or projects CSV"),
    (read_awesome_list, "x.md", "# Title\n\nJust prose.\n", "no entries"),
    (read_awesome_list, "x.md", "# T\n## S\n* [Broken(https://x.org)\n", "x.md:3: a list entry"),
    (read_llmops, "x.md", "# T\n## S\n| P | D |\n| - | - |\n| plain | text |\n", "x.md:5: the first cell"),
    (read_llmops, "x.md", "# T\n", "no table rows"),
]


@pytest.mark.parametrize("reader, name, content, message", BAD_INPUTS)
def test_bad_input_is_one_line_naming_the_file(tmp_path, reader, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        reader(path)
    text = str(caught.value)
    assert message in text and "\n" not in text and str(path.name) in text
    assert isinstance(caught.value, MlopsKgError) and caught.value.exit_code == 2


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# T\n## S\n* [Caf\xe9](https://github.com/a/b)\n".encode("latin-1"))
    with pytest.raises(CatalogueError, match="not UTF-8"):
        read_awesome_list(path)
