"""Where the shipped data lives: inside the wheel (``mlops_kg/data/``) or in a source checkout."""
from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """Folder ``name`` (``ontology``, ``graph`` or ``queries``) of the shipped data.

    An installed wheel carries them under ``mlops_kg/data/``; an editable install or a
    source checkout reads the top-level folders of the repository.
    """
    # The package's folder, as importlib.resources.files("mlops_kg") gives it for a package on
    # disk (every install of ours: the code reads these files by path anyway), without the 5 ms
    # that importing importlib.resources costs each fresh `mlops-kg substitutes`.
    packaged = Path(__file__).resolve().parents[1] / "data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shipped data folder {name!r} not found in {packaged} or {checkout}")


def ontology_files() -> list[Path]:
    """The ontology files (without the shapes): the core ontology with the capability scheme,
    and the landscape terms (catalogue facts, kinds, statuses)."""
    folder = data_dir("ontology")
    return [folder / "mlops.ttl", folder / "landscape.ttl"]


def shapes_file() -> Path:
    """The SHACL shapes file, kept apart from the ontology so validation can load it alone."""
    return data_dir("ontology") / "shapes.ttl"


def graph_files() -> dict[str, list[Path]]:
    """Curated data files by origin: ``{"guide": [...], "curated": [...]}``, sorted."""
    root = data_dir("graph")
    return {origin: sorted((root / origin).glob("*.ttl")) for origin in ("guide", "curated")}


#: Sources of the landscape a build can leave out, in load order (``landscape_rdf.SOURCES`` ids).
LANDSCAPE_SOURCES = ("lfai", "cncf", "best-of-ml-python", "awesome-production-ml", "awesome-llmops")
#: Generated landscape files that are not one catalogue's facts, and the graph each goes to.
_LANDSCAPE_SHARED = {"datasets.ttl": "datasets", "licences.ttl": "reference", "languages.ttl": "reference"}


def landscape_files() -> list[tuple[str, str, Path]]:
    """The files of ``graph/landscape/`` as ``(role, source, path)``, sorted by role then name.

    ``role`` says where a file goes: ``"source"`` (one catalogue's facts; ``source`` is its
    id, the file's stem), ``"curated"`` (``curated-*.ttl`` and ``crosswalk.ttl``),
    ``"datasets"`` (the catalogues described as datasets) or ``"reference"`` (licences and
    languages). Any other ``*.ttl`` there is taken as a source of its own, named by its stem, so
    a new generated source needs no change here.
    """
    folder = data_dir("graph") / "landscape"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.ttl")):
        if path.name.startswith("curated-") or path.name == "crosswalk.ttl":
            found.append(("curated", "", path))
        elif path.name in _LANDSCAPE_SHARED:
            found.append((_LANDSCAPE_SHARED[path.name], "", path))
        else:
            found.append(("source", path.stem, path))
    order = {"source": 0, "datasets": 1, "reference": 2, "curated": 3}
    return sorted(found, key=lambda item: (order[item[0]], item[2].name))
