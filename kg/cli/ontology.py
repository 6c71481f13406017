"""``kg ontology``: check the OWL ontology with HermiT and write its HTML documentation."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ValidationError


@click.group()
def ontology() -> None:
    """Check the OWL ontology and write its documentation."""


@ontology.command()
def check() -> None:
    """Parse every ontology file, lint the terms and run HermiT.

    Exits 0 when the ontology is consistent, every class is satisfiable, every term has its labels
    (en, zh-hant, zh-hans) and an English definition, and the bundled example conforms to the SHACL
    shapes and is classified as expected; 1 otherwise; 2 when Java (needed by HermiT) is missing.
    """
    from ..ontology import check as run_check

    report = run_check()
    click.echo(report.summary())
    if not report.ok:
        raise ValidationError(
            "ontology check failed: "
            + ("inconsistent" if not report.consistent else
               f"{len(report.unsatisfiable)} unsatisfiable classes" if report.unsatisfiable else
               f"{len(report.problems)} problems")
        )
    click.echo("ok")


@ontology.command()
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Where to write the HTML page. [default: ontology/docs/index.html]",
)
def docs(output: Path | None) -> None:
    """Write the ontology's HTML documentation (self-contained: no scripts, no external resources)."""
    from ..ontology import DEFAULT_DOCS_FILE, write_docs

    path = write_docs(output or DEFAULT_DOCS_FILE)
    click.echo(str(path))
