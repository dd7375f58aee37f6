"""A read-only SPARQL 1.1 HTTP endpoint over the built graph, with a small query page at ``/``.

Standard library only (:mod:`http.server`). The HTTP threads never evaluate SPARQL: each query is
parsed, checked and run in one of a pool of worker *processes* (``multiprocessing`` "spawn"),
each holding its own copy of the graph (:func:`mlops_kg.query.store.open_store`). A query that runs
past the time limit is stopped by killing its worker, and a fresh worker takes its place, so one
runaway query neither blocks other clients nor keeps burning CPU (neither rdflib nor pyoxigraph
can cancel a query).

Protocol (SPARQL 1.1 Protocol, query operation only):

* ``GET /sparql?query=...``, ``POST /sparql`` with ``application/x-www-form-urlencoded``
  (``query=...``) or ``application/sparql-query`` (the query as the body);
  ``default-graph-uri`` / ``named-graph-uri`` select the dataset like FROM / FROM NAMED;
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle);
* results by ``Accept`` (q-values honoured) or ``format=`` (``json``, ``xml``, ``csv``, ``tsv``;
  ``ttl``, ``nt``, ``jsonld``, ``rdfxml``);
* ``GET /``: a self-contained HTML page to type and run queries (no external resources).

Status codes (bodies are one line of plain text): 200 · 400 malformed query, SERVICE, FROM /
FROM NAMED / dataset parameters naming a graph that is not loaded, missing or repeated
``query`` · 403 SPARQL Update (``update=``, ``application/sparql-update``, INSERT/LOAD/... in
``query=``) · 404 unknown path · 405 method not allowed · 406 no acceptable result format ·
411 POST without Content-Length · 413 body over 1 MiB · 415 unsupported POST content type ·
429 the client's address already has as many queries running as allowed (``Retry-After``; on a
loopback address every local client is the one address 127.0.0.1 and shares the quota) ·
500 unexpected failure · 503 the query hit the time limit and was stopped, it needed more
memory than a worker may use, or every worker stayed busy for the whole time limit (then with
``Retry-After``). When the row cap cuts a result, the first ``max_rows`` rows (or triples) are
returned with ``X-Result-Truncated: true``; when the answer is still over ``max_bytes``, it is
cut to the leading rows that fit (``X-Result-Truncated-By: bytes``; no rows if the first does
not fit). A client has ``send_timeout`` seconds to take an answer before the connection closes.

Example::

    from mlops_kg.serve.server import make_server

    server = make_server("build", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ...  # http://127.0.0.1:<server.server_address[1]>/sparql
    server.shutdown()

Workers are started with ``multiprocessing``'s "spawn" method, so a script that calls
:func:`~.server.make_server` must do so under ``if __name__ == "__main__":``.

Modules, one concept each: :mod:`.negotiate` (formats and ``Accept``), :mod:`.answer` (one
query, within the limits), :mod:`.workers` (the killable process pool), :mod:`.handler`
(HTTP), :mod:`.description` (service description), :mod:`.page` (the HTML query page) and
:mod:`.server` (:func:`~.server.make_server`). Nothing is imported here, so a worker process
loads only what it needs.
"""
