"""The ``mlops-kg`` command line: parse arguments, call one library function, format the result.

Heavy libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands, so that
``--help`` and the quick commands start fast. Errors from the library (``MlopsKgError``) are
turned into one line on stderr and an exit code in one place: :meth:`Cli.invoke`.
"""
from __future__ import annotations

import sys

import click

from .errors import MlopsKgError, ValidationError


class Cli(click.Group):
    """Click group that turns library errors into one clear line and the right exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            click.echo(exc.report.text(), err=True)
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except MlopsKgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlops-kg", prog_name="mlops-kg")
def cli():
    """A knowledge graph of the MLOps tool landscape: build it, query it, find substitutes."""


@cli.command()
@click.option("--out", "out_dir", default="build", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder for the built files.")
@click.option("--include", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False),
              help="Extra RDF file to merge in (e.g. from `mlops-kg import`); repeatable.")
def build(out_dir, include):
    """Load, infer, validate and write the graph (Turtle, N-Triples, JSON-LD, TriG, N-Quads).

    Invalid data stops the build with exit 1 and a report; a failed build leaves the
    previous output in DIR untouched.
    """
    from .build import build as run_build

    result = run_build(out_dir, include=include)
    click.echo(f"built {result.triples} triples in {len(result.graphs)} named graphs into {result.out_dir}/")
    for path in result.files:
        click.echo(f"  {path}")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--with-shipped", is_flag=True,
              help="Validate FILES together with the shipped graph (for files that refer to its nodes).")
def validate(files, with_shipped):
    """Check data against the SHACL shapes; exit 1 when it violates them.

    Without FILES, validates the shipped graph. FILES may be Turtle, N-Triples, JSON-LD,
    TriG or N-Quads; they are checked together with the ontology.
    """
    from .build import validate_files

    report = validate_files(files, with_shipped=with_shipped or not files)
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


def main():
    cli(prog_name="mlops-kg")


if __name__ == "__main__":  # pragma: no cover
    main()
