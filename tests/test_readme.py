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
