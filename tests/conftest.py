"""Shared fixtures: one validated build of the shipped graph per test session.

Most tests pin facts of the guide's graph (51 technologies), so the shared fixtures build it
without the public catalogues (``without=GUIDE_ONLY``); ``landscape_built`` is the default,
whole build, made once per session for the tests of the landscape."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEED_GUIDE = ROOT.parent / "shared" / "seeds" / "000_6b5feba1abaa6ba6.txt"
SEED_CHECKS = ROOT.parent / "shared" / "checks"
#: What to leave out of a build for the guide-only graph (the catalogues of graph/landscape/).
GUIDE_ONLY = ("landscape",)


@pytest.fixture(scope="session")
def dataset():
    """The shipped guide-only graph, loaded, inferred and validated (do not mutate)."""
    from mlops_kg.build.pipeline import build_dataset

    return build_dataset(without=GUIDE_ONLY)


@pytest.fixture(scope="session")
def union(dataset):
    from mlops_kg.model.load import union_graph

    return union_graph(dataset)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A build folder produced by ``mlops_kg.build.pipeline.build`` (guide-only)."""
    from mlops_kg.build.pipeline import build

    out = tmp_path_factory.mktemp("build")
    build(out, without=GUIDE_ONLY)
    return out


@pytest.fixture(scope="session")
def landscape_built(tmp_path_factory):
    """The default build: the guide, the curated graph and every public catalogue."""
    from mlops_kg.build.pipeline import build

    out = tmp_path_factory.mktemp("build-landscape")
    build(out)
    return out


@pytest.fixture(scope="session")
def built_with_guide(tmp_path_factory):
    """A build of the shipped graph with ``tests/data/guide-small.md`` included (read it; to
    change it, copy it first)."""
    from mlops_kg.build.pipeline import build

    out = tmp_path_factory.mktemp("build-with-guide")
    build(out, include=[DATA / "guide-small.md"], without=GUIDE_ONLY)
    return out


@pytest.fixture(scope="session")
def xss_prepared():
    """The shipped graph plus ``tests/data/xss.ttl`` (labels that look like markup): ``(dataset, analysis)``."""
    from mlops_kg.build.pipeline import prepare

    return prepare(include=[DATA / "xss.ttl"], without=GUIDE_ONLY)


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """Run CLI commands from an empty folder so nothing lands in the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def venv_bin(name: str) -> str:
    """Path of a console script installed beside the running interpreter."""
    return str(Path(sys.executable).parent / name) if os.name != "nt" else name


@pytest.fixture
def ctrl_c_raises():
    """Python's own Ctrl-C handler for the test: a runner started in the background without job
    control inherits SIGINT ignored (POSIX), and a signal the test sends itself would vanish."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
