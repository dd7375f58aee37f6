"""One line on stderr and exit 2 instead of a traceback: full outputs, damaged build files, time
limits that are no limit; and a Ctrl-C that comes too late to stop a build (issue 12, items 6, 9)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_kg.model.layout import STEM
from mlops_kg.cli import cli

from .conftest import DATA, venv_bin


def one_line_error(text: str) -> str:
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["queries"], ["queries", "--format", "json"], ["--help"]])
def test_a_full_stdout_is_one_line(args):
    with open("/dev/full", "w") as full:
        run = subprocess.run([venv_bin("mlops-kg"), *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 2
    assert one_line_error(run.stderr) == ("error: cannot write the output: No space left on device; "
                                          "free some space or send it elsewhere")


def _file_size_limited(limit: int):
    def apply():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file-size limits")
def test_import_to_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    target = tmp_path / "out.ttl"
    run = subprocess.run([venv_bin("mlops-kg"), "import", str(DATA / "guide-small.md"), "-q", "-o", str(target)],
                         preexec_fn=_file_size_limited(1000), capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert one_line_error(run.stderr) == f"error: cannot write {target}: File too large; free some space or write elsewhere"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "soon"])
def test_query_timeout_must_be_a_real_time_limit(value):
    result = CliRunner().invoke(cli, ["query", "ASK {}", "--timeout", value])
    assert result.exit_code == 2
    assert f"'{value}' is not a number of seconds from 0.1 to 604800" in one_line_error(result.output)


def test_finite_seconds_accepts_ordinary_values():
    from mlops_kg.cli import FINITE_SECONDS

    assert FINITE_SECONDS.convert("2.5", None, None) == 2.5


@pytest.fixture
def damaged(built, tmp_path):
    """A copy of a good build (guide-only, so the advised rebuild says --without landscape):
    damage its files, then check the commands say how to mend them."""
    copy = tmp_path / "b"
    shutil.copytree(built, copy)
    return copy


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_truncated_graph_names_the_file_and_the_rebuild(damaged, engine):
    nq = damaged / f"{STEM}.nq"
    nq.write_bytes(nq.read_bytes()[:5000])
    result = CliRunner().invoke(cli, ["query", "listed-tools", "--build", str(damaged), "--store", engine])
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert line.startswith(f"error: {nq}: damaged or incomplete build file (")
    assert line.endswith(f"; run `mlops-kg build --out {damaged} --without landscape` again")


@pytest.mark.parametrize("content", ["", "{}", "[]", '{"centrality": {"tool": {}}, "clusters": [], "method": "x"}',
                                     '{"centrality": {"tool": {"degree": [{"label": 1}]}}, "clusters": [], "method": "x"}'])
def test_a_damaged_analysis_names_the_file_and_the_rebuild(damaged, content):
    (damaged / "analysis.json").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", "--build", str(damaged)])
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert line.startswith(f"error: {damaged / 'analysis.json'}: damaged or incomplete build file")
    assert line.endswith(f"; run `mlops-kg build --out {damaged} --without landscape` again")


@pytest.mark.parametrize("content", ["", "[]", '{"version": 0}'])
def test_a_damaged_index_names_the_file_and_the_rebuild(damaged, content):
    (damaged / "index.json").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["substitutes", "mlflow", "--build", str(damaged)])
    assert result.exit_code == 2
    assert one_line_error(result.output).endswith(f"; run `mlops-kg build --out {damaged} --without landscape` again")


def test_the_advised_rebuild_mends_a_damaged_build(damaged):
    """The command the error names, run as it is, gives a build every command reads again."""
    import shlex

    (damaged / f"{STEM}.nq").write_bytes(b"")
    (damaged / "analysis.json").write_bytes(b"")
    runner = CliRunner()
    line = one_line_error(runner.invoke(cli, ["query", "listed-tools", "--build", str(damaged)]).output)
    command = shlex.split(line.rsplit("; run `", 1)[1].removesuffix("` again"))
    assert command[:2] == ["mlops-kg", "build"]
    assert runner.invoke(cli, command[1:] + ["-q"]).exit_code == 0
    for args in (["query", "listed-tools"], ["analyze"]):
        result = runner.invoke(cli, args + ["--build", str(damaged)])
        assert result.exit_code == 0, result.output


def test_ctrl_c_while_the_build_is_put_in_place_says_it_completed(tmp_path, monkeypatch, ctrl_c_raises):
    """The signal is held back until the new build is in place, so the command must not claim
    it was interrupted (it said "interrupted" and exited 130 with the new build in place)."""
    from mlops_kg.pages import site as site_module

    swap = site_module.swap_site

    def swap_with_ctrl_c(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return swap(*args, **kwargs)

    monkeypatch.setattr(site_module, "swap_site", swap_with_ctrl_c)
    out = tmp_path / "b"
    result = CliRunner().invoke(cli, ["build", "-q", "--out", str(out), "--without", "landscape"])
    assert result.exit_code == 0, result.output
    assert "it completed" in result.output and "built " in result.output
    assert (out / "manifest.json").is_file()

    from mlops_kg.build.pipeline import BuildInterrupted, build

    with pytest.raises(BuildInterrupted) as info:  # still a KeyboardInterrupt for other callers
        build(out, without=("landscape",))
    assert isinstance(info.value, KeyboardInterrupt) and info.value.result.out_dir == out


@pytest.mark.parametrize("manifest", ['{"include": "x.ttl"}', '{"include": [1]}', "[]", "", "null"])
def test_a_damaged_manifest_means_build_again(damaged, manifest):
    from mlops_kg.build.locate import is_fresh

    (damaged / "manifest.json").write_text(manifest, encoding="utf-8")
    assert is_fresh(damaged) is False
