"""Stage 3, queries: the SPARQL text layer, the named queries, the embedded stores, result
formats, and the clients of remote endpoints. Readers take a build folder that exists."""
