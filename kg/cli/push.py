"""``kg push``: copy the built graphs into a remote SPARQL 1.1 store (see :mod:`kg.push`)."""

from __future__ import annotations

import json

import click

from . import pass_context
from ..errors import InputError


@click.command()
@click.option("--to", "to", required=True, metavar="URL",
              help="SPARQL 1.1 Update endpoint of the target store (e.g. http://host:7878/update, "
                   "http://host:3030/ds/update).")
@click.option("--graph-store", metavar="URL", default=None,
              help="Graph Store HTTP Protocol endpoint (e.g. http://host:7878/store, http://host:3030/ds/data); "
                   "default: try --to itself, then fall back to SPARQL Update.")
@click.option("--token", envvar="KG_PUSH_TOKEN", default=None, help="Bearer token. Env: KG_PUSH_TOKEN.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Extra request header (repeatable), e.g. for a proxy's authentication.")
@click.option("--batch", type=click.IntRange(1), default=5000, show_default=True,
              help="Triples per INSERT DATA request when falling back to SPARQL Update.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for each request.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@pass_context
def push(ctx, to: str, graph_store: str | None, token: str | None, headers: tuple[str, ...], batch: int,
         timeout: float, as_json: bool, quiet: bool) -> None:
    """Write every named graph of the current generation into the store at --to (each graph replaced)."""
    from ..push import push as run_push

    extra = {}
    for h in headers:
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            raise InputError(f"--header must look like 'Name: value', not {h!r}")
        extra[name.strip()] = value.strip()
    progress = (lambda _m: None) if quiet else (lambda m: click.echo(m, err=True))
    report = run_push(ctx.store, to, graph_store=graph_store, token=token, headers=extra, batch=batch,
                      timeout=timeout, progress=progress)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(f"pushed {report.triples} triples in {len(report.graphs)} graphs to {report.target} "
                   f"via {report.method} ({report.requests} requests, {report.seconds:.1f} s)")
