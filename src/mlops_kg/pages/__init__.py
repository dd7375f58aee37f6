"""Stage 5, pages: the graph views (viz), the static site, provenance wording, page assets."""
