import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mlops_kg.build.pipeline import build
from mlops_kg.model.layout import STEM
from mlops_kg.cli import cli
from mlops_kg.model.load import union_graph

OUTPUTS = ["ttl", "nt", "jsonld", "trig", "nq"]


def test_build_writes_every_format(built):
    for ext in OUTPUTS:
        path = built / f"{STEM}.{ext}"
        assert path.is_file() and path.stat().st_size > 10_000, path
    assert (built / "manifest.json").is_file()
    assert not list(built.glob(".staging-*")), "staging folder left behind"


def _oxigraph_graph(path: Path, fmt) -> Graph:
    """Parse with pyoxigraph (an independent parser) and copy into an rdflib Graph."""
    import pyoxigraph

    from mlops_kg.model.terms import ox_to_rdflib

    graph = Graph()
    with open(path, "rb") as f:
        for quad in pyoxigraph.parse(f, format=fmt):
            graph.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return graph


@pytest.mark.parametrize("ext,fmt_name", [("ttl", "TURTLE"), ("nt", "N_TRIPLES"), ("jsonld", "JSON_LD"),
                                          ("trig", "TRIG"), ("nq", "N_QUADS")])
def test_outputs_reparse_with_pyoxigraph_isomorphic_to_the_build(built, dataset, ext, fmt_name):
    import pyoxigraph

    fmt = getattr(pyoxigraph.RdfFormat, fmt_name, None)
    if fmt is None:
        pytest.skip(f"this pyoxigraph has no {fmt_name} parser")
    reparsed = _oxigraph_graph(built / f"{STEM}.{ext}", fmt)
    expected = union_graph(dataset)
    assert len(reparsed) == len(expected)
    assert isomorphic(reparsed, expected)


def test_quad_outputs_keep_the_named_graphs(built, dataset):
    ds = Dataset()
    ds.parse(built / f"{STEM}.nq", format="nquads")
    got = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    want = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert got == want


def test_build_is_deterministic_across_hash_seeds(built, tmp_path):
    """Same input, same bytes: a build in a fresh process with another hash seed matches."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "mlops_kg", "build", "--out", str(out), "--without", "landscape"], check=True, env=env,
                   capture_output=True)
    for ext in OUTPUTS:
        assert (out / f"{STEM}.{ext}").read_bytes() == (built / f"{STEM}.{ext}").read_bytes(), ext
    site = sorted(p.relative_to(out) for p in (out / "site").rglob("*") if p.is_file())
    assert site == sorted(p.relative_to(built) for p in (built / "site").rglob("*") if p.is_file())
    for path in site:
        assert (out / path).read_bytes() == (built / path).read_bytes(), path


def test_cli_build_and_validate(cli_env):
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--out", "out", "--without", "landscape"])
    assert result.exit_code == 0, result.output
    assert "built" in result.output and (cli_env / "out" / f"{STEM}.ttl").is_file()
    result = runner.invoke(cli, ["validate", "out/mlops-kg.ttl"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_cli_validate_broken_file_exits_1(cli_env):
    broken = Path(__file__).parent / "data" / "broken.ttl"
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1, result.output
    assert "tool:nocap · mlo:hasCapability · MinCount" in result.output


def test_cli_validate_unreadable_file_exits_2(cli_env):
    result = CliRunner().invoke(cli, ["validate", "missing.ttl"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: missing.ttl: file not found; check the path"


def test_failed_build_keeps_previous_output(tmp_path, monkeypatch, built):
    """Invalid data stops the build with exit 1; the files of the last good build stay as they were."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built, out)  # the last good build
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}  # site/ included
    bad = tmp_path / "bad.ttl"
    bad.write_text((Path(__file__).parent / "data" / "broken.ttl").read_text())
    # guide-only, as the last good build was (the catalogues would add ~12 s of loading and validating)
    result = CliRunner().invoke(cli, ["build", "--out", str(out), "--include", str(bad), "--without", "landscape"])
    assert result.exit_code == 1, result.output
    assert "violat" in result.output and "tool:nocap" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("place", ["file in the way", "read-only folder"])
def test_build_into_unwritable_place_is_a_clear_error_before_any_work(tmp_path, monkeypatch, place):
    """The target is checked first: no loading or validating before the error (``no_work``
    proves it; a wall-clock bound would also time cold imports on a busy machine)."""
    import errno
    import tempfile

    import mlops_kg.build.pipeline as build_module

    def no_work(*args, **kwargs):
        raise AssertionError("the build started before the target was checked")
    monkeypatch.setattr(build_module, "prepare", no_work)
    if place == "file in the way":
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "sub"
    else:
        target = tmp_path / "ro" / "out"
        target.parent.mkdir()
        target.parent.chmod(0o555)
        if os.access(target.parent, os.W_OK):  # root ignores permissions: make the OS refuse instead
            def refuse(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied")
            monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    try:
        result = CliRunner().invoke(cli, ["build", "--out", str(target)])
    finally:
        target.parent.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: cannot write to {target}: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output
    assert not target.exists()


def test_progress_lines_only_on_a_terminal(tmp_path):
    """Stage lines go to stderr on a terminal and nowhere in a pipe or with --quiet."""
    import io

    from mlops_kg.progress import Progress, for_terminal

    from mlops_kg.build.pipeline import prepare

    stream = io.StringIO()
    prepare(progress=Progress(True, stream), without=("landscape",))  # the stages up to validation and analysis, without writing
    lines = stream.getvalue().splitlines()
    assert any("validated" in line for line in lines) and all(line.startswith("[") for line in lines)
    assert not for_terminal(quiet=True).enabled
    piped = subprocess.run([sys.executable, "-m", "mlops_kg", "build", "--out", str(tmp_path / "c"), "--without", "landscape"],
                           capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""


def test_an_interrupted_build_leaves_the_previous_one_whole(tmp_path, monkeypatch, built_with_guide):
    """Ctrl-C while the site is being written: the new files must not be in place beside the
    old site (they were: the files were moved in before the site was written)."""
    import hashlib

    from mlops_kg.build import pipeline as build_module
    from mlops_kg.pages import site as site_module

    import shutil

    out = tmp_path / "b"
    shutil.copytree(built_with_guide, out)  # the previous build (with a guide)

    def digest():
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    before = digest()

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(site_module, "site_pages", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_module.build(out, without=("landscape",))  # without the guide: every file would differ
    assert digest() == before
    assert not [p.name for p in out.iterdir() if "staging" in p.name]


def test_signals_are_held_while_the_build_is_put_in_place(ctrl_c_raises):
    import os
    import signal

    from mlops_kg.build.outputs import _signals_held

    with pytest.raises(KeyboardInterrupt):
        with _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached = True  # the signal waits until the block ends
    assert reached


def test_scratch_folders_of_a_killed_build_are_cleared(tmp_path):
    """`kill -9` half-way leaves a staging folder; the next build removes those of processes that
    no longer run, and leaves a running one's alone."""
    import subprocess as sp

    dead = sp.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    out = tmp_path / "b"
    (out / f".staging-{int(dead.stdout)}-x").mkdir(parents=True)
    (out / f".site.staging-{int(dead.stdout)}-y").mkdir()
    mine = out / f".staging-{os.getpid()}-z"
    mine.mkdir()
    build(out, without=("landscape",))
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [mine.name]
