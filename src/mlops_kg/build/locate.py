"""Finding an up-to-date build, so query commands work from any folder.

Order: an explicit folder (``--build`` / ``MLOPS_KG_BUILD``); ``./build`` when its manifest
matches the current inputs; otherwise a build in the user cache folder
(``$XDG_CACHE_HOME/mlops-kg/``), made on first use and remade when the inputs change.
Checking freshness hashes a dozen small files and does not import rdflib.

Readers never call :func:`ensure_build`: they take a build folder that exists. The CLI decides
once, per command, whether a build is needed; :func:`open_store` and :func:`load_index` here are
the same convenience for library users (``mlops_kg.open_store()``).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import DataFileError
from ..model.layout import MANIFEST, fingerprint, read_manifest

def is_fresh(directory) -> bool:
    """True when ``directory`` holds a build of exactly the current input files (those it was
    built from: its included files, less the sources it left out with ``--without``)."""
    manifest = read_manifest(directory)
    if not manifest:
        return False
    include = manifest.get("include", [])
    if not isinstance(include, list) or not all(isinstance(p, str) and Path(p).is_file() for p in include):
        return False  # a hand-edited or damaged manifest: build again
    without = _without(manifest)
    if without is None:
        return False
    return manifest.get("inputs") == fingerprint(include, without)


def _without(manifest) -> tuple | None:
    """The sources a build left out, from its manifest; None when that entry is not valid.
    (Read without :mod:`mlops_kg.model.load`, which imports rdflib: the fast `substitutes`
    path checks freshness too.)"""
    from ..model.resources import landscape_files

    without = manifest.get("without", []) if isinstance(manifest, dict) else None
    if not isinstance(without, list) or not all(isinstance(s, str) for s in without):
        return None
    known = {source for role, source, _ in landscape_files() if role == "source"} | {"landscape"}
    return tuple(sorted(set(without))) if set(without) <= known else None


def cache_dir() -> Path:
    """Where builds made on demand are kept: ``$XDG_CACHE_HOME/mlops-kg`` (``~/.cache`` by default)."""
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
        manifest = read_manifest(path) or {}
        build(path, include=manifest.get("include", []), without=_without(manifest) or ())
        return path
    cached = _cached_build()
    build(cached)
    return cached


def local_names(build_dir=None):
    """A :class:`mlops_kg.sources.resolve.Resolver` for the local names, without making a build: the
    name index (``index.json``) of an up-to-date build if there is one, else the names of the
    shipped data (plus an explicit build's included files) read in memory, in about half a
    second, where a build takes many (its SHACL validation, analysis and site)."""
    from ..model.load import union_graph
    from ..sources.resolve import Resolver
    from .pipeline import load_sources

    found = find_build(build_dir)
    if found is not None:
        from ..analysis.substitutes import load_index as read_index

        try:
            return Resolver.from_json(read_index(found)["names"])
        except (DataFileError, KeyError, TypeError, AttributeError):
            pass  # an unreadable index: the names are read from the sources below
    from ..model.inference import infer

    explicit = build_dir or os.environ.get("MLOPS_KG_BUILD")
    manifest = (read_manifest(explicit) or {}) if explicit else {}
    ds = load_sources(manifest.get("include", []), without=_without(manifest) or ())
    infer(ds)
    return Resolver.from_graph(union_graph(ds))


def open_store(build_dir=None, engine: str = "oxigraph"):
    """:func:`mlops_kg.query.store.open_store` on ``build_dir``, else on an up-to-date build found
    or made here (``mlops_kg.open_store()``)."""
    from ..query.store import open_store as open_built

    return open_built(Path(build_dir) if build_dir else ensure_build(), engine)


def load_index(build_dir=None) -> dict:
    """:func:`mlops_kg.analysis.substitutes.load_index` of an up-to-date build, building one first
    if needed (``mlops_kg.load_index()``)."""
    from ..analysis.substitutes import load_index as read_index

    return read_index(ensure_build(build_dir))
