"""Merging records of several catalogues into entities (mlops_kg.sources.merge)."""
from __future__ import annotations

import pytest

from mlops_kg.sources import read_awesome_list, read_best_of, read_landscape, read_llmops
from mlops_kg.sources.catalogue import Record
from mlops_kg.sources.merge import format_report, merge_records, preferred

from .conftest import DATA

FIXTURES = DATA / "landscape"


@pytest.fixture(scope="module")
def fixture_records():
    return (read_landscape(FIXTURES / "lfai-small.yml")
            + read_landscape(FIXTURES / "lfai-processed-small.yml")
            + read_best_of(FIXTURES / "best-of-small.csv")
            + read_best_of(FIXTURES / "best-of-small.yaml")
            + read_awesome_list(FIXTURES / "awesome-small.md")
            + read_llmops(FIXTURES / "llmops-small.md"))


@pytest.fixture(scope="module")
def report(fixture_records):
    return merge_records(fixture_records)


def entity(report, key):
    return next(e for e in report.entities if e.key == key)


def test_one_entity_per_repository_whatever_the_spelling(report):
    servo = entity(report, "https://github.com/servo-org/servo")
    # landscape.yml wrote http://www.GitHub.com/Servo-Org/Servo.git/, the lists use badges.
    assert [(r.source, r.file) for r in servo.records] == [
        ("lfai", "lfai-small.yml"), ("lfai", "lfai-processed-small.yml"),
        ("awesome-production-ml", "awesome-small.md"), ("awesome-llmops", "llmops-small.md")]
    assert servo.merged_by == "repository" and servo.name == "Servo"
    tuner = entity(report, "https://github.com/tuner-org/tuner")
    assert {r.source for r in tuner.records} == {"best-of-ml-python", "awesome-production-ml"}
    assert servo in report.merges and tuner in report.merges


def test_each_source_keeps_its_value_and_one_is_preferred(report):
    servo = entity(report, "https://github.com/servo-org/servo")
    assert servo.values("licence") == {"lfai:lfai-small.yml": "Apache-2.0",
                                       "lfai:lfai-processed-small.yml": "GPL-3.0-only"}
    # The first file given for a source wins (the newest snapshot); facts only the older
    # processed file has still come from it.
    assert preferred(servo, "licence") == "Apache-2.0"
    assert preferred(servo, "stars") == 1234
    assert preferred(servo, "maturity") == "incubating"


def test_conflicts_are_reported_per_source(report):
    conflicts = {(key, attribute): values for key, attribute, values in report.conflicts}
    servo = "https://github.com/servo-org/servo"
    assert (servo, "licence") not in conflicts  # both values come from one source (lfai)
    tuner = "https://github.com/tuner-org/tuner"
    # best-of's homepage is its repository URL: not a homepage to disagree about.
    assert (tuner, "homepage") not in conflicts


def test_conflicts_between_sources():
    a = Record(source="lfai", key="A", name="Alpha", file="a.yml", line=1, licence="MIT",
               repository="https://github.com/x/alpha", homepage="https://alpha.org/")
    b = Record(source="awesome-llmops", key="A", name="Alpha ML", file="b.md", line=3,
               licence="Apache-2.0", repository="https://github.com/x/alpha",
               homepage="http://www.alpha.org")
    report = merge_records([b, a])
    assert [(c[1], c[2]) for c in report.conflicts] == [
        ("name", (("lfai:a.yml", "Alpha"), ("awesome-llmops:b.md", "Alpha ML"))),
        ("licence", (("lfai:a.yml", "MIT"), ("awesome-llmops:b.md", "Apache-2.0"))),
    ]  # the two homepages are the same site
    assert report.entities[0].name == "Alpha"  # the landscape outranks the list


def test_records_without_repository_join_by_name_or_group_by_name(report):
    promptr = entity(report, "name:promptr")
    assert promptr.repository is None and promptr.merged_by == "name"
    a = Record(source="lfai", key="K", name="Kite", file="a.yml", line=1,
               repository="https://github.com/kite/kite")
    b = Record(source="awesome-llmops", key="K", name="KITE", file="b.md", line=2)
    c = Record(source="awesome-llmops", key="Z", name="Zed", file="b.md", line=3)
    d = Record(source="best-of-ml-python", key="Z", name="zed", file="c.csv", line=4)
    merged = merge_records([a, b, c, d])
    assert [(e.key, len(e.records), e.merged_by) for e in merged.entities] == [
        ("https://github.com/kite/kite", 2, "name"), ("name:zed", 2, "name")]
    assert merged.counts["joined by name"] == 1


def test_a_moved_repository_is_the_same_repository():
    old = Record(source="lfai", key="J", name="JAX", file="a.yml", line=1,
                 repository="https://github.com/google/jax")
    new = Record(source="best-of-ml-python", key="J", name="JAX", file="b.csv", line=2,
                 repository="https://github.com/jax-ml/jax",
                 former_repositories=("https://github.com/google/jax",))
    elsewhere = Record(source="awesome-llmops", key="J", name="Jax", file="c.md", line=3,
                       repository="https://github.com/jax-ml/jax")
    merged = merge_records([old, new, elsewhere])
    jax, = merged.entities
    assert jax.key == "https://github.com/jax-ml/jax" and jax.merged_by == "moved repository"
    assert [r.repository for r in jax.records] == [  # each record keeps what its source said
        "https://github.com/google/jax", "https://github.com/jax-ml/jax", "https://github.com/jax-ml/jax"]
    assert merged.near_misses == () and merged.counts["joined through a moved repository"] == 1


def test_near_misses(report):
    moved = [m for m in report.near_misses if "another entity's repository" in m[0]]
    assert moved == []  # the moved repository's old id is no other entity's
    a = Record(source="lfai", key="Acme", name="Acme", file="a.yml", line=1,
               repository="https://github.com/deepmind/acme")
    b = Record(source="best-of-ml-python", key="Acme", name="acme", file="b.csv", line=2,
               repository="https://github.com/google-deepmind/acme",
               other_repositories=("https://github.com/deepmind/acme",))
    c = Record(source="awesome-llmops", key="N", name="Nameless", file="c.md", line=3)
    merged = merge_records([a, b, c])
    assert len(merged.entities) == 3
    assert merged.near_misses == (
        ("name 'acme' on several repositories",
         ("https://github.com/deepmind/acme", "https://github.com/google-deepmind/acme")),
        ("https://github.com/google-deepmind/acme also lists another entity's repository",
         ("https://github.com/google-deepmind/acme", "https://github.com/deepmind/acme")),
    )


def test_merge_is_deterministic(fixture_records):
    first = merge_records(fixture_records)
    second = merge_records(list(fixture_records))
    assert first == second
    assert [e.key for e in first.entities] == sorted(e.key for e in first.entities if e.repository) + \
        sorted(e.key for e in first.entities if not e.repository)


def test_format_report_lists_and_counts(report):
    text = format_report(report, limit=1)
    assert text.splitlines()[0].startswith("counts: records 17, entities ")
    assert "merged across sources (2)" in text and "... 1 more" in text
    assert "https://github.com/servo-org/servo: lfai 'Servo'" in text
