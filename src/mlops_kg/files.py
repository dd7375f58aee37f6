"""Atomic file output: write a temp file beside the target, then rename over it."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import DataFileError, OutputError


@contextmanager
def atomic_path(target, suffix: str = ""):
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: folder {parent} does not exist; create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder") from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk or quota, a file-size limit, ...
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}; free some space or "
                              "write elsewhere") from None
        raise


def write_text(target, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def read_text(path, *, expected: str = "a text file", error=DataFileError) -> str:
    """Read UTF-8 text (a BOM is dropped); every failure is one ``error`` naming the file."""
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: file not found; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected {expected}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None


def scratch_dir(parent, prefix: str) -> Path:
    """A new scratch folder in ``parent`` named ``<prefix><pid>-<random>``. Folders with the
    same prefix left by a process that no longer runs (one killed with ``kill -9`` half-way)
    are removed first; a running process's are left alone."""
    parent = Path(parent)
    for old in parent.glob(f"{prefix}*"):
        owner = re.match(re.escape(prefix) + r"(\d+)-", old.name)
        if owner and old.is_dir() and not _running(int(owner[1])):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


#: What a terminal acts on or uses to reorder text: Unicode category Cc (C0, DEL, C1 such as
#: CSI U+009B), the bidi marks, embeddings, overrides and isolates, the line and paragraph
#: separators, and lone surrogates (which cannot even be encoded).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\u2028\u2029\ud800-\udfff]")
_UNSAFE_OR_BACKSLASH = re.compile(_UNSAFE.pattern[:-1] + "\\\\]")


def terminal_safe(text: str, *, keep: str = "", backslash: bool = False) -> str:
    """``text`` with every character a terminal would act on, or that reorders what it shows,
    written as an escape: ``\\xNN`` below U+0100, ``\\uXXXX`` above (ESC is ``\\x1b``, CSI
    ``\\x9b``, RIGHT-TO-LEFT OVERRIDE ``\\u202e``, LINE SEPARATOR ``\\u2028``).

    The one rule for text printed to a terminal (query tables, import reports, the server log).
    ``keep`` names characters to leave as they are (a report's line breaks); ``backslash`` also
    doubles backslashes, so an escape shown cannot be confused with one that was sent."""
    def escape(match: re.Match) -> str:
        ch = match[0]
        if ch in keep:
            return ch
        if ch == "\\":
            return "\\\\"
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return (_UNSAFE_OR_BACKSLASH if backslash else _UNSAFE).sub(escape, text)
