"""``kg export``: QuickStatements, Wikibase RDF and owl:sameAs links for Wikidata tools."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import InputError
from . import Context, pass_context


def _engine(ctx: Context):
    from ..sparql import LocalEngine

    return LocalEngine(ctx.store, timeout=None)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of must be a date YYYY-MM-DD, not {value!r}") from None


def _report(selection, what: str, quiet: bool) -> None:
    if quiet:
        return
    click.echo(f"kg export: {len(selection.statements)} statement(s) with "
               f"{sum(len(s.references) for s in selection.statements)} reference(s), "
               f"{len(selection.new_items)} new item(s), {len(selection.skipped)} fact(s) left out "
               f"(as of {selection.as_of}) -> {what}", err=True)
    for s in selection.skipped:
        click.echo(f"  left out {s.fact}: {s.reason}", err=True)


AS_OF = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                     help="Export facts effective by this date (default: today, UTC).")
OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not to stdout.")
QUIET = click.option("-q", "--quiet", is_flag=True, help="Do not list the facts left out on stderr.")


@click.group()
def export() -> None:
    """Export to Wikidata tools: QuickStatements, Wikibase RDF, owl:sameAs links.

    Statements are "member of" (P463) with "end time" (P582) for withdrawals whose actor and target both have a
    verified QID, that are not threatened, negated or reversed, and that are effective by --as-of. Every fact left
    out is listed on stderr with the reason.
    """


@export.command()
@click.option("--format", "fmt", type=click.Choice(["v1", "csv"]), default="v1", show_default=True,
              help="V1 commands (TAB-separated) or the CSV import format.")
@click.option("--create", is_flag=True, help="Add CREATE blocks for entities that have no QID (review them by hand).")
@AS_OF
@OUTPUT
@QUIET
@pass_context
def quickstatements(ctx: Context, fmt: str, create: bool, as_of: str | None, output: Path | None, quiet: bool) -> None:
    """QuickStatements commands to review and paste into https://quickstatements.toolforge.org.

    With --format csv, rows whose columns differ (a reference URL for one source, a title for another) cannot
    share one CSV table; then -o FILE is required and the extra tables go to FILE-2.csv, FILE-3.csv, ...
    """
    from ..export.quickstatements import to_csv_tables, to_v1
    from ..export.statements import select_statements

    selection = select_statements(_engine(ctx), as_of=_as_of(as_of), create=create)
    if fmt == "v1":
        _write(to_v1(selection), output)
        _report(selection, str(output or "stdout"), quiet)
        return
    tables = to_csv_tables(selection)
    if len(tables) > 1 and output is None:
        raise InputError(f"the CSV export needs {len(tables)} tables (rows of different shapes); give -o FILE")
    names = [output] + [output.with_name(f"{output.stem}-{n}{output.suffix or '.csv'}") for n in range(2, len(tables) + 1)] \
        if output else [None]
    for table, name in zip(tables or [""], names):
        _write(table, name)
    _report(selection, ", ".join(str(n or "stdout") for n in names), quiet)


@export.command()
@AS_OF
@OUTPUT
@QUIET
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt"]), default="turtle", show_default=True)
@pass_context
def wikibase(ctx: Context, as_of: str | None, output: Path | None, quiet: bool, fmt: str) -> None:
    """Wikibase-RDF statements (wd:, p:, ps:, pq:, pqv:, prov:wasDerivedFrom, pr:) for the same statements."""
    from ..export.statements import select_statements
    from ..export.wikibase import to_graph

    selection = select_statements(_engine(ctx), as_of=_as_of(as_of))
    _write(to_graph(selection).serialize(format=fmt), output)
    _report(selection, str(output or "stdout"), quiet)


@export.command()
@OUTPUT
@pass_context
def sameas(ctx: Context, output: Path | None) -> None:
    """owl:sameAs N-Triples from our entities to Wikidata items (never stored in the graph)."""
    from ..export.sameas import to_ntriples

    _write(to_ntriples(_engine(ctx)), output)
