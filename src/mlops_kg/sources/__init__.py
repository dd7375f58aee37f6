"""Stage 2, sources: the Markdown guide reader (guide), its import into RDF (importer), name
resolution (resolve), and readers for public catalogues of the ML/MLOps landscape.

Each reader is a pure function ``read_<format>(path) -> list[Record]`` that takes facts, never
prose, and says where each came from (source, file, line). Bad input raises
:class:`~mlops_kg.sources.catalogue.CatalogueError` with a one-line message.
:func:`read_snapshots` reads the snapshot folder (``../shared/landscape/``) in one call.
"""
from __future__ import annotations

import importlib

#: Public names and the module that defines each. They load on first use (PEP 562), so that
#: importing one module of this package (``sources.resolve`` on the fast ``substitutes`` path)
#: does not import every catalogue reader and YAML with it.
_EXPORTS = {
    "CatalogueError": "catalogue", "Record": "catalogue", "normalise_repository": "catalogue",
    "osi_approved": "catalogue", "spdx_licence": "catalogue",
    "read_awesome_list": "awesome_list", "read_landscape": "lfai", "read_llmops": "llmops",
    "read_best_of": "best_of", "read_best_of_csv": "best_of", "read_best_of_yaml": "best_of",
    "SNAPSHOTS": "catalogues", "read_snapshots": "catalogues",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
