"""``kg build`` and ``kg rollback``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from . import Context, pass_context


def _progress(quiet: bool):
    start = time.time()

    def say(msg: str) -> None:
        if not quiet:
            click.echo(f"kg build [{time.time() - start:5.1f}s] {msg}", err=True)

    return say


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--keep-going", is_flag=True,
              help="Leave out sources that cannot be read or that fail validation (each is reported); build the rest.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes for extraction, graphs and per-document checks (default: one per CPU when there "
                   "are 16 sources or more). The output does not depend on it.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@pass_context
def build(ctx: Context, sources: tuple[Path, ...], keep_going: bool, jobs: int | None, as_json: bool,
          quiet: bool) -> None:
    """Build the graph from SOURCES into a new store generation and make it current.

    SOURCES are articles (.txt or .html, UTF-8, each with an optional .meta.yaml sidecar), memorandum lists
    (.csv) or directories of them; default: the bundled corpus (data/corpus/*.txt and data/memorandum/*.csv).

    Every build is a full rebuild from its sources: a source left out is not in the new generation. All sources
    are read and extracted before the store is touched; the graphs are validated (evidence spans, SHACL, OWL
    reasoner) before the new generation becomes current. The previous generation stays for `kg rollback`.
    """
    from ..build import build as run_build
    from ..store import StoreRoot

    root = StoreRoot(ctx.store)
    report = run_build(list(sources) or None, root, keep_going=keep_going, progress=_progress(quiet or as_json),
                       jobs=jobs)
    if as_json:
        click.echo(json.dumps({
            "generation": report.generation, "store": str(root.path), "documents": report.documents,
            "entities": report.entities, "facts": report.facts, "triples": report.triples,
            "violations": report.violations, "seconds": round(report.seconds, 3),
            "timings": {k: round(v, 3) for k, v in report.timings.items()}, "skipped": report.skipped,
        }, indent=2, ensure_ascii=False))
    else:
        for line in report.summary_lines():
            click.echo(line)
    for message in report.skipped:
        click.echo(f"kg build: skipped: {message}", err=True)
    if report.skipped:
        click.echo(f"kg build: {len(report.skipped)} source(s) skipped (--keep-going)", err=True)
    sys.stdout.flush()


@click.command()
@pass_context
def rollback(ctx: Context) -> None:
    """Make the generation before the current one current again (the newer one is kept until pruned)."""
    from ..store import StoreRoot

    root = StoreRoot(ctx.store)
    was = root.current_id()
    now = root.rollback()
    click.echo(f"current generation: {now} (was {was})")
