"""The held-out evaluation corpus (data/eval/): articles written for evaluation, each with a sidecar and a
hand-made gold in the seed gold's format, whose every offset points at the text it claims."""

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.fixtures.paths import DATA, SEED_GOLD

EVAL = DATA / "eval"
ARTICLES = sorted((EVAL / "articles").glob("*.txt"))
GOLDS = sorted((EVAL / "gold").glob("*.gold.json"))
ENTITY_TYPES = {"State", "Location", "Organisation", "GovernmentAgency", "Person", "Treaty", "Document", "Event"}
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9-]+\.(zh-Hant|zh-Hans|en)\.txt$")


def gold_path(article: Path) -> Path:
    return EVAL / "gold" / (article.name.removesuffix(".txt") + ".gold.json")


def load_gold(article: Path) -> dict:
    return json.loads(gold_path(article).read_text(encoding="utf-8"))


def test_there_are_at_least_two_articles_per_language():
    langs = [NAME.match(a.name).group(2) for a in ARTICLES]
    assert set(langs) == {"en", "zh-Hans", "zh-Hant"}
    for lang in set(langs):
        assert langs.count(lang) >= 2, lang




def test_every_article_has_a_sidecar_and_a_gold_and_every_gold_an_article():
    for a in ARTICLES:
        assert Path(str(a) + ".meta.yaml").is_file(), a.name
        assert gold_path(a).is_file(), a.name
    assert {g.name for g in GOLDS} == {gold_path(a).name for a in ARTICLES}


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_sidecar_language_and_date_agree_with_the_file_name_and_the_gold(article):
    date, lang = NAME.match(article.name).groups()
    meta = yaml.safe_load(Path(str(article) + ".meta.yaml").read_text(encoding="utf-8"))
    gold = load_gold(article)
    assert meta["language"] == lang == gold["doc_lang"]
    assert meta["published"] == dt.date.fromisoformat(date)
    assert gold["doc_date"] == date
    assert meta["publisher"] == "ipakg test corpus (written for evaluation)"
    assert meta["url"] is None and meta["title"] and meta["sources"]
    assert gold["doc"] == f"data/eval/articles/{article.name}"
    assert meta["title"] == article.read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_every_gold_offset_matches_the_text_as_python_reads_it(article):
    text = article.read_text(encoding="utf-8")
    gold = load_gold(article)
    for kind in ("sentences", "mentions", "times", "numbers"):
        for x in gold[kind]:
            assert 0 <= x["start"] < x["end"] <= len(text)
            assert text[x["start"]:x["end"]] == x["text"], (kind, x)
    for m in gold["mentions"]:
        s = gold["sentences"][m["sent"]]
        assert s["start"] <= m["start"] and m["end"] <= s["end"], m
        for a, b in m["alt_spans"]:
            assert 0 <= a < b <= len(text) and a < m["end"] and m["start"] < b, m  # an overlapping variant
        if "nested_in" in m:
            assert m["optional"] and m["text"] in m["nested_in"], m
    assert [s["id"] for s in gold["sentences"]] == list(range(len(gold["sentences"])))


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_mentions_and_facts_reference_known_entities(article):
    gold = load_gold(article)
    entities = gold["entities"]
    assert set(e["type"] for e in entities.values()) <= ENTITY_TYPES
    mentioned = {m["entity"] for m in gold["mentions"]}
    assert mentioned == set(entities), "every entity is mentioned and every mention names an entity"
    ids = [f["id"] for f in gold["facts"]]
    assert len(ids) == len(set(ids))
    for f in gold["facts"]:
        refs = [f["actor"], *f["actor_accept"], f["target"].get("entity"), *f["target"].get("entity_accept", [])]
        assert {r for r in refs if r is not None} <= set(entities), f["id"]
        assert f["actor"] in f["actor_accept"] and f["date"] in f["date_accept"], f["id"]
        assert ("entity" in f["target"]) != ("group" in f["target"]), f["id"]
        assert f.get("reverses", ids[0]) in ids
        for e in f["evidence"]:
            assert gold["sentences"][e["sent"]]["text"] == e["text"] and e["trigger"] in e["text"], f["id"]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_gold_has_the_seed_gold_shape(article):
    seed = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    gold = load_gold(article)
    assert set(gold) == set(seed)
    for kind in ("mentions", "sentences", "times", "numbers"):
        required = set.intersection(*(set(x) for x in seed[kind]))
        assert all(required <= set(x) for x in gold[kind]), kind
    required = set.intersection(*(set(f) for f in seed["facts"])) - {"modality"}
    assert all(required <= set(f) for f in gold["facts"])
    assert any(f["core"] for f in gold["facts"])


def test_gold_files_are_exactly_what_their_annotation_specs_produce():
    spec = importlib.util.spec_from_file_location("annotate", EVAL / "gold" / "annotate.py")
    annotate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(annotate)
    for spec_path in sorted((EVAL / "gold" / "spec").glob("*.yaml")):
        built = annotate.build(spec_path)
        on_disk = json.loads((EVAL / "gold" / (Path(built["doc"]).name.removesuffix(".txt") + ".gold.json"))
                             .read_text(encoding="utf-8"))
        assert built == on_disk, spec_path.name
