"""``kg query``: run a saved query (or any SPARQL) against the current store generation.

    kg query --list
    kg query cq2-facts-about-entity --param entity=id:entity/unesco
    kg query timeline --param from=2026-01-01 --format csv -o timeline.csv
    kg query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    kg query --update-golden            # rewrite queries/expected/*.srj from the current store

It goes through the same library calls as ``GET /queries/<name>`` (``kg.queries.run`` on a
``kg.sparql`` engine), so the two can never disagree.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

from .. import queries as saved
from ..errors import InputError
from ..namespaces import PREFIXES
from . import pass_context

TABLE = "table"


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--sparql", "sparql_text", metavar="QUERY", help="Run this SPARQL instead of a saved query ('@file' reads a file).")
@click.option(
    "--format", "-f", "fmt", default=TABLE, show_default=True,
    help="table, json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml, nquads, trig (CONSTRUCT); or a media type.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
@click.option("--timeout", type=float, help="Stop the query after this many seconds.")
@click.option("--list", "list_only", is_flag=True, help="List the saved queries with their parameters.")
@click.option("--update-golden", is_flag=True, help="Rewrite queries/expected/<name>.srj for every (or the named) saved query.")
@click.option("--queries-dir", type=click.Path(file_okay=False, path_type=Path), envvar="KG_QUERIES_DIR",
              help="Folder of saved queries (default: the repository's queries/). Env: KG_QUERIES_DIR.")
@pass_context
def query(ctx, name, params, sparql_text, fmt, output, timeout, list_only, update_golden, queries_dir):
    """Run the saved query NAME (see --list) or a SPARQL string, and print the result."""
    registry = saved.load_dir(queries_dir)
    if list_only:
        _echo_list(registry)
        return
    engine = _engine(ctx.store)
    if update_golden:
        _update_golden(engine, registry, name)
        return
    if sparql_text is not None:
        if name or params:
            raise InputError("give either a saved query NAME (with --param) or --sparql, not both")
        text = Path(sparql_text[1:]).read_text(encoding="utf-8") if sparql_text.startswith("@") else sparql_text
        result = engine.query(text, timeout=timeout)
    elif name:
        result = saved.run(engine, saved.get(registry, name), _parse_params(params), timeout=timeout)
    else:
        raise InputError("name a saved query (see `kg query --list`) or give --sparql")
    data = _render(result, fmt)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    if result.truncated:
        click.echo(f"kg: warning: only the first {result.row_cap} rows were kept (row cap)", err=True)


def _engine(store: Path):
    from ..sparql import open_engine

    return open_engine(store, timeout=None)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param takes NAME=VALUE, got {pair!r}")
        out[key.strip()] = value
    return out


def _render(result, fmt: str) -> bytes:
    from ..sparql import media_type_for_format

    if fmt == TABLE:
        if result.is_graph:
            return result.serialize("text/turtle", prefixes=PREFIXES)
        return format_table(result).encode("utf-8")
    media_type = media_type_for_format(fmt)
    if media_type is None:
        raise InputError(f"unknown --format {fmt!r}")
    return result.serialize(media_type, prefixes=PREFIXES)


def format_table(result) -> str:
    """A plain-text table for terminals: IRIs shortened with the known prefixes, literals as text."""
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    header = list(result.variables)
    rows = [[_short(t) for t in row] for row in result.rows]
    widths = [min(60, max([_width(h)] + [_width(r[i]) for r in rows])) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(_fit(c, w) for c, w in zip(cells, widths)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{', truncated' if result.truncated else ''})")
    return "\n".join(out) + "\n"


def _short(term) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", str(term))
    if type(term).__name__ == "NamedNode":
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"
    return " ".join(value.split())


def _cols(ch: str) -> int:
    # East Asian wide and full-width characters take two columns in a terminal
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_cols(ch) for ch in text)


def _fit(text: str, width: int) -> str:
    cols, out = 0, []
    for ch in text:
        w = _cols(ch)
        if cols + w > width:
            out.append("…")
            cols += 1
            break
        out.append(ch)
        cols += w
    return "".join(out) + " " * max(0, width - cols)


def _echo_list(registry) -> None:
    for q in registry.values():
        flags = " [needs internet]" if q.needs_internet else ""
        click.echo(f"{q.name}{flags}\n  {q.title['en']}\n  {q.title['zh']}")
        for p in q.params:
            default = f" (default {p.default})" if p.default is not None else (" (required)" if p.required else " (optional)")
            click.echo(f"  --param {p.name}=<{p.type}>{default}")


def _update_golden(engine, registry, name: str | None) -> None:
    targets = [saved.get(registry, name)] if name else list(registry.values())
    for q in targets:
        if q.needs_internet:
            click.echo(f"skip  {q.name} (needs internet)", err=True)
            continue
        result = saved.run(engine, q)
        path = saved.expected_path(q)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = saved.golden_text(result)
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        click.echo(f"{'wrote' if changed else 'same '} {path} ({len(result)} rows)", err=True)

