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
from ..model.namespaces import PREFIXES


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


def _prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}


def _sorted_header(text: bytes) -> bytes:
    """Oxigraph writes the ``@prefix`` lines first in an order of its own: sort them, so the
    bytes never depend on it (the body starts at the first other line)."""
    lines = text.split(b"\n")
    start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    return b"\n".join(sorted(lines[:start]) + lines[start:])


def _ox_triples(lines):
    """pyoxigraph triples from N-Triples lines (those of :mod:`mlops_kg.model.ntriples`)."""
    import pyoxigraph as ox

    return ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)


def _turtle(lines) -> bytes:
    """Turtle of the sorted N-Triples ``lines``, written by Oxigraph (rdflib's serialiser took
    about 15 s for the landscape graph; Oxigraph well under one): statements grouped by subject
    in sorted order, our prefixes."""
    import pyoxigraph as ox

    return _sorted_header(ox.serialize(_ox_triples(lines), format=ox.RdfFormat.TURTLE, prefixes=_prefixes()))


def _trig(quad_lines) -> bytes:
    """TriG with the named graphs in IRI order, each graph's statements sorted, written by
    Oxigraph from N-Quads lines given graph by graph (those of the .nq file): parsed by Oxigraph
    too, as building each quad in Python cost a second on the landscape graph."""
    import pyoxigraph as ox

    quads = ox.parse("".join(quad_lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return _sorted_header(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes()))


def _jsonld(lines) -> bytes:
    """JSON-LD (expanded form: full IRIs, no context to fetch or apply), written by Oxigraph,
    then its nodes sorted and indented so the file diffs well."""
    import pyoxigraph as ox

    doc = json.loads(ox.serialize(_ox_triples(lines), format=ox.RdfFormat.JSON_LD))
    nodes = doc if isinstance(doc, list) else doc.get("@graph", [doc])
    ids = [node.get("@id") for node in nodes]
    if None not in ids and len(set(ids)) == len(ids) and all(min(node) == "@id" for node in nodes):
        # Each node's text starts with its "@id" (the least key), which no two share: the ids'
        # JSON strings give the order of the whole texts without writing each node out.
        nodes.sort(key=lambda node: json.dumps(node["@id"], ensure_ascii=False))
    else:
        nodes.sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    return (_indented(nodes) + "\n").encode("utf-8")


def _indented(data) -> str:
    """``json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)``, the same text in half
    the time: with ``indent`` json encodes in pure Python, a generator step per token (a
    second for the landscape's JSON-LD). Strings go through json's own (C) string encoder.

    Examples
    --------
    >>> data = [{"b": [1, 2.5, True, None, {}, []], "a": "\u2028é\\n"}]
    >>> _indented(data) == json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
    True
    """
    from json.encoder import encode_basestring as enc

    out: list[str] = []
    add = out.append

    def emit(value, pad: str) -> None:
        if isinstance(value, str):
            add(enc(value))
        elif isinstance(value, (dict, list)) and value:
            inner = pad + " "
            if isinstance(value, dict):
                sep, items, close = "{" + inner, ((enc(k) + ": ", value[k]) for k in sorted(value)), pad + "}"
            else:
                sep, items, close = "[" + inner, (("", v) for v in value), pad + "]"
            for head, item in items:
                if isinstance(item, str):
                    add(sep + head + enc(item))
                else:
                    add(sep + head)
                    emit(item, inner)
                sep = "," + inner
            add(close)
        else:
            add(json.dumps(value))  # numbers, true/false/null, {} and []

    emit(data, "\n")
    return "".join(out)


def serialize_outputs(ds, union=None, lines=None) -> dict[str, bytes]:
    """File name → content for every RDF output of a build. Deterministic for one input.

    Each statement is written as N-Triples once (:func:`mlops_kg.model.ntriples.term`); the
    .nt, .nq and, through Oxigraph, the .ttl, .trig and .jsonld files are made from those lines.
    ``lines`` maps graph names to the N-Triples lines of graphs made as text rather than held in
    ``ds`` (the build writes its analysis graph so: :func:`mlops_kg.analysis.rdf.statement_lines`).
    ``union`` is accepted for callers that have the merged graph; the merge is the set of every
    graph's statements, so it is not needed."""
    from ..model.load import default_graph

    default = default_graph(ds).identifier
    graphs = {g.identifier: g for g in ds.graphs() if len(g)}
    given = {name: text for name, text in (lines or {}).items() if text}
    per_graph, quads, merged = [], set(), set()
    for name in sorted(set(graphs) | set(given), key=str):
        graph_lines = sorted(set(given[name])) if name in given else ntriples.triple_lines(graphs[name])
        merged.update(graph_lines)
        if name == default:
            quads.update(graph_lines)
        else:
            suffix = f" {ntriples.term(name)} .\n"
            named = [line[:-3] + suffix for line in graph_lines]  # each line ends with " .\n"
            per_graph.extend(named)
            quads.update(named)
    merged = sorted(merged)
    return {
        f"{STEM}.ttl": _turtle(merged),
        f"{STEM}.nt": "".join(merged).encode("utf-8"),
        f"{STEM}.jsonld": _jsonld(merged),
        f"{STEM}.trig": _trig(per_graph),
        f"{STEM}.nq": "".join(sorted(quads)).encode("utf-8"),
    }


def make_output_dir(out_dir) -> Path:
    """Create ``out_dir`` (and its parents) if need be; an :class:`OutputError` if it cannot be."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}; choose a writable folder") from None
    return out_dir


def stage_outputs(out_dir, contents: dict[str, bytes]) -> Path:
    """Write every file into a staging folder inside ``out_dir``; returns the folder. Nothing
    in ``out_dir`` changes until :func:`commit_outputs`, so a failure leaves the previous build."""
    out_dir = make_output_dir(out_dir)
    try:
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
