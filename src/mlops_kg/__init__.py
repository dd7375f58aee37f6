"""mlops-kg: a knowledge graph of the MLOps tool landscape, with a query layer.

The public API is listed in ``__all__``; names are imported lazily so that
``import mlops_kg`` (and the CLI's quick commands) stay fast. ``open_store()`` and
``load_index()`` find (or make) an up-to-date build when given no folder.

The package follows the stages of DESIGN.md, each importing only from earlier ones (a test
checks it): core (errors, files, progress, bulk) < model < sources < query < analysis < pages
< build < serve < cli.
"""
from __future__ import annotations

__version__ = "0.1.0"

_API = {
    "MlopsKgError": "errors",
    "open_store": "build.locate",
    "run_query": "query.named",
    "list_queries": "query.named",
    "find_substitutes": "analysis.substitutes",
    "load_index": "build.locate",
    "analyze": "analysis.result",
    "build": "build.pipeline",
    "build_dataset": "build.pipeline",
    "validate_graph": "model.validate",
    "load_sources": "build.pipeline",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'mlops_kg' has no attribute {name!r}")
