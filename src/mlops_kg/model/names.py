"""Normalising names, so that "W&B", "w & b" and "W and B" compare equal."""
from __future__ import annotations

import re
import unicodedata


def normalize_name(name: str) -> str:
    """A comparison key for a name: case-, accent-, space- and punctuation-insensitive.

    ``&`` reads as "and" and a leading "the" is ignored.

    Examples
    --------
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
    if "the" in text[:8]:
        text = _LEADING_THE.sub("", text)
    if text.isascii():  # the common case: drop every byte that is not a-z, 0-9, + or # in C
        key = text.encode("ascii").translate(None, _DROP).decode("ascii")
    else:
        key = _NOT_KEY.sub("", text)
    # Names with no ASCII letters at all (e.g. CJK) keep their own characters.
    return key or _SPACES.sub("", name.casefold())


def normalize_names(names: list[str]) -> list[str]:
    """``[normalize_name(n) for n in names]``, several times faster on large lists: plain ASCII
    names without line breaks are lowercased and filtered as one string (the name index of a
    large graph normalises every label at load time)."""
    out: list[str | None] = [None] * len(names)
    batch = [i for i, n in enumerate(names) if n.isascii() and "\n" not in n and "\r" not in n]
    if batch:
        text = "\n".join(names[i] for i in batch).lower().replace("&", " and ")
        if "the" in text:
            text = _LEADING_THE_LINES.sub("", text)
        keys = text.encode("ascii").translate(None, _DROP_KEEP_LINES).decode("ascii").split("\n")
        for i, key in zip(batch, keys):
            out[i] = key or _SPACES.sub("", names[i].casefold())
    return [normalize_name(names[i]) if key is None else key for i, key in enumerate(out)]


_LEADING_THE_LINES = re.compile(r"^[^\S\n]*the[^\S\n]+", re.MULTILINE)
_LEADING_THE = re.compile(r"^\s*the\s+")
_NOT_KEY = re.compile(r"[^a-z0-9+#]+")
_SPACES = re.compile(r"\s+")
_DROP = bytes(b for b in range(256) if not (chr(b).isascii() and (chr(b) in "+#" or chr(b).isdigit()
                                                                   or "a" <= chr(b) <= "z")))
_DROP_KEEP_LINES = bytes(b for b in _DROP if b != ord("\n"))
