"""Saved example queries: ``queries/*.rq`` files with a ``#+`` YAML header.

A saved query is plain SPARQL whose leading ``#+ `` lines hold YAML metadata (the grlc
convention), so the file still runs unchanged in any SPARQL client::

    #+ title: {en: Facts about an entity, zh: 關於某實體的事實}
    #+ description: {en: …, zh: …}
    #+ tags: [evidence]
    #+ params:
    #+   - {name: entity, type: iri, default: "id:entity/who"}
    SELECT ?entity ?fact WHERE { … }

Every file is checked when loaded (bad YAML, missing keys, a query that does not parse, a
parameter that is not projected) and the error names the file, so a broken query stops the
server and the tests instead of vanishing. Parameters are bound with pyoxigraph
``substitutions`` — typed terms, never text pasted into the query.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox
import yaml

from .errors import InputError, NotFound
from .namespaces import PREFIXES

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
PARAM_TYPES = ("iri", "literal", "integer", "date")
LANGUAGES = ("en", "zh")  # every title and description carries both
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_LITERAL = 1000
_KNOWN_KEYS = {"title", "description", "tags", "params", "needs_internet", "view"}
VIEWS = ("table", "timeline")


class SavedQueryError(InputError):
    """A file in ``queries/`` is not a valid saved query; the message names the file."""

    kind = "bad_saved_query"


def queries_dir() -> Path:
    """The folder of saved queries: ``KG_QUERIES_DIR`` or the repository's ``queries/``."""
    return Path(os.environ.get("KG_QUERIES_DIR") or QUERIES_DIR)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    required: bool = False
    label: dict[str, str] = field(default_factory=dict)
    lang: str | None = None  # a language tag for ``literal`` params

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """Turn the text a user typed into a typed RDF term, or raise :class:`InputError`."""
        if not isinstance(raw, str):
            raise InputError(f"parameter {self.name!r} must be text")
        value = raw.strip()
        if self.type == "iri":
            return ox.NamedNode(expand_iri(value, what=f"parameter {self.name!r}"))
        if self.type == "integer":
            if not _INTEGER.match(value):
                raise InputError(f"parameter {self.name!r} must be an integer, got {_shorten(raw)!r}")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if self.type == "date":
            try:
                day = _dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
            except ValueError:
                day = None
            if day is None:
                raise InputError(f"parameter {self.name!r} must be a date YYYY-MM-DD, got {_shorten(raw)!r}")
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        if len(raw) > MAX_LITERAL:
            raise InputError(f"parameter {self.name!r} is longer than {MAX_LITERAL} characters")
        return ox.Literal(raw, language=self.lang) if self.lang else ox.Literal(raw)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if self.default is not None:
            out["default"] = self.default
        if self.label:
            out["label"] = self.label
        if self.lang:
            out["lang"] = self.lang
        return out


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    text: str  # the whole file, header included: it is valid SPARQL
    title: dict[str, str]
    description: dict[str, str]
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    form: str  # SELECT, ASK, CONSTRUCT (also for DESCRIBE)
    needs_internet: bool = False
    view: str = "table"

    @property
    def body(self) -> str:
        """The SPARQL without the ``#+`` header, as shown to people."""
        return _split_header(self.text)[1].lstrip("\n")

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise InputError(
            f"query {self.name!r} has no parameter {name!r}"
            + (f"; it takes {', '.join(p.name for p in self.params)}" if self.params else "; it takes none")
        )

    def substitutions(self, values: Mapping[str, str] | None = None) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Typed bindings for the given (or default) parameter values; unknown names are an error."""
        values = dict(values or {})
        for name in values:
            self.param(name)
        out: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw == "":
                raw = p.default
            if raw is None:
                if p.required:
                    raise InputError(f"query {self.name!r} needs parameter {p.name!r} ({p.type})")
                continue  # left unbound: the query treats it as "any"
            out[ox.Variable(p.name)] = p.bind(str(raw))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "params": [p.to_json() for p in self.params],
            "form": self.form,
            "needs_internet": self.needs_internet,
            "view": self.view,
            "query": self.body,
        }


# ---- loading ---------------------------------------------------------------------------------

def load_dir(path: str | os.PathLike | None = None) -> dict[str, SavedQuery]:
    """Load and check every ``*.rq`` file of a folder, sorted by name."""
    folder = Path(path) if path is not None else queries_dir()
    if not folder.is_dir():
        raise SavedQueryError(f"{folder}: saved-query folder not found")
    return {q.name: q for q in (load_file(p) for p in sorted(folder.glob("*.rq")))}


def load_file(path: str | os.PathLike) -> SavedQuery:
    path = Path(path)
    name = path.stem

    def fail(msg: str) -> SavedQueryError:
        return SavedQueryError(f"{path.name}: {msg}", detail={"file": str(path)})

    if not _NAME.match(name):
        raise fail("file name must be lower-case letters, digits and '-' (it is the query's URL)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise fail(f"cannot read: {e}") from e
    header, _ = _split_header(text)
    try:
        meta = yaml.safe_load(header) if header.strip() else None
    except yaml.YAMLError as e:
        raise fail(f"bad YAML in the '#+' header: {' '.join(str(e).split())}") from e
    if not isinstance(meta, dict):
        raise fail("needs a '#+' YAML header with title, description, tags and params")
    unknown = set(meta) - _KNOWN_KEYS
    if unknown:
        raise fail(f"unknown header keys {sorted(unknown)}; allowed: {sorted(_KNOWN_KEYS)}")
    title = _bilingual(meta.get("title"), "title", fail)
    description = _bilingual(meta.get("description"), "description", fail)
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise fail("'tags' must be a list of words")
    needs_internet = meta.get("needs_internet", False)
    if not isinstance(needs_internet, bool):
        raise fail("'needs_internet' must be true or false")
    view = meta.get("view", "table")
    if view not in VIEWS:
        raise fail(f"'view' must be one of {', '.join(VIEWS)}")
    params = tuple(_param(p, fail) for p in (meta.get("params") or _not_list(meta.get("params"), fail)))
    if len({p.name for p in params}) != len(params):
        raise fail("two parameters share a name")
    for p in params:
        if re.search(r"\bBOUND\s*\(\s*[?$]" + re.escape(p.name) + r"\s*\)", text, re.IGNORECASE):
            raise fail(
                f"BOUND(?{p.name}) cannot test a substituted parameter (it is always false in Oxigraph); "
                f"use COALESCE(… = ?{p.name}, true) for an optional parameter"
            )
    form = _check_parses(text, params, fail)
    return SavedQuery(
        name=name, path=path, text=text, title=title, description=description, tags=tuple(tags),
        params=params, form=form, needs_internet=needs_internet, view=view,
    )


def _split_header(text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    header: list[str] = []
    i = 0
    for i, line in enumerate(lines):  # noqa: B007
        if line.startswith("#+"):
            rest = line[2:]
            header.append(rest[1:] if rest.startswith(" ") else rest)
        else:
            break
    else:
        i = len(lines)
    return "".join(header), "".join(lines[i:])


def _bilingual(value: Any, key: str, fail) -> dict[str, str]:
    if not isinstance(value, dict):
        raise fail(f"'{key}' must map languages to text, e.g. {{en: …, zh: …}}")
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        raise fail(f"'{key}' lacks {', '.join(missing)}")
    return {str(k): " ".join(str(v).split()) for k, v in value.items()}


def _not_list(value: Any, fail) -> list:
    if value is not None:
        raise fail("'params' must be a list")
    return []


def _param(spec: Any, fail) -> Param:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise fail("each parameter needs at least a name and a type")
    name = spec["name"]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise fail(f"parameter name {name!r} is not a SPARQL variable name")
    ptype = spec.get("type")
    if ptype not in PARAM_TYPES:
        raise fail(f"parameter {name!r}: type must be one of {', '.join(PARAM_TYPES)}")
    extra = set(spec) - {"name", "type", "default", "required", "label", "lang"}
    if extra:
        raise fail(f"parameter {name!r}: unknown keys {sorted(extra)}")
    default = spec.get("default")
    if isinstance(default, _dt.date):  # YAML reads 2026-01-07 as a date
        default = default.isoformat()
    if default is not None:
        default = str(default)
    label = spec.get("label") or {}
    if not isinstance(label, dict):
        raise fail(f"parameter {name!r}: 'label' must map languages to text")
    param = Param(
        name=name, type=ptype, default=default, required=bool(spec.get("required", False)),
        label={str(k): str(v) for k, v in label.items()}, lang=spec.get("lang"),
    )
    if default is not None:
        try:
            param.bind(default)
        except InputError as e:
            raise fail(f"default of {e.message}") from e
    return param


def _dummy(p: Param) -> ox.NamedNode | ox.Literal:
    return {
        "iri": ox.NamedNode("urn:x-check:param"),
        "integer": ox.Literal("0", datatype=ox.NamedNode(_XSD + "integer")),
        "date": ox.Literal("2000-01-01", datatype=ox.NamedNode(_XSD + "date")),
    }.get(p.type, ox.Literal("x"))


def _check_parses(text: str, params: tuple[Param, ...], fail) -> str:
    """Parse with Oxigraph against an empty store; SELECT and CONSTRUCT results are lazy, so nothing runs."""
    subs = {ox.Variable(p.name): _dummy(p) for p in params}
    try:
        result = ox.Store().query(text, substitutions=subs or None)
    except SyntaxError as e:
        raise fail(f"SPARQL does not parse: {str(e).splitlines()[0]}") from e
    except RuntimeError as e:  # a parameter missing from the SELECT projection
        raise fail(f"every parameter must be projected by the SELECT: {e}") from e
    except OSError:  # a SERVICE call evaluated eagerly (ASK); the text parsed
        return "ASK"
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    return "CONSTRUCT"


# ---- values people type ----------------------------------------------------------------------

def expand_iri(value: str, *, what: str = "IRI") -> str:
    """``<…>``, an absolute IRI or a known prefixed name (``id:entity/who``, ``wd:Q30``) -> absolute IRI."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    prefix, sep, local = v.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        v = PREFIXES[prefix] + local
    if not _SCHEME.match(v) or _IRI_FORBIDDEN.search(v) or len(v) > 2000:
        raise InputError(f"{what} must be an absolute IRI or a prefixed name like id:entity/who, got {_shorten(value)!r}")
    try:
        ox.NamedNode(v)
    except ValueError as e:
        raise InputError(f"{what} is not a valid IRI: {e}") from e
    return v


def _shorten(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# ---- running --------------------------------------------------------------------------------

def ordered(queries: Mapping[str, SavedQuery]) -> list[SavedQuery]:
    """The order people see: the competency questions first (by name), then the rest by English title."""
    def key(q: SavedQuery) -> tuple:
        competency = "competency" in q.tags and q.name.startswith("cq")
        return (0, q.name) if competency else (1, q.title["en"].lower())

    return sorted(queries.values(), key=key)


def get(queries: Mapping[str, SavedQuery], name: str) -> SavedQuery:
    try:
        return queries[name]
    except KeyError:
        raise NotFound(f"no saved query named {name!r}", detail={"available": sorted(queries)}) from None


def run(engine, query: SavedQuery, values: Mapping[str, str] | None = None, *, timeout: float | None = None):
    """Run a saved query through the query engine (``kg.sparql``) with its parameters bound."""
    return engine.query(query.text, substitutions=query.substitutions(values), timeout=timeout)


def expected_path(query: SavedQuery) -> Path:
    """Where the golden result of a query lives: ``queries/expected/<name>.srj``."""
    return query.path.parent / "expected" / f"{query.name}.srj"


def golden_text(result) -> str:
    """The golden-file form of a result: SPARQL JSON results, pretty-printed so diffs stay readable."""
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


_EXECUTABLE = {"SELECT": ("SPARQLSelectExecutable", "select"), "ASK": ("SPARQLAskExecutable", "ask"),
               "CONSTRUCT": ("SPARQLConstructExecutable", "construct")}


def to_turtle(queries: Mapping[str, SavedQuery], *, base: str, endpoint: str) -> str:
    """The saved queries as RDF, one ``sh:SPARQLExecutable`` each (the SIB sparql-examples convention), so the
    endpoint's examples can be read — and queried — like any other data. ``base`` + ``queries/<name>`` names each.
    Parameters are not described here (SHACL has no term for them); ``/queries.json`` lists them."""
    from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

    sh = Namespace("http://www.w3.org/ns/shacl#")
    schema = Namespace("https://schema.org/")
    g = Graph()
    g.bind("sh", sh)
    g.bind("schema", schema)
    for q in queries.values():
        node = URIRef(f"{base.rstrip('/')}/queries/{q.name}")
        cls, prop = _EXECUTABLE[q.form]
        g.add((node, RDF.type, sh.SPARQLExecutable))
        g.add((node, RDF.type, sh[cls]))
        for lang, text in q.title.items():
            g.add((node, RDFS.label, Literal(text, lang="zh-Hant" if lang == "zh" else lang)))
        for lang, text in q.description.items():
            g.add((node, RDFS.comment, Literal(text, lang="zh-Hant" if lang == "zh" else lang)))
        g.add((node, sh[prop], Literal(q.body)))
        g.add((node, schema.target, URIRef(endpoint)))
        for tag in q.tags:
            g.add((node, schema.keywords, Literal(tag)))
        if q.needs_internet:
            g.add((node, schema.keywords, Literal("needs-internet")))
    return g.serialize(format="turtle")
