"""The embedded SPARQL store: the built graph, queried in-process with no server.

Two engines give identical answers (a test runs every named query on both):

* ``oxigraph`` (default): pyoxigraph's Rust store; bulk-loads N-Quads and evaluates SPARQL
  natively. Chosen by measurement — see ``benchmarks/store_compare.py`` and the README.
* ``rdflib``: rdflib's in-memory Dataset and its pure-Python SPARQL engine.

Both see the default graph as the union of the named graphs. Parameters are bound as RDF terms
(rdflib ``initBindings``; for pyoxigraph a ``VALUES`` block of escaped terms, see
:func:`mlops_kg.query.sparql.with_values`), never by formatting user text into the query.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MlopsKgError, QueryError
from ..model.terms import ox_to_rdflib  # noqa: F401 - results are read with it; re-exported

ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"


@dataclass
class QueryResult:
    """Engine-neutral result: rdflib terms throughout.

    ``kind`` is ``"select"`` (``variables`` + ``rows``), ``"ask"`` (``boolean``) or ``"graph"``
    (``triples``, for CONSTRUCT and DESCRIBE).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False

    def bindings(self) -> list[dict]:
        """Rows as dicts (unbound variables left out)."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def graph(self):
        """The triples of a CONSTRUCT / DESCRIBE result as an rdflib Graph, with our prefixes bound."""
        from rdflib import Graph

        from ..model.namespaces import bind_prefixes

        g = bind_prefixes(Graph())
        for triple in self.triples:
            g.add(triple)
        return g


# --- term conversion between pyoxigraph and rdflib -------------------------------------------

def rdflib_to_ox(term):
    """The pyoxigraph term for an rdflib term (:class:`QueryError` for anything else).

    >>> from rdflib import URIRef
    >>> rdflib_to_ox(URIRef("http://example.org/a"))
    <NamedNode value=http://example.org/a>
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r} as a query parameter")


class Store:
    """A loaded graph that answers SPARQL. Use :func:`open_store` to get one."""

    engine = ""

    def query(self, text: str, bindings: dict | None = None, *, max_rows: int | None = None,
              dataset: tuple | None = None) -> QueryResult:
        """Run ``text`` (SPARQL, or a :class:`mlops_kg.query.sparql.ParsedQuery` to run its
        checked, canonical ``text`` without parsing it again); ``dataset=(default graph IRIs, named graph IRIs)`` replaces the query's
        own dataset (the SPARQL protocol's default-graph-uri / named-graph-uri)."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs the store holds, sorted."""
        raise NotImplementedError

    def select_strings(self, text: str) -> list[tuple]:
        """Rows of a SELECT as plain strings (IRIs and lexical forms; None when unbound).

        Skips building rdflib terms: the bulk path for analyses of large graphs."""
        result = self.query(text)
        return [tuple(None if t is None else str(t) for t in row) for row in result.rows]


class OxigraphStore(Store):
    """The embedded store on pyoxigraph (the default engine): bulk loading, native SPARQL."""
    engine = "oxigraph"

    def __init__(self):
        import pyoxigraph

        self._store = pyoxigraph.Store()

    def load(self, path, fmt: str = "nq"):
        """Bulk-load the RDF file ``path`` (``fmt``: ``nq``, ``nt``, ``ttl`` or ``trig``); returns the store."""
        import pyoxigraph as ox

        formats = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE,
                   "trig": ox.RdfFormat.TRIG}
        self._store.bulk_load(path=str(path), format=formats[fmt])
        return self

    def add_dataset(self, ds):
        """Copy an rdflib Dataset (quads) into the store."""
        import pyoxigraph as ox

        quads = []
        for s, p, o, g in ds.quads((None, None, None, None)):
            graph = g.identifier if hasattr(g, "identifier") else g
            gname = ox.DefaultGraph() if graph is None or str(graph).startswith("urn:x-rdflib:default") \
                else rdflib_to_ox(graph)
            quads.append(ox.Quad(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o), gname))
        self._store.extend(quads)
        return self

    def __len__(self):
        return len(self._store)

    def graph_names(self):
        """The IRIs of the named graphs the store holds, sorted."""
        return sorted(g.value for g in self._store.named_graphs())

    def select_strings(self, text):
        """Rows of a SELECT as plain strings, read from pyoxigraph's terms without rdflib: see
        :meth:`Store.select_strings`. ``text`` is trusted (the analyses' own queries): no safety check.
        """
        from .sparql import prefix_map

        solutions = self._store.query(text, use_default_graph_as_union=True, prefixes=prefix_map())
        n = len(solutions.variables)
        rows = []
        try:  # every variable bound (the usual case for scans): one pass with plain indexing
            if n == 2:
                rows.extend((r[0].value, r[1].value) for r in solutions)
            elif n == 3:
                rows.extend((r[0].value, r[1].value, r[2].value) for r in solutions)
            else:
                rows.extend(tuple(r[i].value for i in range(n)) for r in solutions)
            return rows
        except AttributeError:  # an unbound value: start again, allowing None
            solutions = self._store.query(text, use_default_graph_as_union=True, prefixes=prefix_map())
            return [tuple(None if (t := r[i]) is None else t.value for i in range(n)) for r in solutions]

    def query(self, text, bindings=None, *, max_rows=None, dataset=None):
        """See :meth:`Store.query`: checked offline (SERVICE and unknown FROM graphs refused), with
        ``bindings`` as a VALUES block and written into the patterns, on the union default graph
        unless the query or ``dataset`` names one.
        """
        import pyoxigraph as ox

        from .sparql import ParsedQuery, check_safe, has_dataset_clause, parse_query, prefix_map, with_values

        # Oxigraph would call any SERVICE it reads: the guard parses and checks the canonical
        # text, and that text is the one that runs. A FROM graph it does not hold is refused as
        # rdflib's store refuses it (Oxigraph would answer from an empty graph).
        parsed = text if isinstance(text, ParsedQuery) else parse_query(text)
        check_safe(parsed, self.graph_names())
        text = parsed.text
        # pyoxigraph's ``substitutions`` insist that the variable is projected, so parameters go
        # in as a VALUES block of N-Triples-escaped terms at the start of the WHERE group, and
        # are also written into the patterns (see remote.substitute for why).
        asked = text
        if bindings:
            text = with_values(text, bindings, into_patterns=True)
        if dataset is not None:
            defaults, named = dataset
            options = {"default_graph": [ox.NamedNode(g) for g in defaults],
                       "named_graphs": [ox.NamedNode(g) for g in named]}
        else:
            # FROM / FROM NAMED choose the dataset; otherwise the default graph is the union
            # (pyoxigraph ignores FROM when use_default_graph_as_union is set).
            options = {"use_default_graph_as_union": not has_dataset_clause(text)}
        try:
            result = self._store.query(text, prefixes=prefix_map(), **options)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL: {exc}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            from .sparql import star_order

            variables = star_order(asked, [v.value for v in result.variables])
            rows, truncated = _capped(result, lambda sol: tuple(ox_to_rdflib(sol[v]) for v in variables), max_rows)
            return QueryResult("select", variables=variables, rows=rows, truncated=truncated)
        triples, truncated = _capped(
            result, lambda t: (ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)), max_rows)
        return QueryResult("graph", triples=triples, truncated=truncated)


def _capped(items, convert, max_rows):
    """``convert`` each item, stopping after ``max_rows``: ``(list, truncated)``."""
    out = []
    for item in items:
        if max_rows is not None and len(out) >= max_rows:
            return out, True
        out.append(convert(item))
    return out, False


class RdflibStore(Store):
    """The embedded store on rdflib's in-memory Dataset and its pure-Python SPARQL engine."""
    engine = "rdflib"

    def __init__(self, ds=None):
        from ..model.load import new_dataset

        self._ds = ds if ds is not None else new_dataset()

    def load(self, path, fmt: str = "nq"):
        """Parse the RDF file ``path`` into the store (its format from the extension); returns the store."""
        from ..model.load import parse_into

        parse_into(self._ds, path)
        return self

    def __len__(self):
        return len(set(self._ds.triples((None, None, None))))

    def graph_names(self):
        """The IRIs of the named graphs that hold statements, sorted (rdflib's own default graph left out)."""
        return sorted(str(g.identifier) for g in self._ds.graphs()
                      if len(g) and not str(g.identifier).startswith("urn:x-rdflib:"))

    def query(self, text, bindings=None, *, max_rows=None, dataset=None):
        """See :meth:`Store.query`: checked offline (SERVICE and unknown FROM graphs refused), with
        ``bindings`` as rdflib ``initBindings``.
        """
        from .sparql import ParsedQuery, check_safe, parse_query

        parsed = text if isinstance(text, ParsedQuery) else parse_query(text)
        text = parsed.text
        check_safe(parsed, self.graph_names())  # rdflib would call a SERVICE or fetch a FROM <url>
        # Each caller parses per request and does not reuse the query, so setting its dataset is safe.
        prepared = parsed.prepared
        if dataset is not None:
            from rdflib import URIRef
            from rdflib.plugins.sparql.parserutils import CompValue

            defaults, named = dataset
            prepared.algebra["datasetClause"] = (
                [CompValue("DatasetClause", default=URIRef(g)) for g in defaults]
                + [CompValue("DatasetClause", named=URIRef(g)) for g in named])
        try:
            result = self._ds.query(prepared, initBindings=dict(bindings or {}))
            if result.type == "ASK":
                return QueryResult("ask", boolean=bool(result.askAnswer))
            if result.type == "SELECT":
                from .sparql import star_order

                given = [str(v) for v in result.vars]
                variables = star_order(text, given)
                if variables == given:
                    rows, truncated = _capped(result, tuple, max_rows)
                else:
                    at = [given.index(v) for v in variables]
                    rows, truncated = _capped(result, lambda row: tuple(row[i] for i in at), max_rows)
                return QueryResult("select", variables=variables, rows=rows, truncated=truncated)
            triples, truncated = _capped(result.graph if result.graph is not None else result, tuple, max_rows)
            return QueryResult("graph", triples=triples, truncated=truncated)
        except QueryError:
            raise
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds on evaluation errors
            raise QueryError(f"query failed: {exc}") from None


def open_store(build_dir, engine: str = DEFAULT_ENGINE) -> Store:
    """Load the graph of the build in ``build_dir`` into an embedded store (never builds: the
    caller finds the folder, e.g. with :func:`mlops_kg.build.locate.ensure_build`).
    """
    from ..model.layout import built_graph, damaged_build

    if engine not in ENGINES:
        raise QueryError(f"unknown store engine {engine!r}; use one of {', '.join(ENGINES)}")
    nq = built_graph(build_dir)
    store = OxigraphStore() if engine == "oxigraph" else RdflibStore()

    try:
        store.load(nq, "nq")
    except (SyntaxError, ValueError, OSError, MlopsKgError) as exc:  # e.g. cut short by a full disk
        raise damaged_build(nq, str(exc).split("\n")[0].split("; ")[0]) from None
    if not len(store):
        raise damaged_build(nq, "no statements")
    return store


def store_from_dataset(ds, engine: str = DEFAULT_ENGINE) -> Store:
    """An embedded store holding an rdflib Dataset already in memory (tests, notebooks)."""
    if engine == "rdflib":
        return RdflibStore(ds)
    return OxigraphStore().add_dataset(ds)
