"""CLI contract: usage errors are one line with exit 2, like library errors; help and version work."""
import pytest
from click.testing import CliRunner

from mlops_kg.cli import cli


@pytest.mark.parametrize("args,start", [
    (["substitutes", "mlflow", "--top", "x"], "error: Invalid value for '--top': 'x' is not a valid integer."),
    (["query", "alternatives", "--format", "yaml"], "error: Invalid value for '--format'"),
    (["nosuch"], "error: No such command 'nosuch'."),
    (["substitutes"], "error: Missing argument 'NAME'."),
    (["build", "--bogus"], "error: No such option '--bogus'"),
])
def test_usage_errors_are_one_line_exit_2(args, start):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(start), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "--help`)" in result.output


def test_help_and_version():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "validate", "query", "queries", "substitutes", "analyze", "viz", "site", "serve",
                    "publish", "import"):
        assert command in result.output
    version = CliRunner().invoke(cli, ["--version"])
    assert version.exit_code == 0 and "mlops-kg, version" in version.output


def test_a_closed_pipe_keeps_a_known_failure(monkeypatch, tmp_path, built):
    """`mlops-kg validate bad.ttl | head`: when the reader stops early the write fails with a
    broken pipe; the exit code must still say the data failed (1), not success."""
    import click as real_click

    from mlops_kg import cli as cli_module

    echo = real_click.echo

    def closed_stdout(message=None, *args, err=False, **kwargs):
        if not err:
            raise BrokenPipeError
        return echo(message, *args, err=err, **kwargs)

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix mlo: <https://w3id.org/mlops-kg/ontology#> .\n"
                   "<https://w3id.org/mlops-kg/id/tool/x> a mlo:Tool .\n", encoding="utf-8")
    monkeypatch.setattr(cli_module.click, "echo", closed_stdout)
    assert CliRunner().invoke(cli, ["validate", str(bad)]).exit_code == 1
    ask = ["query", "--build", str(built)]
    assert CliRunner().invoke(cli, [*ask, "ASK { ?s a mlo:NoSuchClass }"]).exit_code == 1
    assert CliRunner().invoke(cli, [*ask, "ASK { ?s ?p ?o }"]).exit_code == 0
