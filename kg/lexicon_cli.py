"""``kg lexicon``: inspect and check the entity lexicon (find names in a text, search, show, check)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from kg.errors import InputError, KGError, NotFound
from kg.lexicon import load_lexicon


def _entry_json(entry) -> dict:
    data = asdict(entry)
    data["class"] = data.pop("cls")
    return data


@click.group("lexicon")
@click.option("--path", "lexicon_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Lexicon directory (default: the repository's data/lexicon).")
@click.pass_context
def lexicon(ctx, lexicon_path):
    """Inspect and check the entity lexicon."""
    ctx.obj = {"path": lexicon_path}


@lexicon.command("check")
@click.pass_context
def check(ctx):
    """Load and validate the lexicon; print counts per class (exit 1 on undeclared name collisions)."""
    lex = load_lexicon(ctx.obj["path"])
    counts: dict[str, int] = {}
    for e in lex.entries.values():
        counts[e.cls] = counts.get(e.cls, 0) + 1
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"{n:5d}  {cls}")
    click.echo(f"{len(lex):5d}  entries ({sum(1 for e in lex.entries.values() if e.qid)} with a verified QID)")
    if lex.collisions:
        for surface, ids in sorted(lex.collisions.items()):
            click.echo(f"collision: {surface!r} names {', '.join(ids)} (declare it in rules.yaml 'ambiguous')", err=True)
        sys.exit(1)


@lexicon.command("find")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per match.")
@click.pass_context
def find(ctx, source, as_json):
    """Lexicon matches in SOURCE (a UTF-8 file, or the text itself; '-' reads stdin)."""
    if source == "-":
        text = sys.stdin.read()
    elif Path(source).is_file():
        try:
            text = Path(source).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    else:
        text = source
    lex = load_lexicon(ctx.obj["path"])
    for m in lex.find(text):
        if as_json:
            click.echo(json.dumps({"start": m.start, "end": m.end, "text": m.text, "id": m.entry_id,
                                   "alternatives": list(m.alternatives)}, ensure_ascii=False))
        else:
            alt = f"  (or {', '.join(m.alternatives)})" if m.alternatives else ""
            click.echo(f"{m.start:6d} {m.end:6d}  {m.text}  →  {m.entry_id} [{lex.get(m.entry_id).cls}]{alt}")


@lexicon.command("search")
@click.argument("name")
@click.option("--limit", default=10, show_default=True)
@click.pass_context
def search(ctx, name, limit):
    """Entries whose names resemble NAME (any script), best first."""
    for entry, score in load_lexicon(ctx.obj["path"]).candidates(name, limit=limit):
        qid = f"  {entry.qid}" if entry.qid else ""
        click.echo(f"{score:5.1f}  {entry.id}  {entry.label}  [{entry.cls}]{qid}")


@lexicon.command("show")
@click.argument("entry_id")
@click.pass_context
def show(ctx, entry_id):
    """One entry as JSON."""
    entry = load_lexicon(ctx.obj["path"]).get(entry_id)
    if entry is None:
        raise NotFound(f"no lexicon entry {entry_id!r}")
    click.echo(json.dumps(_entry_json(entry), ensure_ascii=False, indent=2))


def main(argv=None) -> None:
    """Standalone entry point (``python -m kg.lexicon_cli``), with the CLI's error convention."""
    try:
        lexicon.main(args=argv, prog_name="kg lexicon", standalone_mode=False)
    except KGError as exc:
        click.echo(f"kg: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
