"""``kg eval``: score an extraction against a gold standard."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg.errors import InputError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("article", required=False, type=click.Path(path_type=Path))
@click.option("--pred", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A saved extraction JSON to score (instead of extracting ARTICLE).")
@click.option("--idmap", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="YAML map of gold ids to lexicon ids (default: an *idmap.yaml next to GOLD naming it).")
@click.option("--min-f1", type=float, default=None,
              help="Exit 1 when the F1 of entities, core facts L1 or core facts L3 is below this.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(gold, article, pred, idmap, min_f1, as_json):
    """Print precision, recall and F1 of an extraction against GOLD (mentions strict/lenient, entities, facts
    L1/L2/L3 for core and all facts). Without --pred, ARTICLE (or the article the gold names) is extracted."""
    import yaml

    from kg import evaluate as ev

    if pred is not None and article is not None:
        raise InputError("give either --pred or ARTICLE, not both")
    gold_data = ev.load_gold(gold)
    if pred is not None:
        try:
            prediction = json.loads(pred.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{pred}: no such file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{pred}: not an extraction JSON ({exc})") from None
        if not isinstance(prediction, dict) or "entities" not in prediction:
            raise InputError(f"{pred}: not an extraction JSON (no 'entities')")
    else:
        from kg.extract import extract_path

        prediction = extract_path(article or ev.find_article(gold_data, gold))
    mapping = None
    if idmap is not None:
        try:
            data = yaml.safe_load(idmap.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"{idmap}: cannot read the id map ({exc})".replace("\n", " ")) from None
        mapping = {k: ([v] if isinstance(v, str) else list(v or [])) for k, v in (data.get("map") or {}).items()}
    report = ev.evaluate(gold, prediction, mapping)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(ev.format_table(report))
    if min_f1 is not None:
        ev.check_thresholds(report, min_f1)
