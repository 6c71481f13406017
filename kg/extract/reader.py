"""Reading an article: bytes → text, HTML → text, the ``.meta.yaml`` sidecar, the language.

Offsets everywhere in the extraction refer to the *document text* this module returns:
for ``.txt`` files the file decoded as UTF-8 (a leading UTF-8 byte-order mark is dropped);
for ``.html`` files the visible text after tags, scripts and styles are removed and character
references are decoded (block elements become line breaks). ``text_sha256`` hashes that text.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # a news article is < 200 KB; extraction is linear (≈15 µs a character), so 5 MB ≈ 25 s
EXTENSIONS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html"}
LANGUAGES = ("zh-Hant", "zh-Hans", "en")
SIDECAR_KEYS = {"title", "publisher", "url", "published", "language", "published_inferred"}


@dataclass
class Document:
    path: str
    text: str
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    published_inferred: bool = False
    language: str = "zh-Hant"
    language_detected: bool = False
    source_format: str = "text"
    extra: dict = field(default_factory=dict)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.yaml")


# ---------------------------------------------------------------------------------------------- decoding

_COMMON_ZH = set("的是在了不和有大這这中人上為为們们個个年月日國国到說说地要就出會会也你對对生能而子那得於于著着下自之與与")


def _looks_chinese(text: str) -> int:
    return sum(1 for ch in text if ch in _COMMON_ZH)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text or an :class:`InputError` that says what the bytes look like instead."""
    if not data or not data.strip():
        raise InputError(f"{name}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: the file is UTF-16 (byte-order mark found); save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:65536]
    if b"\x00" in sample:
        raise InputError(f"{name}: binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guesses = []
        for enc, label in (("big5", "Big5"), ("gb18030", "GB18030")):
            try:
                guesses.append((_looks_chinese(data.decode(enc)), label))
            except UnicodeDecodeError:
                continue
        if guesses:
            best = max(guesses)[1]
            raise InputError(f"{name}: not UTF-8 (byte {exc.start}); it looks like {best}-encoded Chinese: "
                             f"convert it to UTF-8 (e.g. iconv -f {best} -t UTF-8)") from None
        raise InputError(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise InputError(f"{name}: binary file (control characters), not text")
    if not text.strip():
        raise InputError(f"{name}: the file contains only white space")
    return text


# ---------------------------------------------------------------------------------------------- HTML

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
          "article", "header", "footer", "blockquote", "figcaption", "figure", "title", "hr", "dd", "dt", "pre"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible text of an HTML page (lines stripped, runs of blank lines collapsed) and its <title>."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    title = re.sub(r"\s+", " ", "".join(parser.title_parts)).strip() or None
    return text, title


# ---------------------------------------------------------------------------------------------- language

_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def text_script(text: str) -> str | None:
    """"en" or "zh" by which script dominates the letters, None when neither is present."""
    sample = text[:20000]
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if han == 0 and latin == 0:
        return None
    return "en" if han * 3 < latin else "zh"


def detect_language(text: str) -> str:
    """en when Latin letters clearly outnumber Han characters; otherwise zh-Hant or zh-Hans by which OpenCC
    direction changes more characters (t2s changes traditional characters, s2t simplified ones)."""
    sample = text[:20000]
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if han * 3 < latin:
        return "en"
    from kg.lexicon import normalize

    traditional = sum(1 for a, b in zip(sample, normalize(sample)) if a != b and _HAN.match(a))
    to_trad = _s2t().convert(sample)
    simplified = sum(1 for a, b in zip(sample, to_trad) if a != b) if len(to_trad) == len(sample) else 0
    return "zh-Hant" if traditional >= simplified and traditional > 0 else ("zh-Hans" if simplified else "zh-Hant")


# ---------------------------------------------------------------------------------------------- sidecar

def _parse_date(value, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).strip()
    try:
        return _dt.date.fromisoformat(s).isoformat()
    except ValueError:
        raise InputError(f"{where}: 'published' must be a date YYYY-MM-DD, not {s!r}") from None


def read_sidecar(path: Path) -> dict:
    meta_path = sidecar_path(path)
    if not meta_path.exists():
        return {}
    import yaml

    try:
        raw = yaml.load(meta_path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        raise InputError(f"{meta_path}: malformed sidecar: not UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"{meta_path}: malformed sidecar: not valid YAML{where}") from None
    except ValueError as exc:  # PyYAML builds dates eagerly: "published: 2026-13-45"
        raise InputError(f"{meta_path}: malformed sidecar: a date is not a calendar date ({exc}); "
                         f"'published' must be YYYY-MM-DD") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(f"{meta_path}: malformed sidecar: expected a mapping of fields, got {type(raw).__name__}")
    meta = {k: raw.get(k) for k in SIDECAR_KEYS if k in raw}
    meta["published"] = _parse_date(raw.get("published"), f"{meta_path}: malformed sidecar")
    lang = raw.get("language")
    if lang is not None and lang not in LANGUAGES:
        raise InputError(f"{meta_path}: malformed sidecar: language {lang!r} is not one of {', '.join(LANGUAGES)}")
    for key in ("title", "publisher", "url"):
        if meta.get(key) is not None and not isinstance(meta[key], (str, int, float)):
            raise InputError(f"{meta_path}: malformed sidecar: {key!r} must be a string")
        if meta.get(key) is not None:
            meta[key] = str(meta[key])
    return meta


# ---------------------------------------------------------------------------------------------- entry points

def check_lang(lang: str | None) -> str:
    lang = lang or "auto"
    if lang != "auto" and lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r}: use auto, {', '.join(LANGUAGES)}")
    return lang


def make_document(text: str, *, path: str = "", meta: dict | None = None, lang: str = "auto",
                  published: str | None = None, source_format: str = "text", where: str | None = None) -> Document:
    meta = dict(meta or {})
    lang = check_lang(lang)
    where = where or path or "<text>"
    side_lang = meta.get("language")
    if lang != "auto" and side_lang and side_lang != lang:
        raise InputError(f"{where}: --lang {lang} contradicts the sidecar's language {side_lang}")
    if published is not None:
        published = _parse_date(published, f"{where}: --published")
        inferred = False
    else:
        published = _parse_date(meta.get("published"), where)
        inferred = bool(meta.get("published_inferred"))
    detected = False
    script = text_script(text)
    if script is None:
        raise InputError(f"{where}: cannot tell the language (no Chinese or Latin letters): only zh-Hant, zh-Hans "
                         f"and en are supported")
    language = lang if lang != "auto" else side_lang
    if language and (language == "en") != (script == "en"):
        source = "--lang" if lang != "auto" else "the sidecar's language"
        raise InputError(f"{where}: {source} {language} contradicts the text, which is written in "
                         f"{'English' if script == 'en' else 'Chinese'}")
    if not language:
        language, detected = detect_language(text), True
    return Document(path=path, text=text, title=meta.get("title"), publisher=meta.get("publisher"),
                    url=meta.get("url"), published=published, published_inferred=inferred, language=language,
                    language_detected=detected, source_format=source_format)


def read_document(path, *, lang: str = "auto", published: str | None = None) -> Document:
    """Read and check one article file and its sidecar; raise :class:`InputError` on anything unusable."""
    p = Path(path)
    name = str(p)
    lang = check_lang(lang)
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a directory, not an article file")
    kind = EXTENSIONS.get(p.suffix.lower())
    if kind is None:
        raise InputError(f"{name}: unsupported file type {p.suffix or '(no extension)'!r}: "
                         f"use .txt or .html (UTF-8)")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{name}: file too large ({size / 1048576:.1f} MB; the limit is "
                         f"{MAX_BYTES // 1048576} MB for one article)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    text = decode(data, name)
    meta = read_sidecar(p)
    html_title = None
    if kind == "html":
        text, html_title = html_to_text(text)
        if not text.strip():
            raise InputError(f"{name}: the HTML page has no visible text")
    if html_title and not meta.get("title"):
        meta["title"] = html_title
    return make_document(text, path=name, meta=meta, lang=lang, published=published, source_format=kind,
                         where=name)
