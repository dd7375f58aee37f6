"""Minting stable, readable IRIs for instances: ``https://w3id.org/mlops-kg/id/<kind>/<slug>``."""
from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

from .namespaces import ID

#: The kinds of instance IRIs, in the order a node's primary kind is chosen.
KINDS = ("tool", "service", "platform", "provider", "language", "framework", "industry",
         "use-case", "capability", "source", "cluster", "analysis", "link", "organization")


def slugify(label: str) -> str:
    """Turn a label into the last IRI segment: lowercase ASCII, ``&`` read as "and".

    Accents are dropped rather than escaped so IRIs stay readable; a label with no ASCII
    letters at all gets a slug of its code points, so it is still stable and distinct.

    Parameters
    ----------
    label : str
        A preferred label, as written.

    Returns
    -------
    str
        Lowercase letters, digits and single hyphens; empty only for a blank label.

    Examples
    --------
    >>> slugify("Weights & Biases"), slugify("Neptune.ai"), slugify("Café ML")
    ('weights-and-biases', 'neptune-ai', 'cafe-ml')
    """
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ").replace("+", " plus ")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if slug:
        return slug
    # Labels with no ASCII letters at all still need a stable, distinct slug.
    return "u-" + "-".join(f"{ord(c):x}" for c in label.strip())[:60] if label.strip() else ""


def mint_iri(kind: str, label: str) -> URIRef:
    """The IRI of a node of ``kind`` (one of :data:`KINDS`) with preferred label ``label``.

    The same label always gives the same IRI, which is what lets sources name a node without
    looking it up.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`; it becomes the path segment before the slug.
    label : str
        The preferred label; see :func:`slugify`.

    Returns
    -------
    rdflib.URIRef
        ``https://w3id.org/mlops-kg/id/<kind>/<slug>``.

    Raises
    ------
    ValueError
        For an unknown kind or a blank label.

    Examples
    --------
    >>> str(mint_iri("tool", "MLflow"))
    'https://w3id.org/mlops-kg/id/tool/mlflow'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    slug = slugify(label)
    if not slug:
        raise ValueError("cannot mint an IRI from an empty label")
    return ID[f"{kind}/{slug}"]


def iri_kind(iri) -> str | None:
    """The kind segment of one of our instance IRIs, or None for other IRIs."""
    text = str(iri)
    if not text.startswith(str(ID)):
        return None
    kind = text[len(str(ID)):].split("/", 1)[0]
    return kind if kind in KINDS else None
