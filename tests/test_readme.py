"""The README's promises: the two set-up commands come first, and its Python example runs."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    assert first_block.splitlines()[0].startswith("make demo")
    assert first_block.splitlines()[1].startswith("make test")


def test_python_example_runs(built, monkeypatch, capsys):
    monkeypatch.setenv("MLOPS_KG_BUILD", str(built))
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert "Weights & Biases" in out[0] and "DVC" in out[0]
    assert out[1].startswith("[('Comet',")


def test_command_reference_is_up_to_date():
    from mlops_kg._reference import render

    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README command reference is out of date: run `make readme`"


def _shell_lines(text: str):
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        yield from (line for line in block.splitlines() if line.strip())


def test_shell_examples_are_one_command_each():
    """Each line of a ```sh block is one command as a shell reads it: an unquoted `&`, `|`, `;`
    or parenthesis would split it (`--param tool=W&B` runs `B`), except a trailing `&` that
    starts a server in the background; and each `mlops-kg` line names a real command."""
    import shlex
    import shutil
    import subprocess

    from mlops_kg.cli import cli

    text = README.read_text(encoding="utf-8")
    lines = list(_shell_lines(text))
    assert any(line.startswith("mlops-kg query") for line in lines)
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        operators = [t for t in tokens if t and set(t) <= set("&|;()<>")]
        assert operators in ([], ["&"]) and (not operators or tokens[-1] == "&"), f"needs quotes: {line}"
        if tokens and tokens[0] == "mlops-kg":
            assert tokens[1] in cli.commands, line
    if shutil.which("bash"):
        script = "\n".join(lines) + "\n"
        checked = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_readme_says_where_the_command_is():
    text = README.read_text(encoding="utf-8")
    assert ".venv/bin/mlops-kg" in text and "source .venv/bin/activate" in text
