"""``kg dump``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import Context, pass_context

FORMAT_NAMES = ("turtle", "trig", "nquads", "ntriples", "jsonld")


@click.command()
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES),
              help="Output format. Default: from the -o file name, else trig.")
@click.option("-g", "--graph", "graph", metavar="IRI",
              help="Only this named graph. Without it, dataset formats write every graph and turtle/ntriples "
                   "the union of all graphs.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE (atomically) instead of stdout.")
@pass_context
def dump(ctx: Context, fmt: str | None, graph: str | None, output: Path | None) -> None:
    """Write the current graph as Turtle, TriG, N-Quads, N-Triples or compacted JSON-LD.

    Turtle and TriG use the ontology's prefixes; JSON-LD is compacted with ontology/context.jsonld (embedded).
    """
    from ..dump import SUFFIXES, dump as run_dump
    from ..store import StoreRoot

    if fmt is None:
        by_suffix = {v: k for k, v in SUFFIXES.items()} | {".json": "jsonld", ".n3": "turtle"}
        fmt = by_suffix.get(output.suffix.lower(), "trig") if output else "trig"
    store = StoreRoot(ctx.store).open_current(read_only=True)
    if output is None:
        run_dump(store, fmt, sys.stdout.buffer, graph=graph)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp.{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            run_dump(store, fmt, fh, graph=graph)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"wrote {output} ({fmt}, {output.stat().st_size} bytes)", err=True)
