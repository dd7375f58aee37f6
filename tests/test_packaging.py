"""A plain (non-editable) wheel carries the ontology, graph and queries and works from any folder."""
import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling", reason="hatchling (the build backend) is needed to build a wheel")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(ROOT)], check=True)
    (path,) = out.glob("mlops_kg-*.whl")
    return path


def test_wheel_ships_the_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlops_kg/data/ontology/mlops.ttl" in names
    assert "mlops_kg/data/ontology/shapes.ttl" in names
    assert any(n.startswith("mlops_kg/data/graph/guide/") for n in names)
    assert any(n.startswith("mlops_kg/data/graph/curated/") for n in names)
    assert any(n.startswith("mlops_kg/data/queries/") for n in names)
    assert {"mlops_kg/pages/assets/graph.js", "mlops_kg/pages/assets/index.js", "mlops_kg/pages/assets/site.css",
            "mlops_kg/pages/assets/compare.js", "mlops_kg/pages/templates/compare.html",
            "mlops_kg/serve/templates/query_page.html"} <= set(names)
    assert {f"mlops_kg/pages/templates/{name}.html"
            for name in ("base", "macros", "graph_page", "index", "tool", "graph", "clusters")} <= set(names)


@pytest.mark.slow
def test_installed_wheel_builds_from_another_folder(wheel, tmp_path):
    """Install the wheel into a fresh venv (dependencies borrowed from this one, offline)."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Dependencies come from the test venv through a .pth line; that folder's own .pth files
    # (such as an editable install of mlops_kg) are not processed, so only the wheel provides it.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--quiet", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    result = subprocess.run([str(bin_dir / "mlops-kg"), "build", "--out", str(out)], cwd=elsewhere,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "mlops-kg.ttl").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert "best-of-ml-python" in manifest["sources"], "the wheel carries graph/landscape/"
    assert (out / "site" / "index.html").is_file() and (out / "site" / "assets" / "vis-network.min.js").is_file()
    where = subprocess.run([str(python), "-c", "import mlops_kg, sys; print(mlops_kg.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where, f"mlops_kg was imported from {where}, not the installed wheel"
    assert not list(elsewhere.iterdir()), "the command wrote into the current folder"
