"""Finding an up-to-date build, so query commands work from any folder.

Order: an explicit folder (``--build`` / ``MLOPS_KG_BUILD``); ``./build`` when its manifest
matches the current inputs; otherwise a build in the user cache folder
(``$XDG_CACHE_HOME/mlops-kg/``), made on first use and remade when the inputs change.
Checking freshness hashes a dozen small files and does not import rdflib.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import DataFileError

MANIFEST = "manifest.json"


def input_files(include=()) -> list[Path]:
    """Every file a build reads, in a stable order (used to detect stale builds)."""
    from ..model import resources

    files = resources.ontology_files() + [resources.shapes_file()]
    by_origin = resources.graph_files()
    files += by_origin["guide"] + by_origin["curated"]
    return files + [Path(p) for p in include]


def fingerprint(include=()) -> dict[str, str]:
    """SHA-256 of each input file, keyed by a path relative to its data folder."""
    out = {}
    for path in input_files(include):
        key = f"{path.parent.name}/{path.name}"
        try:
            out[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None
    return out


def read_manifest(directory) -> dict | None:
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def damaged_build(path, why: str = "") -> DataFileError:
    """The error for a build file that is missing, cut short or not what a build writes: it
    names the file and the command that writes the folder again (with its included files)."""
    import shlex

    directory = Path(path).parent
    command = ["mlops-kg", "build"]
    if directory.resolve() != Path("build").resolve():
        command += ["--out", str(directory)]
    includes = (read_manifest(directory) or {}).get("include", [])
    for include in includes if isinstance(includes, list) else []:
        command += ["--include", str(include)]
    detail = f" ({why})" if why else ""
    return DataFileError(f"{path}: damaged or incomplete build file{detail}; run `{shlex.join(command)}` again")


def is_fresh(directory) -> bool:
    """True when ``directory`` holds a build of exactly the current input files."""
    manifest = read_manifest(directory)
    if not manifest:
        return False
    include = manifest.get("include", [])
    if not isinstance(include, list) or not all(isinstance(p, str) and Path(p).is_file() for p in include):
        return False  # a hand-edited or damaged manifest: build again
    return manifest.get("inputs") == fingerprint(include)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlops-kg"


def find_build(directory=None) -> Path | None:
    """The folder of an up-to-date build if there is one, without building (see module
    docstring); ``None`` when none is up to date. An explicit folder that is not a build is an
    error either way."""
    explicit = directory or os.environ.get("MLOPS_KG_BUILD")
    if explicit:
        path = Path(explicit)
        if not (path / MANIFEST).is_file():
            raise DataFileError(f"{path}: not a build folder (no {MANIFEST}); run `mlops-kg build --out {path}`")
        return path if is_fresh(path) else None
    local = Path("build")
    if (local / MANIFEST).is_file() and is_fresh(local):
        return local
    cached = _cached_build()
    return cached if is_fresh(cached) else None


def _cached_build() -> Path:
    digest = hashlib.sha256(json.dumps(fingerprint(), sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir() / f"build-{digest}"


def ensure_build(directory=None) -> Path:
    """The folder of an up-to-date build, building one if needed (see module docstring)."""
    found = find_build(directory)
    if found is not None:
        return found
    from .pipeline import build

    explicit = directory or os.environ.get("MLOPS_KG_BUILD")
    if explicit:
        path = Path(explicit)
        build(path, include=(read_manifest(path) or {}).get("include", []))
        return path
    cached = _cached_build()
    build(cached)
    return cached
