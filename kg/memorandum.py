"""The memorandum list as a second, structured source document.

``data/memorandum/memorandum-2026-01-07-66-bodies.csv`` lists the 66 bodies of the presidential memorandum of
7 January 2026, one row per body, in the memorandum's two groups (``non-UN``, ``UN``). This module reads it into
the same extraction JSON an article gives (see docs/architecture.md), so the builder treats it like any other
document: its text is the CSV text, and each body's withdrawal has the exact span of its row as evidence.

What it says, as facts:

* one umbrella ``Withdrawal`` by the actor (the United States) from the group of 66 bodies, announced on the
  memorandum's date, with ``legal_basis`` the memorandum and the executive order it executes;
* one sub-action per row (``subaction_of`` the umbrella), a ``Withdrawal`` targeting that body, modality
  ``announced``, evidence the row;
* the group entity with every body as member, and one group per section of the memorandum (UN / non-UN).

Bodies are joined to lexicon entries on ``memo_name_en`` (the exact ``name_en`` of the row). A body with no
lexicon entry gets a stable local entity minted from its row, typed as its group implies. The ids of the actor,
the memorandum, the executive order and the groups come from the CSV's ``.meta.yaml`` sidecar, not from code.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import re
from pathlib import Path

import yaml

from .errors import InputError

COLUMNS = ("group", "name_en", "acronym", "name_zh", "qid", "qid_status", "source_urls")
REQUIRED_META = ("title", "publisher", "published", "memorandum", "legal_basis", "actor", "group", "groups")


def is_memorandum_csv(path: str | Path) -> bool:
    """True when ``path`` is a CSV whose header is the memorandum list's."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return False
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader([fh.readline()]), [])
    except (OSError, UnicodeDecodeError):
        return False
    return tuple(h.strip().lstrip("\ufeff") for h in header) == COLUMNS


def read_meta(path: Path) -> dict:
    side = path.with_name(path.name + ".meta.yaml")
    if not side.is_file():
        raise InputError(f"{path}: the memorandum list needs its sidecar {side.name}")
    try:
        meta = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(f"{side}: not readable YAML: {str(e).splitlines()[0]}") from e
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    if missing:
        raise InputError(f"{side}: missing {', '.join(missing)}")
    if isinstance(meta["published"], _dt.date):
        meta["published"] = meta["published"].isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(meta["published"])):
        raise InputError(f"{side}: published must be YYYY-MM-DD, got {meta['published']!r}")
    return meta


def rows_with_spans(text: str, where: str) -> list[tuple[dict, int, int]]:
    """Parse the CSV text; give each data row with the code-point span of its physical line(s), terminator excluded."""
    rows: list[tuple[dict, int, int]] = []
    pos, start, buf, header = 0, None, "", None
    for line in text.splitlines(keepends=True):
        if start is None:
            start = pos
        buf += line
        pos += len(line)
        if buf.count('"') % 2:  # a quoted field runs on to the next line
            continue
        record = buf.rstrip("\r\n")
        end = start + len(record)
        start_, buf, start = start, "", None
        if not record.strip():
            continue
        fields = next(csv.reader([record]))
        if header is None:
            header = tuple(f.strip().lstrip("\ufeff") for f in fields)
            if header != COLUMNS:
                raise InputError(f"{where}: not the memorandum list (header {','.join(header)!r})")
            continue
        if len(fields) != len(COLUMNS):
            line_no = text.count("\n", 0, start_) + 1
            raise InputError(f"{where}: line {line_no} has {len(fields)} fields, expected {len(COLUMNS)}")
        rows.append((dict(zip(COLUMNS, fields)), start_, end))
    if buf:
        raise InputError(f"{where}: unterminated quoted field at the end of the file")
    if header is None or not rows:
        raise InputError(f"{where}: the memorandum list has no rows")
    return rows


def local_entity_id(name_en: str) -> str:
    """The extractor's convention for entities outside the lexicon: LOCAL_<slug of the name>."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name_en).strip("_").upper()
    return f"LOCAL_{slug or hashlib.sha256(name_en.encode()).hexdigest()[:12].upper()}"


def _zh_hans(text: str | None) -> str | None:
    if not text:
        return None
    import opencc  # only for bodies outside the lexicon that carry a Chinese name

    return opencc.OpenCC("t2s").convert(text)


def _first_name(cell: str) -> str | None:
    """``name_zh`` may add variants in parentheses: keep the name itself."""
    cell = cell.strip()
    return re.split(r"\s*[((]", cell, maxsplit=1)[0].strip() or None if cell else None


def _mention(text: str, row_start: int, row_end: int, name: str) -> list[dict]:
    i = text.find(name, row_start, row_end)
    return [{"start": i, "end": i + len(name), "text": name}] if i >= 0 else []


def _entity_from_lexicon(entry, mentions: list[dict]) -> dict:
    return {
        "id": entry.id,
        "class": entry.cls,
        "label": dict(entry.labels),
        "wikidata": entry.qid,
        "mentions": mentions,
    }


def extract_memorandum(path: str | Path, *, lexicon=None) -> dict:
    """Read the memorandum list into extraction JSON. Raises :class:`InputError` on a broken file."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{where}: cannot read: {e.strerror or e}") from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not UTF-8 (byte {e.start})") from e
    if text.startswith("\ufeff"):
        raise InputError(f"{where}: starts with a byte-order mark; offsets would be ambiguous, remove it")
    if not text.strip():
        raise InputError(f"{where}: empty file")
    meta = read_meta(path)
    rows = rows_with_spans(text, where)

    by_memo_name = {}
    if lexicon is not None:
        by_memo_name = {e.memo_name_en: e for e in lexicon.entries.values() if getattr(e, "memo_name_en", None)}

    def known(entity_id: str, cls: str, label_en: str | None = None) -> dict:
        entry = lexicon.get(entity_id) if lexicon is not None else None
        if entry is not None:
            return _entity_from_lexicon(entry, [])
        return {"id": entity_id, "class": cls, "label": {"en": label_en, "zh-Hant": None, "zh-Hans": None},
                "wikidata": None, "mentions": []}

    groups_meta = meta["groups"]
    unknown_groups = sorted({r["group"] for r, _, _ in rows} - set(groups_meta))
    if unknown_groups:
        raise InputError(f"{where}: rows in groups {unknown_groups} that the sidecar does not describe")

    entities: dict[str, dict] = {}
    facts: list[dict] = []
    group_members: dict[str, list[str]] = {g: [] for g in groups_meta}
    all_members: list[str] = []
    evidence_rows: list[dict] = []
    doc_date = str(meta["published"])
    actor = meta["actor"]

    for n, (row, start, end) in enumerate(rows, 1):
        name = row["name_en"].strip()
        if not name:
            raise InputError(f"{where}: row {n} has no name_en")
        mentions = _mention(text, start, end, name)
        entry = by_memo_name.get(name)
        if entry is not None:
            ent = _entity_from_lexicon(entry, mentions)
        else:
            zh = _first_name(row["name_zh"])
            ent = {
                "id": local_entity_id(name),
                "class": groups_meta[row["group"]]["class"],
                "label": {"en": name, "zh-Hant": zh, "zh-Hans": _zh_hans(zh)},
                "wikidata": None,
                "mentions": mentions,
                "memo_row": n,
            }
        if ent["id"] in entities:
            entities[ent["id"]]["mentions"].extend(ent["mentions"])
        else:
            entities[ent["id"]] = ent
        group_members[row["group"]].append(ent["id"])
        all_members.append(ent["id"])
        span = {"start": start, "end": end, "text": text[start:end]}
        evidence_rows.append(span)
        facts.append({
            "id": f"row-{n}",
            "type": "Withdrawal",
            "actor": actor,
            "targets": [ent["id"]],
            "date": doc_date,
            "date_role": "announced",
            "date_resolution": "inferred-from-publication-date",
            "modality": "announced",
            "evidence": [span],
            "confidence": 1.0,
            "subaction_of": "umbrella",
            "memo_group": row["group"],
        })

    for ent_id, cls in ((actor, "State"), (meta["memorandum"], "PresidentialMemorandum")):
        entities.setdefault(ent_id, known(ent_id, cls))
    for basis in meta["legal_basis"]:
        entities.setdefault(basis, known(basis, "ExecutiveOrder"))
    group = known(meta["group"], "Group", f"The {len(all_members)} bodies of the memorandum of {doc_date}")
    group["members"] = all_members
    entities[group["id"]] = group
    for key, g in groups_meta.items():
        sub = known(g["id"], "Group", g.get("label_en"))
        sub["members"] = group_members[key]
        entities[sub["id"]] = sub

    facts.insert(0, {
        "id": "umbrella",
        "type": "Withdrawal",
        "actor": actor,
        "targets": [meta["group"]],
        "date": doc_date,
        "date_role": "announced",
        "date_resolution": "inferred-from-publication-date",
        "modality": "announced",
        "evidence": evidence_rows,
        "confidence": 1.0,
        "legal_basis": list(meta["legal_basis"]),
    })

    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return {
        "document": {
            "id": sha[:16],
            "path": str(path),
            "title": meta["title"],
            "language": meta.get("language") or "en",
            "published": doc_date,
            "published_inferred": bool(meta.get("published_inferred", False)),
            "publisher": meta["publisher"],
            "url": meta.get("url"),
            "text_sha256": sha,
            "kind": "memorandum-list",
            "source": meta.get("source"),
            "source_entity": meta["memorandum"],
        },
        "entities": list(entities.values()),
        "facts": facts,
    }
