"""Same input, same bytes: outputs whose writers follow a store's (hash-seeded) iteration order."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import venv_bin

DESCRIBE = """
from mlops_kg.serve.description import service_description
print(service_description("http://localhost:1/sparql", ["https://g/b", "https://g/a", "https://g/c"],
                          timeout=5, max_rows=10, fmt={fmt!r}), end="")
"""


def _run(args, seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml"])
def test_service_description_is_the_same_bytes_whatever_the_hash_seed(fmt):
    texts = {_run([sys.executable, "-c", DESCRIBE.format(fmt=fmt)], seed) for seed in ("1", "2", "3")}
    assert len(texts) == 1
    assert "https://g/a" in texts.pop()


def test_construct_as_jsonld_is_the_same_bytes_whatever_the_hash_seed(built):
    args = [venv_bin("mlops-kg"), "query", "--build", str(built), "describe-tool", "--param", "tool=mlflow",
            "--format", "jsonld"]
    texts = {_run(args, seed) for seed in ("1", "2", "3")}
    assert len(texts) == 1
    assert '"@context"' in texts.pop()
