"""``kg stats``."""

from __future__ import annotations

import json

import click

from . import Context, pass_context


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_context
def stats(ctx: Context, as_json: bool) -> None:
    """Triples per graph, entities per class, facts per type and Wikidata link coverage of the current graph."""
    from ..stats import collect, render
    from ..store import StoreRoot

    store = StoreRoot(ctx.store).open_current(read_only=True)
    data = collect(store)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else render(data))
