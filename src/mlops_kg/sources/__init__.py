"""Readers for public catalogues of the ML/MLOps landscape (the sources stage).

Each reader is a pure function ``read_<format>(path) -> list[Record]`` that takes facts, never
prose, and says where each came from (source, file, line). Bad input raises
:class:`~mlops_kg.sources.catalogue.CatalogueError` with a one-line message.
"""
from __future__ import annotations

from .awesome_list import read_awesome_list
from .best_of import read_best_of, read_best_of_csv, read_best_of_yaml
from .catalogue import CatalogueError, Record, normalise_repository, osi_approved, spdx_licence
from .lfai import read_landscape
from .llmops import read_llmops

__all__ = ["CatalogueError", "Record", "normalise_repository", "osi_approved", "read_awesome_list",
           "read_best_of", "read_best_of_csv", "read_best_of_yaml", "read_landscape",
           "read_llmops", "spdx_licence"]
