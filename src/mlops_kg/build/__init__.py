"""Stage 6, the build: the pipeline from sources to outputs, and finding (or making) an
up-to-date build. Only the CLI decides to build; readers of earlier stages never do."""
