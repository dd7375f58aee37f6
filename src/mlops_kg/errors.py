"""Errors raised by mlops-kg. The CLI turns each into a one-line message and an exit code."""
from __future__ import annotations


class MlopsKgError(Exception):
    """Base class: a problem the user can fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class DataFileError(MlopsKgError):
    """A data file is missing, unreadable or not valid RDF; the message names file and line."""


class ValidationError(MlopsKgError):
    """The data violates the SHACL shapes; ``report`` holds the readable results."""

    exit_code = 1

    def __init__(self, report):
        self.report = report
        super().__init__(report.summary())


class UnknownNameError(MlopsKgError):
    """A name does not match any node; ``suggestions`` lists close names."""

    def __init__(self, name: str, kind: str = "tool", suggestions: list[str] | None = None,
                 detail: str = ""):
        self.name, self.kind, self.suggestions = name, kind, list(suggestions or [])
        if self.suggestions:
            hint = f" Did you mean: {', '.join(self.suggestions)}?"
        elif not detail and kind in _LISTED_BY:
            hint = f" `mlops-kg query {_LISTED_BY[kind]}` lists the known ones."
        else:
            hint = ""
        super().__init__(f"unknown {kind} {name!r}{detail}.{hint}")


#: The named query that lists the names of each kind (for an unknown name with no close match).
_LISTED_BY = {"tool": "tool-overview", "service": "services-by-provider", "capability": "capabilities",
              "industry": "industries"}


class AmbiguousNameError(MlopsKgError):
    """A name matches several nodes; ``candidates`` lists their labels."""

    def __init__(self, name: str, candidates: list[str]):
        self.name, self.candidates = name, list(candidates)
        super().__init__(f"{name!r} matches several nodes: {', '.join(candidates)}; give one of them.")


class QueryError(MlopsKgError):
    """A SPARQL query is malformed, unknown, refused or fails."""


class EndpointError(MlopsKgError):
    """A remote SPARQL endpoint cannot be reached or refuses the request."""


class OutputError(MlopsKgError):
    """An output path cannot be written."""
