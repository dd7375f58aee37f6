"""Stage 1, the model: namespaces, IRIs, names, shipped data, build file layout, and reading,
inferring and validating RDF. Imports nothing from later stages."""
