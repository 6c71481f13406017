"""The entity lexicon: names of states, organisations, people, treaties… and how to find them in text.

The lexicon is data (``data/lexicon/entities/*.yaml`` plus ``data/lexicon/rules.yaml``); this module loads it,
expands every Chinese alias to its zh-Hant / zh-Hans / regional forms, and compiles Aho-Corasick automata over
*normalised* aliases. :func:`normalize` maps each character on its own (traditional → simplified, full-width →
ASCII, dash and middle-dot variants → one form), so a normalised text has exactly the length of the original and
every match offset is an offset into the original text.

Loading is cached twice: once per process (:func:`load_lexicon` is memoised) and on disk (a pickle keyed on the
sha256 of the data files, this module's source and the converter versions), so a cold ``kg extract`` process
skips YAML parsing, OpenCC expansion and automaton construction after the first run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, ValidationError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicon"

# Ontology class local names an entry may have (see docs/architecture.md, "Extraction JSON").
CLASSES = frozenset({
    "State", "GovernmentBody", "IntergovernmentalOrganization", "UNSystemEntity", "NonGovernmentalOrganization",
    "MediaOrganization", "Organization", "Person", "Treaty", "ExecutiveOrder", "PresidentialMemorandum", "Event",
    "Place", "Group",
})

# Bump when the pickled structure changes in a way the source hash would not reveal.
_CACHE_FORMAT = 1

_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_QID_RE = re.compile(r"^Q[1-9]\d*$")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Entry:
    id: str
    cls: str
    labels: dict = field(hash=False)
    aliases: tuple = ()
    acronyms: tuple = ()
    country: str | None = None
    qid: str | None = None
    qid_source: str | None = None
    gender: str | None = None
    memo_group: str | None = None
    memo_name_en: str | None = None
    members: tuple = ()
    source: str = ""
    # Additions beyond the published API (all optional):
    ambiguous_with: tuple = ()   # ids of entries sharing a surface form with this one (see rules.yaml "ambiguous")
    search_only: tuple = ()      # names shown and searchable by candidates() but never matched in running text
    un_status: str | None = None  # "member" / "observer" for states
    description: str | None = None

    @property
    def label(self) -> str:
        """A display label: English first, then zh-Hant, then zh-Hans, then the id."""
        return self.labels.get("en") or self.labels.get("zh-Hant") or self.labels.get("zh-Hans") or self.id


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    entry_id: str
    alias: str
    alternatives: tuple = ()     # other entry ids this surface form may denote (ambiguous aliases, default first)


# --------------------------------------------------------------------------------------------------------------
# Normalisation

_FOLD_EXTRA = {
    0x3000: " ",                     # ideographic space
    0x00A0: " ",
    0x2027: "·", 0x30FB: "·", 0xFF65: "·", 0x2022: "·", 0x0387: "·", 0x2219: "·", 0x22C5: "·",  # name dots
    0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-", 0x2212: "-", 0xFE63: "-",
    0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"',
}


@functools.lru_cache(maxsize=1)
def _char_table() -> dict:
    """Character → character map used by :func:`normalize`.

    Built from OpenCC's t2s (then hk2s, tw2s for characters t2s leaves alone), converting each character in
    isolation so every value is exactly one character; phrase-level conversions are deliberately not used.
    """
    table: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
    table.update({cp: ch for cp, ch in _FOLD_EXTRA.items() if chr(cp) != ch})
    cached = _read_pickle(_cache_dir() / f"t2s-chars-{_CACHE_FORMAT}-{_opencc_version()}.pickle")
    if isinstance(cached, dict):
        table.update(cached)
        return table
    import opencc

    ranges = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00), range(0x20000, 0x2A6E0))
    chars = [chr(cp) for rng in ranges for cp in rng]
    cjk: dict[int, str] = {}
    # One call per converter over all characters, one per line: a phrase never spans a line break, so each
    # character is converted on its own. t2s decides first; hk2s and tw2s only fill characters it leaves alone.
    for name in ("tw2s", "hk2s", "t2s"):
        converted = opencc.OpenCC(name).convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):
            raise AssertionError(f"OpenCC {name} merged lines")
        cjk.update((ord(ch), out) for ch, out in zip(chars, converted) if out != ch and len(out) == 1)
    _write_pickle(_cache_dir() / f"t2s-chars-{_CACHE_FORMAT}-{_opencc_version()}.pickle", cjk)
    table.update(cjk)
    return table


def normalize(text: str) -> str:
    """Length-preserving normalisation: traditional → simplified per character, full-width → ASCII, dash, quote
    and middle-dot variants folded. Case is kept (acronyms are case-sensitive)."""
    out = text.translate(_char_table())
    if len(out) != len(text):  # every table value is one character; this guards the offset contract
        raise AssertionError("normalize() changed the text length")
    return out


_ASCII_LOWER = {cp: cp + 32 for cp in range(0x41, 0x5B)}


def _ascii_lower(s: str) -> str:
    return s.translate(_ASCII_LOWER)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def has_cjk(s: str) -> bool:
    return bool(_CJK_RE.search(s))


# --------------------------------------------------------------------------------------------------------------
# Loading

@functools.lru_cache(maxsize=8)
def _converter(name: str):
    import opencc

    return opencc.OpenCC(name)


def _script_forms(alias: str, rewrite_pairs: tuple) -> set[str]:
    """Every zh-Hant / zh-Hans / regional spelling of a Chinese alias (Latin aliases are returned unchanged)."""
    if not has_cjk(alias):
        return {alias}
    simplified = {_converter("t2s").convert(alias), _converter("hk2s").convert(alias), _converter("tw2s").convert(alias)}
    for _ in range(2):  # rewrite rules can chain (e.g. 特朗普 + 气候变化 in one alias)
        grown = set(simplified)
        for s in simplified:
            for a, b in rewrite_pairs:
                if a in s:
                    grown.add(s.replace(a, b))
                if b in s:
                    # b may be part of a (再生能源 in 可再生能源): protect a before widening b to a
                    grown.add(s.replace(a, "\0").replace(b, a).replace("\0", a))
        simplified = grown
    forms = {alias} | simplified
    for s in simplified:
        for conv in ("s2t", "s2tw", "s2hk"):
            forms.add(_converter(conv).convert(s))
    return forms


def _derive_label(label: str, conversion: str, rewrite_pairs: tuple, *, to_mainland: bool) -> str:
    """A missing zh label from the other one: zh-Hans follows mainland usage, zh-Hant Taiwan usage
    (rewrite pairs are written [mainland, Taiwan])."""
    if to_mainland:
        s = _converter(conversion).convert(label)
        for mainland, taiwan in rewrite_pairs:
            s = s.replace(mainland, "\0").replace(taiwan, mainland).replace("\0", mainland)
        return s
    s = label
    for mainland, taiwan in rewrite_pairs:
        s = s.replace(mainland, taiwan)
    return _converter(conversion).convert(s)


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _read_yaml(path: Path):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from exc


_ALLOWED_VALUES = {
    "gender": {None, "female", "male"},
    "un_status": {None, "member", "observer"},
    "memo_group": {None, "UN", "non-UN"},
}

_ENTRY_KEYS = {
    "id", "class", "en", "zh-Hant", "zh-Hans", "aliases", "acronyms", "search_only", "country", "qid", "qid_source",
    "gender", "memo_group", "memo_name_en", "members", "source", "un_status", "description", "note",
}


def _data_files(root: Path) -> list[Path]:
    files = sorted((root / "entities").glob("*.yaml"))
    rules = root / "rules.yaml"
    return files + ([rules] if rules.exists() else [])


def _fingerprint(root: Path) -> str:
    import ahocorasick
    h = hashlib.sha256()
    h.update(f"format={_CACHE_FORMAT};opencc={_opencc_version()};ahocorasick={getattr(ahocorasick, 'version', '?')}".encode())
    h.update(Path(__file__).read_bytes())
    for f in _data_files(root):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


class Lexicon:
    """Compiled lexicon: entries by id, matching automata, fuzzy name index."""

    def __init__(self, entries: dict, rules: dict, *, fingerprint: str = ""):
        import ahocorasick

        self.entries: dict[str, Entry] = entries
        self.fingerprint = fingerprint
        self._qid = {e.qid: e.id for e in entries.values() if e.qid}
        blockers = rules.get("blockers") or []
        ambiguous = {normalize(k): list(v) for k, v in (rules.get("ambiguous") or {}).items()}

        # key → (display alias, [entry ids]); two automata: exact case (CJK names, acronyms, blockers) and
        # ASCII-case-folded (Latin names, which must still contain an upper-case letter in the text).
        exact: dict[str, tuple[str, list]] = {}
        folded: dict[str, tuple[str, list]] = {}
        self.collisions: dict[str, list[str]] = {}
        for e in entries.values():
            for surface, is_acr in [(a, False) for a in e.aliases] + [(a, True) for a in e.acronyms]:
                key = normalize(surface)
                if len(key.strip()) < 2:  # single characters (美, 中) are never names on their own
                    continue
                table, k = (exact, key) if (is_acr or has_cjk(key)) else (folded, _ascii_lower(key))
                slot = table.setdefault(k, (surface, []))
                if e.id not in slot[1]:
                    slot[1].append(e.id)
        for table in (exact, folded):
            for k, (surface, ids) in table.items():
                if len(ids) > 1:
                    order = ambiguous.get(k) or ambiguous.get(normalize(surface))
                    if order:
                        ids.sort(key=lambda i: order.index(i) if i in order else len(order))
                    else:
                        ids.sort()
                        self.collisions[surface] = list(ids)
        for b in blockers:
            key = normalize(b)
            if has_cjk(key):
                exact.setdefault(key, (b, []))
            else:
                folded.setdefault(_ascii_lower(key), (b, []))

        self._automata = []
        for table, is_folded in ((exact, False), (folded, True)):
            auto = ahocorasick.Automaton()
            for k, (surface, ids) in table.items():
                auto.add_word(k, (len(k), surface, tuple(ids)))
            if len(auto):
                auto.make_automaton()
                self._automata.append((auto, is_folded))
        self._name_index = None

    # -- lookup ----------------------------------------------------------------------------------------------
    def get(self, id: str) -> Entry | None:
        return self.entries.get(id)

    def __contains__(self, id: str) -> bool:
        return id in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def by_qid(self, qid: str) -> Entry | None:
        entry_id = self._qid.get(qid)
        return self.entries.get(entry_id) if entry_id else None

    # -- matching --------------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Match]:
        """Non-overlapping lexicon matches in ``text``, longest first and then leftmost, in text order
        (offsets into ``text`` itself)."""
        norm = normalize(text)
        n = len(norm)
        found = []
        for auto, is_folded in self._automata:
            haystack = _ascii_lower(norm) if is_folded else norm
            for end_idx, (length, surface, ids) in auto.iter(haystack):
                start, end = end_idx - length + 1, end_idx + 1
                if _is_word_char(norm[start]) and start > 0 and _is_word_char(norm[start - 1]):
                    continue
                if _is_word_char(norm[end - 1]) and end < n and _is_word_char(norm[end]):
                    continue
                if is_folded and ids and not any(c.isupper() for c in norm[start:end]):
                    continue  # "turkey", "china", "chad" in lower case are words, not states
                found.append((start, -end, surface, ids))
        # Longest first, then leftmost: "the United Nations Educational, Scientific…" is UNESCO even though a
        # shorter name starts earlier. A byte per character marks the spans already taken.
        found.sort(key=lambda f: (f[1] + f[0], f[0]))
        occupied = bytearray(n)
        taken = []
        for start, neg_end, surface, ids in found:
            end = -neg_end
            if occupied.find(1, start, end) != -1:
                continue
            occupied[start:end] = b"\x01" * (end - start)
            taken.append((start, end, surface, ids))
        taken.sort()
        # a blocker (no ids) consumes its span and yields nothing
        return [Match(s, e, text[s:e], ids[0], surface, tuple(ids[1:])) for s, e, surface, ids in taken if ids]

    # -- fuzzy search ----------------------------------------------------------------------------------------
    def _names(self):
        if self._name_index is None:
            keys: list[tuple[str, str, str]] = []  # (folded key, entry id, original surface)
            acronyms: dict[str, list[str]] = defaultdict(list)
            for e in self.entries.values():
                surfaces = set(e.aliases) | set(e.search_only) | {v for v in e.labels.values() if v}
                seen = set()
                for s in surfaces:
                    k = _fold(s)
                    if k and (k, e.id) not in seen:
                        seen.add((k, e.id))
                        keys.append((k, e.id, s))
                for a in e.acronyms:
                    acronyms[normalize(a)].append(e.id)
                    k = _fold(a)
                    if (k, e.id) not in seen:
                        seen.add((k, e.id))
                        keys.append((k, e.id, a))
            postings: dict[str, list[int]] = defaultdict(list)
            for i, (k, _, _) in enumerate(keys):
                for feat in _features(k):
                    postings[feat].append(i)
            exact: dict[str, list[int]] = defaultdict(list)
            for i, (k, _, _) in enumerate(keys):
                exact[k].append(i)
            self._name_index = (keys, dict(acronyms), dict(postings), dict(exact))
        return self._name_index

    def candidates(self, name: str, limit: int = 10) -> list[tuple[Entry, float]]:
        """Entries whose labels, aliases or acronyms resemble ``name``, best first, with a score in 0–100.

        An exact match after normalisation (script, width, ASCII case) scores 100 (an acronym only when the case
        also matches; 90 otherwise); a prefix match 50–90 by length ratio; otherwise a Dice overlap of words (Latin)
        or character bigrams (Chinese), scaled to 0–80."""
        keys, acronyms, postings, exact = self._names()
        q = _fold(name)
        if not q:
            return []
        scores: dict[str, float] = {}

        def bump(entry_id: str, score: float):
            if score > scores.get(entry_id, 0.0):
                scores[entry_id] = score

        for entry_id in acronyms.get(normalize(name.strip()), ()):
            bump(entry_id, 100.0)
        for i in exact.get(q, ()):
            k, entry_id, surface = keys[i]
            is_acr = surface in self.entries[entry_id].acronyms
            bump(entry_id, 90.0 if is_acr and normalize(surface) != normalize(name.strip()) else 100.0)
        qf = _features(q)
        pool = set()
        for feat in qf:
            pool.update(postings.get(feat, ()))
        for i in pool:
            k, entry_id, _ = keys[i]
            kf = _features(k)
            dice = 2 * len(qf & kf) / (len(qf) + len(kf)) if (qf or kf) else 0.0
            score = 80.0 * dice
            shorter, longer = sorted((q, k), key=len)
            if len(shorter) >= 2 and longer.startswith(shorter):
                score = max(score, 50.0 + 40.0 * len(shorter) / len(longer))
            bump(entry_id, round(score, 1))
        ranked = sorted(((s, i) for i, s in scores.items() if s >= 20.0), key=lambda t: (-t[0], t[1]))
        return [(self.entries[i], s) for s, i in ranked[:limit]]


def _fold(s: str) -> str:
    """Key for fuzzy search: normalised, ASCII lower case, punctuation and spaces collapsed."""
    s = _ascii_lower(normalize(unicodedata.normalize("NFC", s)))
    s = re.sub(r"[\s\-_.,;:'\"()《》「」『』〈〉【】]+", " ", s)
    return s.strip()


def _features(k: str) -> frozenset:
    feats = set(re.findall(r"[a-z0-9]+", k))
    cjk = [c for c in k if has_cjk(c)]
    feats.update(a + b for a, b in zip(cjk, cjk[1:]))
    if len(cjk) == 1:
        feats.add(cjk[0])
    return frozenset(feats)


def _build(root: Path) -> Lexicon:
    rules_path = root / "rules.yaml"
    rules = (_read_yaml(rules_path) or {}) if rules_path.exists() else {}
    rewrite_pairs = tuple(tuple(p) for p in rules.get("rewrite_pairs") or [])
    regional_pairs = rewrite_pairs + tuple(tuple(p) for p in rules.get("regional_pairs") or [])
    entries: dict[str, Entry] = {}
    problems: list[str] = []
    for path in _data_files(root):
        if path.name == "rules.yaml":
            continue
        doc = _read_yaml(path) or {}
        if not isinstance(doc, dict) or not isinstance(doc.get("entries") or [], list):
            problems.append(f"{path.name}: expected a mapping with an 'entries' list")
            continue
        default_source = doc.get("source") or path.name
        for raw in doc.get("entries") or []:
            if not isinstance(raw, dict):
                problems.append(f"{path.name}: entry {raw!r} is not a mapping")
                continue
            where = f"{path.name}: {raw.get('id', '?')}"
            unknown = set(raw) - _ENTRY_KEYS
            if unknown:
                problems.append(f"{where}: unknown keys {sorted(unknown)}")
            entry_id, cls = raw.get("id"), raw.get("class")
            if not entry_id or not _ID_RE.match(str(entry_id)):
                problems.append(f"{where}: id must be upper snake case")
                continue
            if entry_id in entries:
                problems.append(f"{where}: duplicate id")
                continue
            if cls not in CLASSES:
                problems.append(f"{where}: unknown class {cls!r}")
            for key, allowed in _ALLOWED_VALUES.items():
                if raw.get(key) not in allowed:
                    problems.append(f"{where}: {key} must be one of {sorted(a for a in allowed if a)}")
            qid = raw.get("qid")
            if qid and (not _QID_RE.match(str(qid)) or not raw.get("qid_source")):
                problems.append(f"{where}: qid needs the Q-number form and a qid_source")
            labels = {"en": raw.get("en"), "zh-Hant": raw.get("zh-Hant"), "zh-Hans": raw.get("zh-Hans")}
            if labels["zh-Hant"] and not labels["zh-Hans"]:
                labels["zh-Hans"] = _derive_label(labels["zh-Hant"], "t2s", rewrite_pairs, to_mainland=True)
            if labels["zh-Hans"] and not labels["zh-Hant"]:
                labels["zh-Hant"] = _derive_label(labels["zh-Hans"], "s2tw", rewrite_pairs, to_mainland=False)
            acronyms = _as_tuple(raw.get("acronyms"))
            search_only = _as_tuple(raw.get("search_only"))
            expanded_search_only: list[str] = []
            for name in search_only:
                for form in sorted(_script_forms(name, regional_pairs)):
                    if form not in expanded_search_only:
                        expanded_search_only.append(form)
            unmatched = {normalize(f) for f in expanded_search_only}
            surfaces: list[str] = []
            for name in [v for v in labels.values() if v] + list(_as_tuple(raw.get("aliases"))):
                for form in sorted(_script_forms(name, regional_pairs)):
                    if form not in surfaces and form not in acronyms and normalize(form) not in unmatched:
                        surfaces.append(form)
            entries[entry_id] = Entry(
                id=entry_id, cls=cls, labels=labels, aliases=tuple(surfaces), acronyms=acronyms,
                country=raw.get("country"), qid=qid or None, qid_source=raw.get("qid_source") if qid else None,
                gender=raw.get("gender"), memo_group=raw.get("memo_group"), memo_name_en=raw.get("memo_name_en"),
                members=_as_tuple(raw.get("members")), source=str(raw.get("source") or default_source),
                search_only=tuple(expanded_search_only), un_status=raw.get("un_status"),
                description=raw.get("description"),
            )
    for e in entries.values():
        for m in e.members:
            if m not in entries:
                problems.append(f"{e.id}: member {m} is not in the lexicon")
        if e.country and (e.country not in entries or entries[e.country].cls != "State"):
            problems.append(f"{e.id}: country {e.country} is not a State of the lexicon")
    for alias, ids in (rules.get("ambiguous") or {}).items():
        for i in ids:
            if i not in entries:
                problems.append(f"rules.yaml ambiguous {alias!r}: unknown id {i}")
    if problems:
        raise ValidationError(f"lexicon in {root} is invalid: {problems[0]} (+{len(problems) - 1} more)",
                              detail={"problems": problems})
    # Entries that share an ambiguous surface form point at each other.
    partners: dict[str, set] = defaultdict(set)
    for ids in (rules.get("ambiguous") or {}).values():
        for i in ids:
            partners[i].update(j for j in ids if j != i)
    if partners:
        from dataclasses import replace

        for i, others in partners.items():
            entries[i] = replace(entries[i], ambiguous_with=tuple(sorted(others)))
    return Lexicon(entries, rules)


# --------------------------------------------------------------------------------------------------------------
# Caching

def _cache_dir() -> Path:
    if os.environ.get("IPAKG_CACHE_DIR"):
        return Path(os.environ["IPAKG_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "ipakg"
    return Path(__file__).resolve().parent.parent / "var" / "cache"


@functools.lru_cache(maxsize=1)
def _opencc_version() -> str:
    try:
        from importlib.metadata import version

        return version("opencc")
    except Exception:  # noqa: BLE001 - any install layout without metadata
        return "unknown"


def _read_pickle(path: Path):
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def _write_pickle(path: Path, obj) -> None:
    """Best effort: a read-only or full disk only costs the next process a rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass


@functools.lru_cache(maxsize=4)
def _load(root: str) -> Lexicon:
    path = Path(root)
    if not (path / "entities").is_dir():
        raise InputError(f"{path}: not a lexicon directory (no entities/ folder)")
    fingerprint = _fingerprint(path)
    # One cache file per lexicon directory, so a test lexicon never evicts the repository's.
    prefix = f"lexicon-{hashlib.sha256(root.encode()).hexdigest()[:8]}-"
    cache_file = _cache_dir() / f"{prefix}{fingerprint[:20]}.pickle"
    lex = _read_pickle(cache_file)
    if isinstance(lex, Lexicon) and lex.fingerprint == fingerprint:
        return lex
    lex = _build(path)
    lex.fingerprint = fingerprint
    lex._names()  # the fuzzy index goes into the cache too
    _write_pickle(cache_file, lex)
    for old in cache_file.parent.glob(f"{prefix}*.pickle"):
        if old != cache_file:
            try:
                old.unlink()
            except OSError:
                pass
    return lex


def load_lexicon(path: str | os.PathLike | None = None) -> Lexicon:
    """The lexicon in ``path`` (default: the repository's ``data/lexicon``), built once per process."""
    return _load(str(Path(path or DATA_DIR).resolve()))
