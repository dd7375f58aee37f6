"""Find substitutes for a tool: ranked, explained, filtered.

The build precomputes a compact index (``build/index.json``): every name and alias, a profile
of each technology (delivery model, languages, industries, providers) and its substitutes
ranked by the substitutability weight of :mod:`mlops_kg.analysis.substitutability`, with the evidence. The
``substitutes`` command only reads that index: no Turtle parsing, no inference, no rdflib.

The index is looked up, not parsed whole, so a fresh ``mlops-kg substitutes NAME`` costs about
the same with 50 tools or 50,000. It is one JSON document laid out one record per line
(:func:`index_bytes`): a first line (the header) gives the format version and where each line
starts; then every node's names (read only to explain an unknown or ambiguous name), the
normalised names in sorted blocks (a look-up bisects the header's first key of each block and
reads one line), one line per technology with its profile, and one with its ranked
substitutes. A look-up reads the header, one block, and the tool's two lines (plus a
candidate's profile line for each candidate a filter checks). The CLI rebuilds the index (with
:func:`mlops_kg.build.locate.ensure_build`) when any input file has changed; this module only reads.
"""
from __future__ import annotations

import json
import os
from bisect import bisect_right
from collections.abc import Mapping
from pathlib import Path

from ..errors import AmbiguousNameError, MlopsKgError
from ..model.layout import INDEX, INDEX_VERSION, damaged_build

MAX_PER_TOOL = 50
MLO = "https://w3id.org/mlops-kg/ontology#"
_NAMED_KINDS = ("tool", "service", "platform", "language", "framework", "industry", "provider", "capability")
#: Normalised names per line of the index's name blocks: a look-up parses one such line.
KEYS_PER_LINE = 32
#: How the index file starts: its first line is this, the header object, then ``,`` and a newline.
_HEAD = b'{"index": '
#: Kinds of name a look-up asks for (see :data:`mlops_kg.sources.resolve.KIND_CLASSES`).
_LOOKUP_KINDS = ("tool", "service", "language", "framework", "industry", "provider", "capability", "node")


def make_index(graph, analysis) -> dict:
    """The substitutes index for a build (see module docstring), as a dict: ``version``,
    ``names`` (IRI → label, names, classes), ``technologies`` (IRI → profile) and
    ``substitutes`` (IRI → ``[[other, weight, reasons], ...]``, best first). ``graph`` is the
    union rdflib Graph of the build or an embedded store holding it. :func:`index_bytes` lays
    it out as the file; :func:`find_substitutes` also answers from the dict itself."""
    from ..model.iris import iri_kind
    from ..sources.resolve import Resolver

    resolver = Resolver.from_graph(graph) if hasattr(graph, "subject_objects") else Resolver.for_store(graph)
    names = {iri: e for iri, e in resolver.to_json().items() if iri_kind(iri) in _NAMED_KINDS}
    techs = {}
    for iri, p in sorted(analysis.profiles.items()):
        techs[iri] = {"label": p.label, "kind": p.kind, "delivery": sorted(p.delivery),
                      "languages": sorted(p.languages), "industries": sorted(p.industries),
                      "providers": sorted(p.providers), "capabilities": sorted(p.capabilities),
                      "offered_by": sorted(p.offered_by),
                      "equivalent_on": sorted(p.providers - p.offered_by),
                      "tech_kind": p.tech_kind, "kind_label": analysis.labels.get(p.tech_kind, ""),
                      "primary": p.primary, "status": p.status or None,
                      "successors": sorted(p.successors), "osi": p.osi, "has_industry": bool(p.industries)}
    ranked = {iri: [[other, weight, list(reasons)] for other, weight, reasons in  # directional: other for iri
                    analysis.substitutes(iri, MAX_PER_TOOL)] for iri in sorted(analysis.profiles)}
    cluster_of = {m: c["name"] for m, c in analysis.cluster_of().items()}
    for iri, name in cluster_of.items():
        techs[iri]["cluster"] = name
    return {"version": INDEX_VERSION, "names": names, "technologies": techs, "substitutes": ranked}


def _dumps(value) -> bytes:
    """One index line: compact JSON, keys sorted, UTF-8 (deterministic bytes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _layout(index: dict) -> tuple[list, list, list, list, list]:
    """The index's lines: ``(names, first_keys, blocks, profiles, rankings)``.

    ``names``: ``[iri, {"label", "names", "classes"}]`` per node; ``blocks``: dicts of
    normalised name → ``[[iri, label, kinds, record number or None], ...]``, in key order,
    :data:`KEYS_PER_LINE` keys each, ``first_keys`` their first keys; ``profiles``: each
    technology's profile with its ``iri``, by record number (IRI order); ``rankings``: each
    technology's substitutes, ``[[iri, label, weight, reasons, record number], ...]``, best
    first, by the same number (a filter reads the candidates' small profile lines only)."""
    from ..model.names import normalize_names
    from ..sources.resolve import KIND_CLASSES

    names, techs, ranked = index["names"], index["technologies"], index["substitutes"]
    order = sorted(techs)
    number = {iri: i for i, iri in enumerate(order)}
    profiles = [dict(techs[iri], iri=iri) for iri in order]
    rankings = [[[other, techs[other]["label"], weight, reasons, number[other]]
                 for other, weight, reasons in ranked.get(iri, [])] for iri in order]
    pairs = [(iri, name) for iri, entry in sorted(names.items()) for name in entry["names"]]
    by_key: dict[str, set] = {}
    for (iri, _name), key in zip(pairs, normalize_names([name for _iri, name in pairs])):
        by_key.setdefault(key, set()).add(iri)
    kinds = {}
    for iri, entry in names.items():
        classes = set(entry["classes"])
        kinds[iri] = [k for k in _LOOKUP_KINDS if k != "node" and (KIND_CLASSES[k] & classes)]
    keys = sorted(by_key)
    blocks = [{key: [[iri, names[iri]["label"], kinds[iri], number.get(iri)] for iri in sorted(by_key[key])]
               for key in keys[start:start + KEYS_PER_LINE]} for start in range(0, len(keys), KEYS_PER_LINE)]
    return sorted([iri, entry] for iri, entry in names.items()), keys[::KEYS_PER_LINE], blocks, profiles, rankings


def _kinds(techs: dict) -> dict:
    """Kind IRI → label of the technologies of an index (for ``--kind``)."""
    return {t["tech_kind"]: t.get("kind_label") or t["tech_kind"].rsplit("/", 1)[-1]
            for _iri, t in sorted(techs.items()) if t.get("tech_kind")}


def index_bytes(index: dict) -> bytes:
    """The file ``build/index.json`` for an index made by :func:`make_index`: deterministic bytes.

    One JSON object (``json.load`` reads it whole), laid out one record per line so that a
    look-up reads only the lines it needs. The first line is ``{"index": HEADER,`` where
    HEADER gives the ``version``, the ``size`` of the rest in bytes, each section's byte
    ``span`` (names, keys, technologies, substitutes), the ``first_keys`` of the name blocks
    and the byte offset of every name block, technology line and ranking line, all counted
    from the end of the first line.

    Examples
    --------
    >>> data = index_bytes({"names": {}, "technologies": {}, "substitutes": {}})
    >>> json.loads(data)["index"]["size"] == len(data.split(b"\\n", 1)[1])
    True
    """
    names, first_keys, blocks, profiles, rankings = _layout(index)
    body, offsets, spans = [], {"keys": [], "technologies": [], "substitutes": []}, {}
    position = 0

    def add(chunk: bytes) -> int:
        nonlocal position
        body.append(chunk)
        start, position = position, position + len(chunk)
        return start

    sections = (("names", names), ("keys", blocks), ("technologies", profiles), ("substitutes", rankings))
    for section, lines in sections:
        add(f'"{section}": [\n'.encode())
        start = position
        for i, line in enumerate(lines):
            at = add(_dumps(line) + (b",\n" if i < len(lines) - 1 else b"\n"))
            if section in offsets:
                offsets[section].append(at)
        spans[section] = [start, position]
        add(b"],\n" if section != "substitutes" else b"]}\n")
    header = {"version": INDEX_VERSION, "size": position, "spans": spans, "first_keys": first_keys,
              "kinds": _kinds(index["technologies"]), **offsets}
    return b"".join([_HEAD, _dumps(header), b",\n", *body])


class _View:
    """What :func:`find_substitutes` reads from an index, wherever it is kept: the name
    entries of one normalised name, technology records by number, and (for unknown or
    ambiguous names only) every node's names for the full :class:`~mlops_kg.sources.resolve.Resolver`."""

    _resolver = None

    def entries(self, key: str) -> list:
        raise NotImplementedError

    def profiles(self, numbers: list[int]) -> list[dict]:
        raise NotImplementedError

    def tool(self, number: int) -> tuple[dict, list]:
        raise NotImplementedError

    def names(self) -> dict:
        raise NotImplementedError

    def kinds(self) -> dict:
        """Kind IRI → label, of every kind a technology of the index has."""
        raise NotImplementedError

    def label(self, iri: str) -> str:
        """The label of a node, from its names (the whole names section: rare, for successors)."""
        return self.names().get(iri, {}).get("label", iri)

    def resolver(self):
        """The full resolver (vendor prefixes, compact IRIs, suggestions, errors), made once."""
        if self._resolver is None:
            from ..sources.resolve import Resolver

            self._resolver = Resolver.from_json(self.names())
        return self._resolver

    def resolve(self, name, kinds: tuple[str, ...]) -> tuple[str, str, int | None]:
        """``(iri, label, record number or None)`` of ``name`` as the first of ``kinds`` that
        matches, as :meth:`mlops_kg.sources.resolve.Resolver.resolve_iri` resolves it.

        A plain name that matches exactly one node of the kind by its normalised form is
        answered from its one block of names; anything else (a compact IRI, a parenthetical,
        several or no matches: vendor prefixes, suggestions, the errors) goes to the full
        resolver, which gives the same answer for the plain names too."""
        text = name.strip() if isinstance(name, str) else ""
        if text and ":" not in text and "(" not in text:
            from ..model.names import normalize_name

            entries = self.entries(normalize_name(text))
            for kind in kinds:
                hits = [e for e in entries if kind in e[2]]
                if len(hits) == 1:
                    return hits[0][0], hits[0][1], hits[0][3]
                if hits or kind in ("tool", "service"):
                    break  # ambiguous, or a product name that may carry a vendor prefix
        resolver = self.resolver()
        iri = _resolve(resolver, name, kinds)
        return iri, resolver.label(iri), self._number(iri)

    def _number(self, iri: str) -> int | None:
        """The record number of ``iri`` (None for a node that is no technology), found under
        one of its names."""
        from ..model.names import normalize_name

        for alias in self.names().get(iri, {}).get("names", ()):
            for entry in self.entries(normalize_name(alias)):
                if entry[0] == iri:
                    return entry[3]
        return None


class _MemoryView(_View):
    """A view of an index held as a dict (:func:`make_index`), for library calls in a loop."""

    def __init__(self, index: dict):
        self._names, _first, blocks, self._profiles, self._rankings = _layout(index)
        self._kinds = _kinds(index["technologies"])
        self._keys = {key: entries for block in blocks for key, entries in block.items()}

    def entries(self, key):
        return self._keys.get(key, [])

    def profiles(self, numbers):
        return [self._profiles[n] for n in numbers]

    def tool(self, number):
        return self._profiles[number], self._rankings[number]

    def names(self):
        return dict(self._names)

    def kinds(self):
        return dict(self._kinds)


class SubstitutesIndex(_View, Mapping):
    """The index of a build (``build/index.json``), read line by line as look-ups need it.

    Also a read-only mapping with the keys of :func:`make_index` (``version``, ``names``,
    ``technologies``, ``substitutes``), each read whole on first use: for library users and
    tests that walk the whole index.
    """

    def __init__(self, path):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as f:
                line = f.readline()
                size = os.fstat(f.fileno()).st_size
        except OSError:
            raise damaged_build(self.path) from None
        if not (line.startswith(_HEAD) and line.endswith(b",\n")):
            raise damaged_build(self.path, "made by another version of mlops-kg, or not an index")
        try:
            header = json.loads(line[len(_HEAD):-2])
        except ValueError:
            raise damaged_build(self.path) from None
        if not isinstance(header, dict) or header.get("version") != INDEX_VERSION:
            raise damaged_build(self.path, "made by another version of mlops-kg, or not an index")
        self._base, self._header, self._whole = len(line), header, {}
        try:
            self._first_keys = header["first_keys"]
            self._key_offsets, self._tech_offsets = header["keys"], header["technologies"]
            self._ranking_offsets = header["substitutes"]
            complete = size == self._base + header["size"]
        except (KeyError, TypeError):
            complete = False
        if not complete:
            raise damaged_build(self.path, "cut short or changed since it was written")

    def _lines(self, offsets: list[int]) -> list:
        try:
            with open(self.path, "rb") as f:
                out = []
                for offset in offsets:
                    f.seek(self._base + offset)
                    out.append(json.loads(f.readline().rstrip(b"\n").rstrip(b",")))
                return out
        except (OSError, ValueError, TypeError):
            raise damaged_build(self.path) from None

    def _section(self, name: str) -> list:
        try:
            start, end = self._header["spans"][name]
            with open(self.path, "rb") as f:
                f.seek(self._base + start)
                return json.loads(b"[" + f.read(end - start) + b"]")
        except (OSError, ValueError, TypeError, KeyError):
            raise damaged_build(self.path) from None

    def entries(self, key):
        """The nodes a normalised name ``key`` names: ``[[iri, label, kinds, record number or
        None], ...]``, read from the one block of names that holds the key."""
        at = bisect_right(self._first_keys, key) - 1
        if at < 0:
            return []
        block = self._lines([self._key_offsets[at]])[0]
        return block.get(key, []) if isinstance(block, dict) else []

    def profiles(self, numbers):
        """The profiles (``iri``, ``label``, ``languages``, ...) of these record numbers."""
        return self._lines([self._tech_offsets[n] for n in numbers])

    def tool(self, number):
        """``(profile, ranked substitutes)`` of one record number, read in one pass."""
        profile, ranking = self._lines([self._tech_offsets[number], self._ranking_offsets[number]])
        return profile, ranking

    def kinds(self):
        """Kind IRI → label (from the header)."""
        return dict(self._header.get("kinds", {}))

    def names(self):
        """Every node's label, names and classes (the whole names section, read once)."""
        if "names" not in self._whole:
            self._whole["names"] = dict(self._section("names"))
        return self._whole["names"]

    # --- the mapping of make_index's keys, read whole -------------------------------------
    _KEYS = ("version", "names", "technologies", "substitutes")

    def __getitem__(self, key):
        if key not in self._KEYS:
            raise KeyError(key)
        if key == "version":
            return self._header["version"]
        if key == "names":
            return self.names()
        if "profiles" not in self._whole:
            self._whole["profiles"] = self._section("technologies")
        profiles = self._whole["profiles"]
        if key == "technologies":
            return {p["iri"]: {k: v for k, v in p.items() if k != "iri"} for p in profiles}
        return {p["iri"]: [[other, weight, reasons] for other, _label, weight, reasons, _n in ranking]
                for p, ranking in zip(profiles, self._section("substitutes"))}

    def __iter__(self):
        return iter(self._KEYS)

    def __len__(self):
        return len(self._KEYS)


def load_index(build_dir) -> SubstitutesIndex:
    """The index of the build in ``build_dir`` (never builds: see :mod:`mlops_kg.build.locate`).

    Only its first line is read here; look-ups read the lines they need (see
    :class:`SubstitutesIndex`). A missing, damaged or old-version file is a
    :class:`~mlops_kg.errors.DataFileError` naming the command that writes it again."""
    return SubstitutesIndex(Path(build_dir) / INDEX)


def _view(index) -> _View:
    if isinstance(index, _View):
        return index
    view = index.get("_view")
    if view is None:  # made once per index dict: repeated look-ups stay fast
        view = index["_view"] = _MemoryView(index)
    return view


def resolver_of(index):
    """The full name resolver (:class:`mlops_kg.sources.resolve.Resolver`) of ``index``
    (:func:`load_index`'s or :func:`make_index`'s), made once per index."""
    return _view(index).resolver()


def _resolve(resolver, name: str, kinds: tuple[str, ...]) -> str:
    """Resolve ``name`` as the first of ``kinds`` that matches; errors name the first kind."""
    last_error = None
    for kind in kinds:
        try:
            return resolver.resolve_iri(name, kind)
        except AmbiguousNameError:
            raise
        except MlopsKgError as exc:
            last_error = last_error or exc
    raise last_error


#: Statuses left out by default (see mlops_kg.analysis.substitutability.RETIRED_STATUSES; not
#: imported from there, which would load rdflib on the fast path).
_RETIRED = ("archived", "sunset")


def _retired(profile: dict) -> bool:
    return profile.get("status") in _RETIRED or bool(profile.get("successors"))


def _kind_key(text: str) -> str:
    from ..model.names import normalize_name

    return normalize_name(text.replace("-", " "))


def find_substitutes(index, name: str, *, top: int = 5, language: str | None = None,
                     industry: str | None = None, provider: str | None = None,
                     offered_by: str | None = None, equivalent_on: str | None = None,
                     capability: str | None = None, kind: str | None = None,
                     open_source: bool = False, managed: bool = False,
                     include_inactive: bool = False) -> dict:
    """Ranked substitutes for the tool ``name`` (forgiving name resolution).

    ``index`` is :func:`load_index`'s (a build's file) or :func:`make_index`'s (a dict).
    Archived and sunset technologies, and those with a successor, are left out unless
    ``include_inactive``; every substitute says its ``status``. Filters keep substitutes that
    use ``language`` (a language or framework), have ``capability``, are of ``kind`` (a kind's
    label or slug: "experiment tracker"), are offered by ``offered_by``, have a cloud
    equivalent on ``equivalent_on``, either (``provider``), have an OSI-approved licence
    (``open_source``), or are managed cloud services. With ``industry``, substitutes used in it
    come first; candidates with no industry data at all follow, flagged ``"industry":
    "unknown"``, instead of being dropped silently. Returns ``{"tool": {"label", "iri",
    "status", "successors"}, "substitutes": [{"label", "iri", "score", "reasons", "status",
    "kind"}], "filters": {...}}``; ties are broken by label, then IRI.
    """
    if top is None or top < 1:
        raise MlopsKgError(f"--top must be at least 1, got {top}")
    if open_source and managed:
        raise MlopsKgError("--open-source and --managed exclude each other; give one")
    view = _view(index)
    tool, label, number = view.resolve(name, ("tool",))
    if number is None:
        raise MlopsKgError(f"{label!r} is not a tool, service or platform")
    filters, checks = {}, []
    if language is not None:
        lang, filters["language"], _n = view.resolve(language, ("language", "framework"))
        checks.append(lambda t: lang in t["languages"])
    if capability is not None:
        cap, filters["capability"], _n = view.resolve(capability, ("capability",))
        checks.append(lambda t: cap in t["capabilities"])
    if kind is not None:
        kinds = view.kinds()
        wanted = _kind_key(kind)
        hits = [k for k, kind_label in kinds.items()
                if wanted in (_kind_key(k.rsplit("/", 1)[-1]), _kind_key(kind_label))]
        if not hits:
            known = ", ".join(sorted(k.rsplit("/", 1)[-1] for k in kinds))
            raise MlopsKgError(f"unknown kind {kind!r}; known kinds: {known}")
        filters["kind"] = kinds[hits[0]]
        checks.append(lambda t: t.get("tech_kind") == hits[0])
    for option, value, field in (("provider", provider, "providers"), ("offered_by", offered_by, "offered_by"),
                                 ("equivalent_on", equivalent_on, "equivalent_on")):
        if value is not None:
            prov, filters[option], _n = view.resolve(value, ("provider",))
            checks.append(lambda t, prov=prov, field=field: prov in t.get(field, ()))
    if open_source:
        filters["open_source"] = True
        checks.append(lambda t: t.get("osi") is True)
    if managed:
        filters["managed"] = True
        checks.append(lambda t: "ManagedService" in t["delivery"])
    if not include_inactive:
        checks.append(lambda t: not _retired(t))
    else:
        filters["include_inactive"] = True
    ind = None
    if industry is not None:
        ind, filters["industry"], _n = view.resolve(industry, ("industry",))
    profile, ranking = view.tool(number)
    kept, unknown, step = [], [], max(top, 8)
    # the candidates' small profile lines, a few at a time, until `top` pass
    for start in range(0, len(ranking), step):
        chunk = ranking[start:start + step]
        for row, other in zip(chunk, view.profiles([row[4] for row in chunk])):
            if not all(check(other) for check in checks):
                continue
            if ind is not None and ind not in other["industries"]:
                if not other["industries"]:
                    unknown.append((row, other))
                continue
            kept.append((row, other))
        if len(kept) >= top:
            break
    chosen = kept[:top] + unknown[:max(0, top - len(kept))]
    found = []
    for (other, other_label, weight, reasons, _n), other_profile in chosen:
        entry = {"label": other_label, "iri": other, "score": round(weight, 3), "reasons": reasons,
                 "status": other_profile.get("status"), "kind": other_profile.get("kind_label") or None}
        if ind is not None and not other_profile["industries"]:
            entry["industry"] = "unknown"
        found.append(entry)
    successors = [{"iri": s, "label": view.label(s)} for s in profile.get("successors", [])]
    answer = {"tool": {"label": profile["label"], "iri": tool, "status": profile.get("status"),
                       "kind": profile.get("kind_label") or None, "successors": successors},
              "substitutes": found, "filters": filters}
    if (checks or ind) and len(found) < top and len(ranking) >= MAX_PER_TOOL:
        # the index keeps each tool's strongest MAX_PER_TOOL candidates: weaker ones that pass
        # the filters exist perhaps, but were not searched
        answer["searched"] = len(ranking)
    return answer
