"""Shared fixtures: one validated build of the shipped graph per test session.

Most tests pin facts of the guide's graph (51 technologies), so the shared fixtures build it
without the public catalogues (``without=GUIDE_ONLY``); ``landscape_built`` is the default,
whole build, made once per session for the tests of the landscape.

With pytest-xdist (``make test`` runs ``-n 2``) session fixtures run once per worker; the build
folders are made once per run all the same: the first worker that asks builds, under a file
lock, and the others read its folder (:func:`_made_once`). The cached builds the CLI makes
when given no folder go to a temporary ``XDG_CACHE_HOME`` of the run, not the user's cache."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
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


#: Environment variable naming the run's cache folder (set once, by the first process).
_CACHE_VAR = "MLOPS_KG_TEST_CACHE"


def pytest_configure(config):
    """Point ``XDG_CACHE_HOME`` at a folder of this run: the builds ``ensure_build`` makes for
    commands given no build folder then never come from (or land in) the user's cache. Set in
    the first process, so xdist's workers, which inherit it, and subprocesses share it."""
    if _CACHE_VAR not in os.environ:
        os.environ[_CACHE_VAR] = tempfile.mkdtemp(prefix="mlops-kg-test-cache-")
        os.environ["XDG_CACHE_HOME"] = os.environ[_CACHE_VAR]
        config._mlops_kg_cache = os.environ[_CACHE_VAR]


def pytest_unconfigure(config):
    folder = getattr(config, "_mlops_kg_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(_CACHE_VAR, None)


def _made_once(tmp_path_factory, name: str, make) -> Path:
    """The folder ``name`` filled by ``make(folder)`` once per test run: here, or with
    pytest-xdist by the first worker that asks, while the others wait on a file lock and then
    read the same folder (read it only; to change it, copy it first)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's own
    out, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)  # what a worker that failed half-way left
            out.mkdir()
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A build folder produced by ``mlops_kg.build.pipeline.build`` (guide-only)."""
    from mlops_kg.build.pipeline import build

    return _made_once(tmp_path_factory, "build", lambda out: build(out, without=GUIDE_ONLY))


@pytest.fixture(scope="session")
def landscape_built(tmp_path_factory):
    """The default build: the guide, the curated graph and every public catalogue."""
    from mlops_kg.build.pipeline import build

    return _made_once(tmp_path_factory, "build-landscape", build)


@pytest.fixture(scope="session")
def built_with_guide(tmp_path_factory):
    """A build of the shipped graph with ``tests/data/guide-small.md`` included (read it; to
    change it, copy it first)."""
    from mlops_kg.build.pipeline import build

    return _made_once(tmp_path_factory, "build-with-guide",
                      lambda out: build(out, include=[DATA / "guide-small.md"], without=GUIDE_ONLY))


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
