"""Writing a build: each RDF serialisation, deterministic for one input; every file staged
aside first, then moved in place with Ctrl-C and SIGTERM held back, so an interrupted or
failed build leaves the previous one whole."""
from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from ..errors import OutputError
from ..files import scratch_dir
from ..model import ntriples
from ..model.layout import STEM
from ..model.load import union_graph
from ..model.namespaces import PREFIXES, bind_prefixes


def _json_bytes(data) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def check_output_dir(out_dir) -> None:
    """Raise :class:`OutputError` unless a build could be written into ``out_dir``.

    Called before the work, so a folder that cannot be written fails at once rather than after
    the whole build. Nothing is created: the probe is a scratch folder, made and removed again,
    in ``out_dir`` or its nearest existing ancestor (where ``mkdir -p`` would start)."""
    import tempfile

    out_dir = Path(out_dir)
    existing = out_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write to {out_dir}: {existing} is a file, not a folder; choose another folder")
    try:
        Path(tempfile.mkdtemp(prefix=".probe-", dir=existing)).rmdir()
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}; choose a writable folder") from None


def _jsonld(union) -> str:
    context = {p: str(ns) for p, ns in PREFIXES.items()}
    doc = json.loads(union.serialize(format="json-ld", context=context, auto_compact=True))
    if isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda n: json.dumps(n, sort_keys=True))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _trig(ds) -> str:
    """TriG with the named graphs in IRI order (rdflib's serialiser follows set order)."""
    from rdflib import Graph

    header, blocks = None, []
    for graph in sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier)):
        sorted_graph = bind_prefixes(Graph())
        for triple in sorted(graph):
            sorted_graph.add(triple)
        text = sorted_graph.serialize(format="turtle")
        # Split on LF only: str.splitlines() also splits at U+2028, form feeds, ... inside
        # literals. Lines are not indented, as a line may continue a multi-line """literal""".
        lines = text.split("\n")
        start = next((i for i, line in enumerate(lines) if not line.startswith("@prefix")), len(lines))
        prefixes, body = lines[:start], lines[start:]  # a literal's line may start with "@prefix" too
        header = sorted(set(header or []) | set(prefixes))
        blocks.append(f"<{graph.identifier}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    return "\n".join(header or []) + "\n\n" + "\n".join(blocks)


def serialize_outputs(ds, union=None) -> dict[str, bytes]:
    """File name → content for every RDF output of a build. Deterministic for one input.

    ``union`` is ``union_graph(ds)`` when the caller already has it."""
    union = union if union is not None else union_graph(ds)
    return {
        f"{STEM}.ttl": union.serialize(format="turtle").encode("utf-8"),
        f"{STEM}.nt": "".join(ntriples.triple_lines(union)).encode("utf-8"),
        f"{STEM}.jsonld": _jsonld(union).encode("utf-8"),
        f"{STEM}.trig": _trig(ds).encode("utf-8"),
        f"{STEM}.nq": "".join(ntriples.quad_lines(ds)).encode("utf-8"),
    }


def stage_outputs(out_dir, contents: dict[str, bytes]) -> Path:
    """Write every file into a staging folder inside ``out_dir``; returns the folder. Nothing
    in ``out_dir`` changes until :func:`commit_outputs`, so a failure leaves the previous build."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = scratch_dir(out_dir, ".staging-")
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}; choose a writable folder") from None
    try:
        for name, data in contents.items():
            (staging / name).write_bytes(data)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write to {out_dir}: {exc.strerror}") from None
        raise
    return staging


def commit_outputs(out_dir, staging: Path, names: list[str]) -> None:
    """Move the staged ``names`` into ``out_dir``, in that order (each rename is atomic). The
    caller removes the staging folder."""
    out_dir = Path(out_dir)
    try:
        for name in names:
            (staging / name).replace(out_dir / name)
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}") from None


@contextlib.contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM back while the build is put in place: a signal that comes
    meanwhile is noted, and acted on as usual right after (Python runs signal handlers in
    the main thread, so this holds whichever thread the OS delivered it to)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = {sig: signal.signal(sig, lambda number, _frame: caught.append(number))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # e.g. KeyboardInterrupt for Ctrl-C
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])
