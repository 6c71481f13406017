#!/usr/bin/env python3
"""Regenerate the generated parts of the lexicon (data/lexicon/entities/*.generated.yaml).

    .venv/bin/python scripts/generate_lexicon.py [--check]

- states.generated.yaml: every ISO 3166-1 entry of pycountry (English names; zh_CN / zh_TW / zh_HK names from
  pycountry's iso3166-1 gettext catalogue) + data/lexicon/sources/states-overlay.yaml (UN status, short names,
  regional spellings, acronyms) + verified QIDs from data/lexicon/reference-article-entities.csv.
- memorandum.generated.yaml: the 66 bodies of data/memorandum/memorandum-2026-01-07-66-bodies.csv (memo_group,
  memo_name_en, QID + qid_status, zh name) + data/lexicon/sources/memorandum-overlay.yaml (ids, classes, names),
  and the group MEMO_2026_66_BODIES whose members are the 66.

The output is committed; `--check` exits 1 when the committed files differ from what would be generated.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import sys
from pathlib import Path

import pycountry
import yaml

REPO = Path(__file__).resolve().parent.parent
LEX = REPO / "data" / "lexicon"
MEMO_CSV = REPO / "data" / "memorandum" / "memorandum-2026-01-07-66-bodies.csv"
REF_CSV = LEX / "reference-article-entities.csv"
UN_MEMBERS = 193

ENTRY_ORDER = ["id", "class", "en", "zh-Hant", "zh-Hans", "aliases", "acronyms", "search_only", "country", "qid",
               "qid_source", "un_status", "memo_group", "memo_name_en", "members", "description", "source"]


def _ordered(entry: dict) -> dict:
    out = {k: entry[k] for k in ENTRY_ORDER if entry.get(k) not in (None, [], "")}
    assert set(out) >= {"id", "class"}, entry
    return out


def _dump(path: Path, header: str, source: str, entries: list[dict]) -> str:
    body = yaml.safe_dump({"source": source, "entries": [_ordered(e) for e in entries]}, allow_unicode=True,
                          sort_keys=False, width=200, default_flow_style=None)
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.strip().splitlines()) + body


def _reference_qids() -> dict[str, tuple[str, str]]:
    with REF_CSV.open(encoding="utf-8") as fh:
        return {r["name_en"]: (r["qid"], r["qid_status"]) for r in csv.DictReader(fh) if r["qid"]}


def _uniq(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def generate_states() -> str:
    overlay = yaml.safe_load((LEX / "sources" / "states-overlay.yaml").read_text(encoding="utf-8"))
    refs = _reference_qids()
    places, non_members, observers = set(overlay["places"]), set(overlay["non_member_states"]), set(overlay["observers"])
    overrides = overlay.get("overrides") or {}
    tr = {loc: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
          for loc in ("zh_CN", "zh_TW", "zh_HK")}
    entries, members = [], 0
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        code = c.alpha_3
        o = overrides.get(code) or {}
        english = [getattr(c, "common_name", None), c.name, getattr(c, "official_name", None)]
        english = [n.removeprefix("the ") for n in english if n and "," not in n and "(" not in n]
        zh = {loc: [t.gettext(n) for n in (getattr(c, "common_name", None), c.name, getattr(c, "official_name", None))
                    if n and t.gettext(n) != n] for loc, t in tr.items()}
        if code in places:
            cls, status = "Place", None
        elif code in non_members:
            cls, status = "State", None
        elif code in observers:
            cls, status = "State", "observer"
        else:
            cls, status = "State", "member"
            members += 1
        entry = {
            "id": code, "class": cls,
            "en": o.get("en") or (english[0] if english else c.name),
            "zh-Hant": o.get("zh-Hant") or (zh["zh_TW"] or zh["zh_HK"] or [None])[0],
            "zh-Hans": o.get("zh-Hans") or (zh["zh_CN"] or [None])[0],
            "aliases": _uniq(english + zh["zh_TW"] + zh["zh_HK"] + zh["zh_CN"] + list(o.get("aliases") or [])),
            "acronyms": list(o.get("acronyms") or []),
            "search_only": list(o.get("search_only") or []),
            "un_status": status,
            "description": o.get("description"),
            "source": f"pycountry {pycountry.__version__} ISO 3166-1 {code} (en, zh_CN, zh_TW, zh_HK)"
                      + (" + states-overlay.yaml" if o else ""),
        }
        search_only = set(entry["search_only"])
        entry["aliases"] = [a for a in entry["aliases"] if a not in search_only and a not in entry["acronyms"]]
        if o.get("ref"):
            entry["qid"], entry["qid_source"] = refs[o["ref"]]
        entries.append(entry)
    if members != UN_MEMBERS:
        raise SystemExit(f"expected {UN_MEMBERS} UN member states, got {members}: fix states-overlay.yaml")
    for extra in overlay.get("extra") or []:
        extra = dict(extra)
        ref = extra.pop("ref", None)
        if ref:
            extra["qid"], extra["qid_source"] = refs[ref]
        extra["source"] = "states-overlay.yaml (hand-curated; no ISO 3166-1 entry)"
        entries.append(extra)
    header = """GENERATED by scripts/generate_lexicon.py: do not edit by hand. Edit data/lexicon/sources/states-overlay.yaml
and regenerate. States (193 UN members, 2 observers, a few others) and ISO territories (class Place).
Names: pycountry's ISO 3166-1 data and its zh_CN/zh_TW/zh_HK translations, plus the overlay.
QIDs: only those verified in data/lexicon/reference-article-entities.csv (qid_source = its qid_status)."""
    return _dump(LEX / "entities" / "states.generated.yaml", header, "pycountry ISO 3166-1 + states-overlay.yaml", entries)


def _zh_from_csv(value: str) -> str | None:
    value = value.strip()
    return value.split(" (")[0].strip() or None


def _acronym_from_csv(value: str) -> str | None:
    value = value.strip()
    if not value or value.startswith("("):
        return None
    return value.split(" (")[0].strip()


def generate_memorandum() -> str:
    overlay = yaml.safe_load((LEX / "sources" / "memorandum-overlay.yaml").read_text(encoding="utf-8"))
    with MEMO_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["name_en"] for r in rows]
    missing, unused = set(names) - set(overlay), set(overlay) - set(names)
    if missing or unused:
        raise SystemExit(f"memorandum overlay out of sync: missing {sorted(missing)}, unknown {sorted(unused)}")
    entries = []
    for row in rows:
        o = overlay[row["name_en"]]
        csv_acronym = _acronym_from_csv(row["acronym"])
        acronyms = list(o.get("acronyms") or [])
        search_only = list(o.get("search_only_acronyms") or [])
        known = set(acronyms) | set(search_only) | set(o.get("aliases") or []) | {o.get("en")}
        if csv_acronym and csv_acronym not in known:
            raise SystemExit(f"{row['name_en']}: CSV acronym {csv_acronym!r} is not in the overlay entry")
        entry = {
            "id": o["id"], "class": o["class"],
            "en": o.get("en") or row["name_en"],
            "zh-Hant": o.get("zh-Hant") or _zh_from_csv(row["name_zh"]),
            "zh-Hans": o.get("zh-Hans"),
            "aliases": _uniq([row["name_en"]] + list(o.get("aliases") or [])),
            "acronyms": acronyms,
            "search_only": search_only,
            "memo_group": row["group"],
            "memo_name_en": row["name_en"],
            "description": o.get("description"),
            "source": "data/memorandum/memorandum-2026-01-07-66-bodies.csv row + memorandum-overlay.yaml",
        }
        if row["qid"] and not o.get("no_qid"):
            entry["qid"], entry["qid_source"] = row["qid"], row["qid_status"]
        entries.append(entry)
    entries.append({
        "id": "MEMO_2026_66_BODIES", "class": "Group",
        "en": "The 66 international organizations of the presidential memorandum of 7 January 2026",
        "zh-Hant": "66個國際組織",
        "zh-Hans": "66个国际组织",
        "aliases": ["66 international organizations", "66 international organisations", "66 international bodies",
                    "66 global organizations", "66 organizations", "66 organisations", "66個國際性組織", "66個國際機構",
                    "66個組織", "66个国际组织和机构"],
        "members": [e["id"] for e in entries],
        "description": "Bodies the United States withdraws from under the presidential memorandum of 2026-01-07 "
                       "(31 UN, 35 non-UN).",
        "source": "data/memorandum/memorandum-2026-01-07-66-bodies.csv (all rows)",
    })
    header = """GENERATED by scripts/generate_lexicon.py: do not edit by hand. Edit data/lexicon/sources/memorandum-overlay.yaml
and regenerate. The 66 bodies of the presidential memorandum of 2026-01-07 (memo_group, memo_name_en, QID and
qid_source exactly as in data/memorandum/memorandum-2026-01-07-66-bodies.csv) and the group of all 66."""
    return _dump(LEX / "entities" / "memorandum.generated.yaml", header, "memorandum CSV + memorandum-overlay.yaml",
                 entries)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    outputs = {
        LEX / "entities" / "states.generated.yaml": generate_states(),
        LEX / "entities" / "memorandum.generated.yaml": generate_memorandum(),
    }
    stale = []
    for path, text in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.relative_to(REPO).as_posix())
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print("out of date (run scripts/generate_lexicon.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
