"""Article → entities, mentions and policy-action facts (the extraction JSON of docs/architecture.md).

``extract_path(path)`` reads a .txt/.html file and its ``.meta.yaml`` sidecar; ``extract_text(text)`` works on
a string. Both are deterministic and offline: the same input gives byte-identical JSON.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError

from .reader import Document, make_document, read_document

__all__ = ["extract_path", "extract_text", "extract_document", "InputError"]


def extract_document(doc: Document, lexicon=None) -> dict:
    from kg.lexicon import load_lexicon, normalize

    from .dates import find_times
    from .facts import extract_facts
    from .mentions import MentionFinder
    from .numbers import find_numbers
    from .segment import sentences
    from .serialize import to_json

    lex = lexicon or load_lexicon()
    text = doc.text
    norm = normalize(text)
    finder = MentionFinder(text, norm, doc.language, lex)
    mentions, entities = finder.run()
    sents = sentences(text, doc.language)
    times = find_times(text, norm, doc.language, doc.published, [(s.start, s.end) for s in sents if s.zone != "body"])
    # a time expression inside a name (第30屆…) is part of the name, not a date
    owner = bytearray(len(text))
    for m in mentions:
        owner[m.start:m.end] = b"\x01" * (m.end - m.start)
    times = [t for t in times if not (owner[t.start] and owner[t.end - 1] and all(owner[t.start:t.end]))]
    numbers = find_numbers(text, norm, doc.language)
    facts, extra_mentions = extract_facts(text, norm, doc.language, sents, mentions, entities, times, finder,
                                          doc.published)
    return to_json(doc, list(mentions) + list(extra_mentions), entities, facts, times, numbers,
                   getattr(lex, "fingerprint", ""), [(s.start, s.end) for s in sents if s.zone != "body"])


def extract_path(path, *, lang: str = "auto", published: str | None = None, lexicon=None) -> dict:
    return extract_document(read_document(Path(path), lang=lang, published=published), lexicon)


def extract_text(text: str, *, doc_path: str = "", meta: dict | None = None, lang: str = "auto",
                 published: str | None = None, lexicon=None) -> dict:
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{doc_path or '<text>'}: the text is empty")
    return extract_document(make_document(text, path=doc_path, meta=meta, lang=lang, published=published), lexicon)
