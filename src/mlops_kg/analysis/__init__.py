"""Graph analyses, one module per concept, in the order they run:

- :mod:`.projection`: RDF → NetworkX projection (reads an rdflib Graph or an embedded store);
- :mod:`.centrality`: degree, betweenness, PageRank, closeness;
- :mod:`.substitutability`: technology profiles, pair weights and reasons, the weighted graph;
- :mod:`.clusters`: Louvain communities of that graph;
- :mod:`.result`: :func:`~.result.analyze` runs them all into an :class:`~.result.Analysis`;
- :mod:`.rdf`: the analysis written back as RDF;
- :mod:`.report` and :mod:`.substitutes`: what ``analyze`` and ``substitutes`` read from a build.

Nothing is imported here, so that reading the substitutes index does not import networkx.
"""
