"""What a build folder holds, defined once: the file names, the manifest (with the fingerprint
of the inputs it was made from), the index version, and the error for a damaged build file.

Readers of every stage use these names; only :mod:`mlops_kg.build` writes the files.
Hashing the inputs reads a dozen small files and does not import rdflib.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import DataFileError

#: Base name of the built graph files (``mlops-kg.nq``, ``.ttl``, ...).
STEM = "mlops-kg"
MANIFEST = "manifest.json"
ANALYSIS = "analysis.json"   # centrality and clusters, for `mlops-kg analyze`
INDEX = "index.json"         # names, profiles and ranked substitutes, for the fast `substitutes`
SITE = "site"                # the static site: index, one page per tool, graph and clusters pages
#: Version of the substitutes index format (``index.json``); readers refuse another one.
INDEX_VERSION = 1


def input_files(include=(), without=()) -> list[Path]:
    """Every file a build reads, in a stable order (used to detect stale builds).

    ``without`` names landscape sources left out (see :func:`mlops_kg.model.load.load_sources`);
    their files are not inputs then, so such a build never passes for a whole one.
    """
    from . import resources

    files = resources.ontology_files() + [resources.shapes_file()]
    by_origin = resources.graph_files()
    files += by_origin["guide"] + by_origin["curated"]
    if "landscape" not in without:
        files += [path for role, source, path in resources.landscape_files()
                  if not (role == "source" and source in without)]
    return files + [Path(p) for p in include]


def fingerprint(include=(), without=()) -> dict[str, str]:
    """SHA-256 of each input file, keyed by a path relative to its data folder."""
    out = {}
    for path in input_files(include, without):
        key = f"{path.parent.name}/{path.name}"
        try:
            out[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None
    return out


def read_manifest(directory) -> dict | None:
    """The manifest of the build in ``directory``, or None when it is missing or not a JSON object."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def damaged_build(path, why: str = "") -> DataFileError:
    """The error for a build file that is missing, cut short or not what a build writes: it
    names the file and the command that writes the folder again (with its included files and
    the sources it left out)."""
    import shlex

    directory = Path(path).parent
    command = ["mlops-kg", "build"]
    if directory.resolve() != Path("build").resolve():
        command += ["--out", str(directory)]
    includes = (read_manifest(directory) or {}).get("include", [])
    for include in includes if isinstance(includes, list) else []:
        command += ["--include", str(include)]
    without = (read_manifest(directory) or {}).get("without", [])
    for source in without if isinstance(without, list) else []:
        command += ["--without", str(source)]
    detail = f" ({why})" if why else ""
    return DataFileError(f"{path}: damaged or incomplete build file{detail}; run `{shlex.join(command)}` again")


def built_graph(directory) -> Path:
    """The N-Quads file of the build in ``directory``; the error when there is none says how to make it."""
    nq = Path(directory) / f"{STEM}.nq"
    if not nq.is_file():
        raise DataFileError(f"{nq}: no built graph there; run `mlops-kg build --out {directory}` first")
    return nq
