"""Normalising names, so that "W&B", "w & b" and "W and B" compare equal."""
from __future__ import annotations

import re
import unicodedata


def normalize_name(name: str) -> str:
    """A comparison key for a name: case-, accent-, space- and punctuation-insensitive.

    ``&`` reads as "and" and a leading "the" is ignored.

    >>> normalize_name("Weights & Biases") == normalize_name("weights and biases")
    True
    >>> normalize_name("  KFServing ")
    'kfserving'
    """
    if name.isascii():
        text = name
    else:
        text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii") or name
    text = text.lower().replace("&", " and ")
    text = re.sub(r"^\s*the\s+", "", text)
    key = re.sub(r"[^a-z0-9+#]+", "", text)
    # Names with no ASCII letters at all (e.g. CJK) keep their own characters.
    return key or re.sub(r"\s+", "", name.casefold())
