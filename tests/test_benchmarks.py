"""The benchmark scripts run (at a tiny size) so they cannot rot; figures are not asserted."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
def test_benchmark_table_at_a_tiny_size():
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--sizes", "60", "--repeat", "1",
                          "--fresh-runs", "2", "--validation-scales", "1", "2",
                          "--without", "landscape"],  # the guide-only graph: the landscape's takes a minute here
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    validation = [line for line in lines if "| validate, CPU (" in line]
    assert [v.split("(")[1].split(" ")[0] for v in validation] == ["1×", "2×"]
    assert validation[1].split("|")[5].strip().endswith("×") and "linear" in validation[1]
    assert lines[0].startswith("Machine: ")
    rows = [line for line in lines if line.startswith("| 60 tools")]
    names = {r.split("|")[2].strip() for r in rows}
    assert {"load + index (vs raw pyoxigraph N-Triples load)", "analyze", "substitutes warm (library call)",
            "peak memory (max RSS)"} <= names
    assert sum(n.startswith("query ") for n in names) >= 15
    load = next(r for r in rows if "load + index" in r)
    assert load.split("|")[5].strip().endswith("×")  # a ratio against the raw load, measured in this run
    assert any("fresh process" in line and "×" in line for line in lines)
    fresh = [r for r in rows if "fresh process" in r]  # the size's own index, side by side with import click
    assert len(fresh) == 1 and fresh[0].split("|")[5].strip().endswith("×") and "1.5× import click" in fresh[0]


@pytest.mark.parametrize("size,message", [("0", "at least 1"), ("50000000", "too large")])
def test_generator_refuses_bad_sizes(tmp_path, size, message):
    out = subprocess.run([sys.executable, str(BENCH / "synthetic.py"), size, "-o", str(tmp_path / "x.nq")],
                         capture_output=True, text=True)
    assert out.returncode != 0 and message in out.stderr
    assert not (tmp_path / "x.nq").exists()


def test_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(BENCH))
    from synthetic import write

    write(50, tmp_path / "a.nq", seed=3)
    write(50, tmp_path / "b.nq", seed=3)
    write(50, tmp_path / "c.nq", seed=4)
    assert (tmp_path / "a.nq").read_bytes() == (tmp_path / "b.nq").read_bytes()
    assert (tmp_path / "a.nq").read_bytes() != (tmp_path / "c.nq").read_bytes()


def test_synthetic_tools_merged_into_the_shipped_graph_conform_to_the_shapes(built, tmp_path):
    """The generator makes data of our shape: merged into a build, it passes validation."""
    sys.path.insert(0, str(BENCH))
    from synthetic import write

    out = tmp_path / "merged.nq"
    quads = write(40, out, base=built / "mlops-kg.nq")
    text = out.read_text(encoding="utf-8")
    assert "graph/analysis> .\n" not in text  # the base's stale analysis graph is left out
    assert quads == len(text.splitlines()) == len(set(text.splitlines()))  # no repeated statements
    check = subprocess.run([sys.executable, "-m", "mlops_kg", "validate", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_benchmark_refuses_a_graph_that_fails_validation(tmp_path):
    bad = tmp_path / "bad.nq"
    bad.write_text('<https://w3id.org/mlops-kg/id/tool/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                   '<https://w3id.org/mlops-kg/ontology#Tool> <https://w3id.org/mlops-kg/graph/guide> .\n',
                   encoding="utf-8")
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--graph", str(bad)], capture_output=True, text=True)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "fails validation" in last and "mlops-kg validate" in last
    assert "Traceback" not in out.stderr
    missing = subprocess.run([sys.executable, str(BENCH / "run.py"), "--graph", str(tmp_path / "none.nq")],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "does not exist" in missing.stderr


@pytest.mark.slow
def test_benchmark_of_a_users_built_graph(built):
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--graph", str(built / "mlops-kg.nq"), "--repeat", "1",
                          "--fresh-runs", "2", "--without", "landscape"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| mlops-kg.nq: ")]
    assert any("load + index" in r for r in rows) and sum("| query " in r for r in rows) >= 15
    assert "validating" in out.stderr  # it was checked against the shapes first
