"""Parsing and inspecting SPARQL before it runs: syntax errors with line and column, the query
form, and the features an endpoint must refuse (SERVICE, FROM / FROM NAMED, updates).

The checks read the query with rdflib's parser, but Oxigraph parses the text again, and the two
readers disagree on some texts (rdflib expands ``\\u`` escapes everywhere, Oxigraph only inside
strings and IRIs; Oxigraph also ends a comment at a carriage return). So every query is first made
*canonical* (:func:`canonical_query`): escapes expanded, line ends made ``\\n``, characters that
some reader may take for a line end refused. The canonical text is the one that is checked and
the one that runs: rdflib parses it (a SERVICE in the algebra is refused) and, on top of that,
:func:`mentions_service` refuses the word SERVICE wherever a reader could take it for the
keyword.

Every scan of query text goes through one tokenizer, :func:`tokens` (comments, short and long
strings, IRIs, prefixed names, variables, keywords, brackets): the safety checks
(:func:`mentions_service`, :func:`nesting`, the strings of :func:`canonical_query`) and the
rewrites (:func:`with_values`, :func:`substitute`, :func:`with_prefixes`,
:func:`has_dataset_clause`, :func:`star_order`). It only tells code from comments, strings and
IRIs; where it misreads (``1<2)SERVICE#>`` looks like an IRI), the parser's check is the one
that holds.

Our prefixes (``mlo:``, ``tool:``, ``skos:``, …) are predeclared: a query may use them without
``PREFIX`` lines.
"""
from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import QueryError
from ..model.namespaces import PREFIXES

#: The pieces of SPARQL in which nothing is SPARQL: a comment, a string (short or long, quotes
#: inside a long string and backslash escapes as the grammar has them), an IRI (regex sources).
COMMENT = r"""\#[^\n]*"""
STRING = "|".join([r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
                   r"'(?:[^'\\\n]|\\.)*'", r'"(?:[^"\\\n]|\\.)*"'])
#: IRIREF exactly as the SPARQL grammar has it: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'. It allows
#: ``#``, ``(`` and ``)``, so ``1<2)SERVICE#>`` looks like an IRI here while a parser reads
#: less-than: the tokens only tell code from what is not code, the parser check decides
#: (guard_offline).
IRI_REF = r"""<[^<>"{}|^`\\\x00-\x20]*>"""

#: The one tokenizer's pattern (:func:`tokens`). Order matters where two could start at one
#: place: a prefixed name (``tool:from``, ``ex:a\#b``) is one token, not a keyword and a comment.
_TOKEN = re.compile(f"""
    (?P<comment>{COMMENT}) | (?P<string>{STRING}) | (?P<iri>{IRI_REF})
  | (?P<var>[?$]\\w+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\\W\\d](?:[\\w.-]*[\\w-])?)?:(?:[\\w:%-]|\\\\[_~.!$&'()*+,;=/?\\#@%-]|\\.(?=[\\w:%-]))*)
  | (?P<word>[^\\W\\d]\\w*)
  | (?P<number>[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<open>\\{{) | (?P<close>\\}}) | (?P<lparen>\\() | (?P<rparen>\\)) | (?P<lbracket>\\[) | (?P<rbracket>\\])
  | (?P<star>\\*)
""", re.X | re.S)
#: Token kinds in which nothing is SPARQL code.
NOT_CODE = frozenset({"comment", "string", "iri"})


class Token(NamedTuple):
    """One token of SPARQL text: its ``kind``, its ``text`` and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        """Index just after the token."""
        return self.start + len(self.text)

    def is_word(self, *words: str) -> bool:
        """True when the token is a bare word (a keyword) equal to one of ``words``, ignoring case."""
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str):
    """The tokens of SPARQL ``text``, in order: the one scanner every rewrite and check here uses.

    Kinds: ``comment``, ``string`` (short and long), ``iri``, ``var`` (``?x``, ``$x``),
    ``langtag``, ``pname`` (a prefixed name or blank node label, ``tool:mlflow``, ``_:b``, or a
    ``PREFIX`` line's ``mlo:``), ``word`` (keywords, ``a``, function names), ``number``,
    ``open`` / ``close`` (braces), ``lparen`` / ``rparen``, ``lbracket`` / ``rbracket``,
    ``star``. Operators and punctuation (``.``, ``;``, ``=``, ``<`` that starts no IRI, ...) are
    not tokens: they are skipped. A keyword in a string, IRI, comment or prefixed name is not a
    ``word``.

    >>> [(t.kind, t.text) for t in tokens('SELECT ?x { ?x a tool:from } # LIMIT 1')]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('word', 'SELECT'), ('var', '?x'), ('open', '{'), ('var', '?x'), ('word', 'a'),
     ('pname', 'tool:from'), ('close', '}'), ('comment', '# LIMIT 1')]
    >>> [t.kind for t in tokens("'''a '' {b}''' 'c\\\\'d' <http://x/#(> x:a\\\\#b")]
    ['string', 'string', 'iri', 'pname']
    """
    for match in _TOKEN.finditer(text):
        yield Token(match.lastgroup, match.group(), match.start())


def code_tokens(text: str):
    """The tokens of ``text`` that are code: comments, strings and IRIs left out."""
    return (t for t in tokens(text) if t.kind not in NOT_CODE)


#: A codepoint escape as rdflib reads it before parsing: ``\\u`` or ``\\U`` (either case), then 4
#: or, greedily, 8 hex digits. Canonical text is rdflib's reading, so it uses the same rule.
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.I)
#: Control characters (other than tab and line ends), NEL, the Unicode line and paragraph
#: separators, surrogates and non-characters: a reader might end a comment at one or drop it.
_ODD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
#: SERVICE as a keyword could be read: not part of a longer name, variable or prefixed name.
#: Deliberately loose (``ex:a.service`` matches): a false refusal is better than a fetch.
_SERVICE_WORD = re.compile(r"(?<![A-Za-z0-9_?$:-])SERVICE(?![A-Za-z0-9_:-])", re.I)
#: Inside a string, characters that could end it or start something else under another reading;
#: a string holding one of them is searched for SERVICE as if it were code.
_DELIMITERS = re.compile(r"""['"\\#<>{}]""")


def canonical_query(text: str) -> str:
    """``text`` in the one form that rdflib and Oxigraph read alike, or :class:`QueryError`.

    ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes are expanded (everywhere, as the SPARQL grammar and
    rdflib say), ``\\r\\n`` and a lone ``\\r`` become ``\\n``, a leading byte-order mark is
    dropped. An escape that yields a control character (or NEL, U+2028, U+2029, ...) inside a
    string literal stays an escape (``\\n``, ``\\t``, ... or ``\\u2028``), which both readers
    turn into the same character of the string, so a query can search for any stored literal.
    Refused: an escape that spells another escape, an escape of a surrogate, and control
    characters other than tab and line ends (also NEL, U+2028, U+2029) written raw anywhere, or
    as an escape outside strings (an escaped line end becomes ``\\n``). Canonical text is its
    own canonical form.

    >>> canonical_query('ASK { # \\u0041\\r?s ?p ?o }')
    'ASK { # A\\n?s ?p ?o }'
    >>> canonical_query('ASK { ?s ?p "a\\\\u2028b\\\\u000A" }')
    'ASK { ?s ?p "a\\\\u2028b\\\\n" }'
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    pieces, escaped_controls, size, at = [], [], 0, 0
    for match in _CODEPOINT_ESCAPE.finditer(text):
        code = int(match[1], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"malformed SPARQL: {match[0]} is not a character; write the character itself")
        pieces.append(text[at:match.start()])
        size += match.start() - at
        if _CONTROL.match(chr(code)):
            escaped_controls.append(size)
        pieces.append(chr(code))
        size, at = size + 1, match.end()
    pieces.append(text[at:])
    expanded = "".join(pieces)
    again = _CODEPOINT_ESCAPE.search(expanded)
    if again:
        raise QueryError(f"malformed SPARQL: an escape that spells another escape ({again[0]}) is not "
                         "accepted; write the character itself")
    canonical = _keep_escaped(expanded, escaped_controls) if escaped_controls else expanded
    odd = _ODD_CHAR.search(canonical)
    if odd:
        line = canonical.count("\n", 0, odd.start()) + 1
        col = odd.start() - (canonical.rfind("\n", 0, odd.start()) + 1) + 1
        raise QueryError(f"malformed SPARQL at line {line}, column {col}: control character "
                         f"U+{ord(odd[0]):04X}; only tab and line ends may appear in a query, and inside a "
                         f"string only as an escape: write \\u{ord(odd[0]):04X} (or \\t, \\n) in quotes")
    return canonical


#: Characters an escape may only yield inside a string, where they are kept escaped: controls
#: (category Cc) and the other characters of _ODD_CHAR.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_ECHAR = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def _keep_escaped(expanded: str, positions: list[int]) -> str:
    """``expanded`` with the characters at ``positions`` (each from an escape) escaped again when
    they stand inside a string literal: an ECHAR for the five that have one (the grammar refuses
    a raw line end in a short string, even after rdflib expands ``\\u000A``), else ``\\uXXXX``.
    One right after a lone backslash would make that backslash an ECHAR of its own, so it is left
    raw and refused. Outside strings an escaped line end is a line end, anything else is refused."""
    masked = list(expanded)
    for pos in positions:  # read as a plain letter: an escaped line end does not end a string
        masked[pos] = "x"
    strings = [(t.start, t.end) for t in tokens("".join(masked)) if t.kind == "string"]
    out, at = [], 0
    for pos in positions:
        ch = expanded[pos]
        inside = any(start < pos < end - 1 for start, end in strings)
        backslashes = len(expanded[:pos]) - len(expanded[:pos].rstrip("\\"))
        if inside and backslashes % 2 == 0:
            replacement = _ECHAR.get(ch, f"\\u{ord(ch):04X}")
        elif not inside and ch == "\r":
            replacement = "\n"
        else:
            continue
        out.append(expanded[at:pos])
        out.append(replacement)
        at = pos + 1
    out.append(expanded[at:])
    return "".join(out)


def mentions_service(text: str) -> bool:
    """True when SERVICE appears in canonical ``text`` where some reader could take it for the
    keyword: in code, or in a string that holds a quote, backslash, ``#``, ``<``, ``>``, ``{`` or
    ``}``. Comments, IRIs and plain strings ("cloud service") do not count."""
    kept, at = [], 0
    for token in tokens(text):
        if token.kind not in NOT_CODE:
            continue
        kept.append(text[at:token.start])
        inner = token.text.strip("'\"")
        kept.append(" " + inner + " " if token.kind == "string" and _DELIMITERS.search(inner) else " ")
        at = token.end
    kept.append(text[at:])
    return bool(_SERVICE_WORD.search("".join(kept)))


def guard_offline(query) -> "ParsedQuery":
    """``query`` (text or a :class:`ParsedQuery`) parsed and checked, or :class:`QueryError` when
    it may call another endpoint (SERVICE): what an embedded store runs is the result's ``text``,
    so no query fetches. The regex check (:func:`mentions_service`) alone is not enough: rdflib's
    parser reads the canonical text as Oxigraph does where a pattern cannot (``1<2)SERVICE#>``)."""
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    if parsed.uses_service:
        raise QueryError(SERVICE_REFUSED)
    return parsed


SERVICE_REFUSED = "SERVICE is not allowed: queries here never call other endpoints (the word SERVICE " \
                  "is refused outside comments, IRIs and plain strings)"


_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
          "DescribeQuery": "describe"}


@dataclass
class ParsedQuery:
    """A query parsed and checked by :func:`parse_query`.

    Attributes
    ----------
    text
        The canonical text (:func:`canonical_query`): the one that was checked, and so the one
        to run.
    kind
        ``select``, ``ask``, ``construct`` or ``describe``.
    prepared
        rdflib's prepared query (parsed once; the rdflib store evaluates it).
    from_graphs, from_named_graphs
        The IRIs of its ``FROM`` and ``FROM NAMED`` clauses.
    uses_service
        True when it calls SERVICE, or the word could be read as the keyword.
    """
    text: str
    kind: str  # select | ask | construct | describe
    prepared: object  # rdflib's prepared Query (parsed once, reusable)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    uses_service: bool = False

    @property
    def returns_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, whose result is a graph."""
        return self.kind in ("construct", "describe")


def _names(node):
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _names(value)


def prefix_map() -> dict[str, str]:
    """Our predeclared prefixes, name → namespace IRI (``{"mlo": "https://w3id.org/mlops-kg/ontology#", ...}``)."""
    return {p: str(ns) for p, ns in PREFIXES.items()}


def parse_query(text: str) -> ParsedQuery:
    """Parse ``text`` as a SPARQL 1.1 query; raise :class:`QueryError` with line and column.

    The result's ``text`` is the canonical form (:func:`canonical_query`): the text that was
    checked, and so the one to run."""
    from rdflib.plugins.sparql import prepareQuery

    if not text or not text.strip():
        raise QueryError("empty query; give SPARQL text, a .rq file or the name of a named query")
    text = canonical_query(text)
    depth, at = nesting(text)
    if depth > MAX_NESTING:
        raise QueryError(f"query nested too deeply: {depth} levels of brackets and groups, the deepest at "
                         f"{_line_column(text, at)}; at most {MAX_NESTING} are supported: flatten it")
    try:
        if depth > 16:  # rdflib's parser recurses some 50 frames per level of brackets
            prepared = _with_deep_recursion(lambda: prepareQuery(text, initNs=prefix_map()))
        else:
            prepared = prepareQuery(text, initNs=prefix_map())
    except RecursionError:
        raise QueryError(f"query nested too deeply for the parser ({depth} levels of brackets and "
                         "groups); flatten it") from None
    except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise several kinds
        raise QueryError(_syntax_message(text, exc)) from None
    algebra = prepared.algebra
    from_graphs, from_named = [], []
    for clause in algebra.get("datasetClause") or []:
        # CompValue.get returns the key itself when it is missing, so test membership.
        if "default" in clause:
            from_graphs.append(str(clause["default"]))
        if "named" in clause:
            from_named.append(str(clause["named"]))
    return ParsedQuery(text=text, kind=_FORMS.get(algebra.name, algebra.name), prepared=prepared,
                       from_graphs=from_graphs, from_named_graphs=from_named,
                       uses_service="ServiceGraphPattern" in set(_names(algebra)) or mentions_service(text))


#: Deepest nesting of (), [] and {} accepted; rdflib parses it within PARSE_RECURSION_LIMIT.
MAX_NESTING = 64
PARSE_RECURSION_LIMIT = 12000
_RECURSION_LOCK = threading.Lock()


def nesting(text: str) -> tuple[int, int]:
    """``(depth, offset)``: the deepest nesting of brackets and groups in the code of ``text``
    (comments, strings and IRIs left out) and where it is first reached.

    An IRI that holds a bracket counts as code: ``1<2)((#>`` looks like an IRI to a pattern, but
    a parser reads less-than and brackets, so an overcount (a stricter limit) beats an undercount."""
    depth = deepest = where = 0
    for token in tokens(text):
        if token.kind in ("comment", "string"):
            continue
        for offset, char in enumerate(token.text):  # a bracket token, or brackets inside an IRI
            if char in "{([":
                depth += 1
                if depth > deepest:
                    deepest, where = depth, token.start + offset
            elif char in "})]":
                depth = max(depth - 1, 0)
    return deepest, where


def _line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _with_deep_recursion(work):
    """``work()`` with Python's recursion limit raised for rdflib's recursive-descent parser; one
    at a time, since the limit is process-wide (other threads only see a higher limit meanwhile)."""
    with _RECURSION_LOCK:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, PARSE_RECURSION_LIMIT))
        try:
            return work()
        finally:
            sys.setrecursionlimit(old)


def _syntax_message(text: str, exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    if is_update(text):
        return "this is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
    unknown = re.search(r"Unknown namespace prefix : (\S*)", str(exc))
    if unknown:
        prefix = unknown.group(1)
        at = next((t for t in tokens(text) if t.kind == "pname" and t.text.startswith(prefix + ":")), None)
        if at:
            line = text.count("\n", 0, at.start) + 1
            col = at.start - (text.rfind("\n", 0, at.start) + 1) + 1
        known = ", ".join(sorted(PREFIXES))
        where = f" at line {line}, column {col}" if at else ""
        return (f"malformed SPARQL{where}: unknown prefix '{prefix}:'; "
                f"declare it with PREFIX or use a predeclared one ({known})")
    why = getattr(exc, "msg", None) or str(exc).splitlines()[0]
    if re.match(r"Expected \{?SelectQuery \|", why):
        why = "expected SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX lines)"
    elif why == "Expected SelectQuery":  # the parser's name for "the query stops making sense here"
        why = "the query does not parse from here"
    where = f" at line {line}, column {col}" if line else ""
    near = ""
    if line and col:
        rest = text.splitlines()[line - 1][col - 1:].strip() if line <= len(text.splitlines()) else ""
        near = f", near {rest[:30]!r}" if rest else ", at the end of the line"
    return f"malformed SPARQL{where}{near}: {why}"


def is_update(text: str) -> bool:
    """True when ``text`` parses as a SPARQL 1.1 Update (INSERT, DELETE, LOAD, CLEAR, ...)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update
        return False
    return bool(parsed.get("request"))


def check_safe(parsed: ParsedQuery, loaded_graphs) -> None:
    """Refuse what could make the server fetch a URL or read a file: SERVICE, and FROM /
    FROM NAMED naming a graph that is not loaded (rdflib would try to fetch it)."""
    guard_offline(parsed)
    loaded = set(loaded_graphs)
    for iri in parsed.from_graphs + parsed.from_named_graphs:
        if iri not in loaded:
            raise QueryError(f"FROM <{iri}> names a graph that is not loaded; loaded graphs: "
                             + ", ".join(sorted(loaded)))


def star_order(text: str, variables: list[str]) -> list[str]:
    """For ``SELECT *``, ``variables`` in the order they first appear in the query (the order
    rdflib gives; SPARQL leaves it open and Oxigraph's differs); any other query's as given."""
    code = list(code_tokens(text))
    select = next((i for i, t in enumerate(code) if t.is_word("SELECT")), None)  # the query's own
    if select is None:
        return variables
    after = [t for t in code[select + 1:select + 3] if not t.is_word("DISTINCT", "REDUCED")]
    if not after or after[0].kind != "star":
        return variables
    first = {}
    for token in code:
        if token.kind == "var":
            first.setdefault(token.text[1:], token.start)
    return sorted(variables, key=lambda v: (first.get(v, len(text)), v))


# --- rewriting query text: parameters as VALUES, our prefixes, dataset clauses -------------
# (also used to send a query to a remote endpoint: see mlops_kg.query.remote)

_MODIFIERS = {"GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET"}


def _where_brace(text: str) -> int:
    """Index of the ``{`` that opens the query's top-level WHERE group."""
    depth, saw_where, first_open = 0, False, None
    for tok in tokens(text):
        kind = tok.kind
        if kind == "open":
            if depth == 0 and (saw_where or first_open is None):
                if saw_where:
                    return tok.start
                first_open = tok.start
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and tok.text.upper() == "WHERE":
            saw_where = True
    if first_open is None:
        raise QueryError("cannot find the query's WHERE group to bind parameters")
    return first_open


def has_dataset_clause(text: str) -> bool:
    """True when the query names its dataset with FROM / FROM NAMED (outside strings, IRIs
    and comments)."""
    depth = 0
    for tok in tokens(text):
        kind = tok.kind
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and tok.text.upper() == "FROM":
            return True
    return False


def substitute(text: str, terms: dict[str, str]) -> str:
    """``text`` with each variable named in ``terms`` (name → N-Triples term) replaced by its
    term wherever it stands in a graph pattern, CONSTRUCT template or expression inside braces.

    Left alone: projections (``SELECT ?x``), solution modifiers (``GROUP BY``, ``ORDER BY``,
    ``HAVING``), ``AS ?x``, ``VALUES ?x``, anything in strings, IRIs or comments, and the body of
    a subquery that does not project the variable (there it is another, local variable). The
    caller still binds the variables with a top-level ``VALUES`` block, so they keep their
    values in the result. Why: engines (Oxigraph) evaluate a nested group holding a FILTER,
    BIND or OPTIONAL on its own, before joining it with the outer VALUES; with the constant
    written into it the group is selective (path-between with a hub tool: 1.2 s → 0.08 s).
    """
    out, last = [], 0
    depth, state, state_depth, previous = 0, None, 0, ""
    subqueries = _subqueries(text)
    for tok in tokens(text):
        kind, token = tok.kind, tok.text
        if kind == "open":
            depth += 1
            if state in ("projection", "values"):
                state = None
        elif kind == "close":
            depth -= 1
            if state == "modifier" and depth < state_depth:
                state = None
        elif kind == "word":
            word = token.upper()
            if word == "SELECT":
                state = "projection"
            elif word == "WHERE" and state == "projection":
                state = None
            elif word == "VALUES":
                state = "values"
            elif word in _MODIFIERS and state is None:
                state, state_depth = "modifier", depth
        elif (kind == "var" and token[1:] in terms and depth > 0 and state is None and previous != "AS"
              and _is_outer(token[1:], tok.start, subqueries)):
            out.append(text[last:tok.start])
            out.append(terms[token[1:]])
            last = tok.end
        if kind != "comment":
            previous = token.upper() if kind == "word" else token
    out.append(text[last:])
    return "".join(out)


def with_values(text: str, bindings: dict, *, into_patterns: bool = False) -> str:
    """``text`` with ``bindings`` (name → rdflib term) bound by a VALUES block at the start of
    its WHERE group and, with ``into_patterns`` (the embedded Oxigraph store), also written
    into its patterns (:func:`substitute`). Remote servers get the VALUES block alone: their
    planners push it down themselves, and Virtuoso timed out on some substituted queries."""
    if not bindings:
        return text
    if into_patterns:
        text = substitute(text, {name: term.n3() for name, term in bindings.items()})

    def block(names):
        return " VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + \
            " ".join(bindings[n].n3() for n in names) + ") } "

    # Also into each subquery that projects a parameter: a subquery is evaluated on its own, so
    # one that cuts its rows (LIMIT) before the outer join would cut the wrong rows.
    inserts = [(start, block(sorted(set(bindings) if names is None else set(bindings) & names)))
               for start, _end, names in _subqueries(text) if names is None or set(bindings) & names]
    inserts.append((_where_brace(text) + 1, block(sorted(bindings))))
    for at, values in sorted(inserts, reverse=True):
        text = text[:at] + values + text[at:]
    return text


def _subqueries(text: str) -> list[tuple[int, int, set | None]]:
    """Each subquery's WHERE group as ``(start, end, names)``: the text between its braces and
    the variables in it that are the same variable as outside the subquery, those projected by
    it and by every subquery around it (``None``: all of them, ``SELECT *`` all the way out).
    Any other variable in a subquery is local to it."""
    found, open_scopes, depth, parens, current = [], [], 0, 0, None
    for tok in tokens(text):
        kind, token = tok.kind, tok.text
        if kind == "open":
            if current is not None:  # the subquery's WHERE group opens
                outer = open_scopes[-1][2] if open_scopes else None
                names = outer if current["star"] else (
                    current["vars"] if outer is None else current["vars"] & outer)
                open_scopes.append((depth, tok.end, names))
                current = None
            depth += 1
        elif kind == "close":
            depth -= 1
            while open_scopes and open_scopes[-1][0] >= depth:
                _depth, start, names = open_scopes.pop()
                found.append((start, tok.start, names))
        elif kind in ("lparen", "rparen"):
            parens += 1 if kind == "lparen" else -1
        elif kind == "word" and token.upper() == "SELECT" and depth > 0:
            current, parens = {"vars": set(), "star": False}, 0
        elif current is not None and parens == 0:
            if kind == "star":
                current["star"] = True
            elif kind == "var":
                current["vars"].add(token[1:])
    return sorted(found)


def _is_outer(name: str, at: int, subqueries) -> bool:
    """True when the variable ``name`` at index ``at`` is the query's own, not a subquery's."""
    inside = [(start, names) for start, end, names in subqueries if start <= at < end]
    if not inside:
        return True
    names = max(inside, key=lambda scope: scope[0])[1]  # the innermost subquery decides
    return names is None or name in names


def with_prefixes(text: str) -> str:
    """Prepend PREFIX lines for our prefixes that ``text`` does not declare itself."""
    code = list(code_tokens(text))
    declared = {b.text[:-1].lower() for a, b in zip(code, code[1:]) if a.is_word("PREFIX") and b.kind == "pname"}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p.lower() not in declared]
    return "\n".join(lines) + "\n" + text
