"""``kg extract``: article(s) → extraction JSON (one document) or JSON lines (several)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from kg.errors import InputError


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    from kg.extract.reader import EXTENSIONS

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in EXTENSIONS)
        else:
            out.append(p)
    return out


def _one(args) -> str:
    path, lang, published = args
    from kg.extract import extract_path

    return json.dumps(extract_path(path, lang=lang, published=published), ensure_ascii=False, sort_keys=False)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["auto", "zh-Hant", "zh-Hans", "en"]), default="auto", show_default=True,
              help="Language of the article(s); auto = the sidecar's, else detected from the text.")
@click.option("--published", metavar="YYYY-MM-DD", default=None,
              help="Publication date (overrides the sidecar); relative dates are resolved against it.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to FILE instead of stdout (written only when every input succeeded).")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes for several files (default: all cores).")
def extract(paths, lang, published, fmt, output, jobs):
    """Extract entities, mentions and policy-action facts from PATHS (.txt or .html, UTF-8).

    One file gives one JSON document; a directory or several files give JSON lines (one document per line,
    in path order). A sidecar PATH.meta.yaml supplies title, publisher, url, published and language. Offsets
    are code points into the document text (for .html: the extracted visible text). Bad input stops with exit
    code 2 and no output."""
    files = _expand(paths)
    if not files:
        raise InputError(f"{', '.join(map(str, paths))}: no .txt or .html files found")
    single = len(files) == 1 and not paths[0].is_dir()
    if single:
        from kg.extract import extract_path

        text = json.dumps(extract_path(files[0], lang=lang, published=published), ensure_ascii=False, indent=2) + "\n"
    else:
        work = [(f, lang, published) for f in files]
        workers = min(jobs or os.cpu_count() or 1, len(work))
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            from kg.lexicon import load_lexicon

            load_lexicon()  # build the disk cache once before the workers start
            with ProcessPoolExecutor(max_workers=workers) as pool:
                lines = list(pool.map(_one, work, chunksize=max(1, len(work) // (workers * 4))))
        else:
            lines = [_one(w) for w in work]
        text = "\n".join(lines) + "\n"
    if output:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    else:
        sys.stdout.write(text)
