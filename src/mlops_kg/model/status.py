"""Whether a technology is alive, judged from the dates a catalogue states.

A status is not a fact any catalogue states: it depends on the day it is judged at, so the
build derives it (:mod:`mlops_kg.model.inference`) from ``mlo:archived`` and
``mlo:lastCommitDate`` against the date each catalogue's data was collected.
"""
from __future__ import annotations

from datetime import date, timedelta

#: How long without a commit makes a project inactive.
INACTIVE_AFTER = timedelta(days=365)


def derive_status(*, archived: bool | None, last_commit: str | None, as_of: str | None) -> str | None:
    """``"archived"`` when the catalogue says so; ``"inactive"`` when the last commit is more than
    :data:`INACTIVE_AFTER` before ``as_of`` (the snapshot date); ``"active"`` when it is not;
    None when there is no last-commit date to judge by.

    Parameters
    ----------
    archived : bool or None
        Whether a catalogue says the repository is archived.
    last_commit, as_of : str or None
        ISO dates: the newest commit known, and when that was observed.

    Returns
    -------
    str or None
        ``"archived"``, ``"inactive"``, ``"active"`` or None.

    Examples
    --------
    >>> derive_status(archived=None, last_commit="2024-01-01", as_of="2025-06-26")
    'inactive'
    >>> derive_status(archived=True, last_commit="2025-06-01", as_of="2025-06-26")
    'archived'
    """
    if archived:
        return "archived"
    if not last_commit or not as_of:
        return None
    return "inactive" if date.fromisoformat(as_of) - date.fromisoformat(last_commit) > INACTIVE_AFTER else "active"
