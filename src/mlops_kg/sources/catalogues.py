"""The six catalogue snapshots of the landscape, and one call that reads them all."""
from __future__ import annotations

from pathlib import Path

from .awesome_list import read_awesome_list
from .best_of import read_best_of
from .catalogue import CatalogueError, Record
from .lfai import read_landscape
from .llmops import read_llmops

#: The snapshot files, newest first within a source (the merge prefers earlier files):
#: (source id, file name, reader).
SNAPSHOTS = (
    ("lfai", "lfai-landscape.yml", read_landscape),
    ("lfai", "lfai-processed-landscape-2025-06-02.yml", read_landscape),
    ("cncf", "cncf-landscape.yml", read_landscape),
    ("best-of-ml-python", "best-of-ml-python-2025-06-26.csv", read_best_of),
    ("best-of-ml-python", "best-of-ml-python-projects.yaml", read_best_of),
    ("awesome-production-ml", "awesome-production-machine-learning.md", read_awesome_list),
    ("awesome-llmops", "awesome-llmops.md", read_llmops),
)


def read_snapshots(folder) -> list[Record]:
    """The records of every snapshot file in ``folder``, in :data:`SNAPSHOTS` order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogueError(f"{folder}: not a folder; give the folder that holds the catalogue snapshots")
    records: list[Record] = []
    for source, name, reader in SNAPSHOTS:
        records.extend(reader(folder / name, source=source))
    return records
