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
    """The ontology file (without the shapes)."""
    return [data_dir("ontology") / "mlops.ttl"]


def shapes_file() -> Path:
    """The SHACL shapes file, kept apart from the ontology so validation can load it alone."""
    return data_dir("ontology") / "shapes.ttl"


def graph_files() -> dict[str, list[Path]]:
    """Curated data files by origin: ``{"guide": [...], "curated": [...]}``, sorted."""
    root = data_dir("graph")
    return {origin: sorted((root / origin).glob("*.ttl")) for origin in ("guide", "curated")}
