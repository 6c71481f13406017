"""``RemoteEngine``: the query-engine protocol of :mod:`kg.sparql` over a SPARQL 1.1 endpoint (HTTP).

``kg serve --backend URL`` answers the API, saved queries, entity pages and UI from any SPARQL 1.1 store
(Oxigraph, Fuseki, Virtuoso, QLever, GraphDB, Neptune…) instead of the embedded one; ``kg push`` puts the
built graphs there first. Everything above the engine (content negotiation, result cache, ETags, error
shape) is unchanged; only where the triples live differs.

What differs from :class:`kg.sparql.LocalEngine`, and why:

* **Default graph.** Our queries expect the default graph to be the union of the named graphs. Virtuoso,
  GraphDB and Neptune do that out of the box; Oxigraph needs ``--union-default-graph`` (or
  ``?union-default-graph`` in the URL); Fuseki/TDB2 needs ``tdb2:unionDefaultGraph true``. Parameters in
  the endpoint URL's query string are sent with every request, so a URL such as
  ``http://host:7878/query?union-default-graph`` works.
* **Substitutions** (saved-query parameters) are bound with a ``VALUES`` block at the top of the query's
  ``WHERE`` group, built from typed terms, never pasted text.
* **Time limit**: the HTTP read timeout; a query past it raises :class:`~kg.errors.QueryTimeout` (the remote
  engine may run on; use its own limit too, e.g. Fuseki ``arq:queryTimeout``, Virtuoso ``MaxQueryExecutionTime``).
* **Row cap**: applied to what comes back (the remote still computes the whole result).
* **Generation**: a remote store has no generation counter, so ``generation`` is the endpoint plus a time
  window of ``cache_seconds`` (default 10 s): cached responses and ETags live at most that long. ``0``
  gives a new generation on every call (no caching).
* **Writes** (``update`` and the graph-store methods) are possible when ``update_url`` (SPARQL Update) and/or
  ``graph_store_url`` (Graph Store Protocol) are given; ``kg serve --backend`` never passes them (it serves
  read-only) but :mod:`kg.push` does.

Errors: an unreachable endpoint or a 5xx is a :class:`~kg.errors.StoreError` (503); a 400 from the
endpoint is a :class:`~kg.errors.QuerySyntaxError` carrying the endpoint's message.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import socket
import threading
import time
import urllib.parse
from typing import Any, BinaryIO, Iterable, Mapping, Sequence

import pyoxigraph as ox

from .errors import InputError, KGError, NotFound, QuerySyntaxError, QueryTimeout, StoreError
from .sparql import (
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT,
    JSON_RESULTS,
    ReadOnly,
    Result,
    _UNSET,
    _check_iris,
    _Limits,
    _timeout,
    _tokens,
    normalize_media_type,
    query_kind,
    rdf_format,
    serialize_triples,
)

USER_AGENT = "ipakg-remote/1 (+https://w3id.org/ipakg)"
_POSITION = re.compile(r"(?:line|at)\s*(\d+)[:, ]+(?:column\s*)?(\d+)", re.I)


class RemoteHTTPError(KGError):
    """The endpoint answered with an unexpected status (details in ``detail``)."""

    http_status = 502
    kind = "backend_error"

    def __init__(self, message: str, *, status: int, body: str, detail: dict | None = None):
        super().__init__(message, detail={"status": status, "body": body[:2000], **(detail or {})})
        self.status = status
        self.body = body


class HTTPClient:
    """A tiny keep-alive HTTP/1.1 client (one connection per thread and host), stdlib only.

    ``requests``/``httpx`` would do, but the library must not need them; this is all the engine and
    ``kg push`` use: a method, a URL, headers, a body, a timeout.
    """

    def __init__(self, headers: Mapping[str, str] | None = None):
        self.headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._local = threading.local()

    def _conn(self, scheme: str, netloc: str, timeout: float | None) -> http.client.HTTPConnection:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        conn = pool.get((scheme, netloc))
        if conn is None:
            cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            conn = pool[(scheme, netloc)] = cls(netloc, timeout=timeout)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop(self, scheme: str, netloc: str) -> None:
        conn = getattr(self._local, "pool", {}).pop((scheme, netloc), None)
        if conn is not None:
            conn.close()

    def request(self, method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None,
                timeout: float | None = None) -> tuple[int, dict[str, str], bytes]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"not an http(s) URL: {url!r}")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        hdrs = {**self.headers, **(headers or {})}
        if parts.username is not None and "Authorization" not in hdrs:
            cred = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            hdrs["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        for attempt in (0, 1):
            conn = self._conn(parts.scheme, netloc, timeout)
            try:
                conn.request(method, target, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self._drop(parts.scheme, netloc)
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (socket.timeout, TimeoutError):
                self._drop(parts.scheme, netloc)
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.BadStatusLine):
                # A kept-alive connection the server had closed: retry once on a fresh one.
                self._drop(parts.scheme, netloc)
                if attempt:
                    raise
            except OSError:
                self._drop(parts.scheme, netloc)
                raise
        raise AssertionError("unreachable")


def _term(binding: Mapping[str, Any]) -> Any:
    """A SPARQL JSON results term -> pyoxigraph term."""
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value) if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", value or "") else ox.BlankNode()
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return ox.Literal(value, language=binding["xml:lang"])
        if binding.get("datatype"):
            return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(value)
    if kind == "triple":
        v = binding["value"]
        return ox.Triple(_term(v["subject"]), _term(v["predicate"]), _term(v["object"]))
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def _values_block(substitutions: Mapping[Any, Any]) -> str:
    names, terms = [], []
    for k, v in substitutions.items():
        name = k.value if isinstance(k, ox.Variable) else str(k).lstrip("?$")
        if not isinstance(v, (ox.NamedNode, ox.Literal)):
            raise InputError(f"cannot bind ?{name} to {v!r} on a remote endpoint (IRIs and literals only)")
        names.append(f"?{name}")
        terms.append(str(v))  # N-Triples syntax, valid in SPARQL
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_values(text: str, substitutions: Mapping[Any, Any]) -> str:
    """The query with its variables bound by a ``VALUES`` block at the top of the outermost ``WHERE`` group."""
    block = _values_block(substitutions)
    kind = query_kind(text)
    toks = _tokens(text)
    skip_template = kind == "construct"
    for i, t in enumerate(toks):
        if t.kind != "open" or t.depth != 0:
            continue
        prev = toks[i - 1] if i else None
        if skip_template and prev is not None and prev.kind == "word" and prev.text.upper() == "CONSTRUCT":
            skip_template = False
            continue
        pos = t.start + 1
        return text[:pos] + f" {block} " + text[pos:]
    return text + "\n" + block  # e.g. DESCRIBE <x> without WHERE: a trailing VALUES clause


class RemoteEngine(_Limits):
    """The :class:`kg.sparql.Engine` protocol over a SPARQL 1.1 Protocol endpoint."""

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        row_cap: int | None = DEFAULT_ROW_CAP,
        service_allowlist: Iterable[str] = (),
        cache_seconds: float = 10.0,
    ):
        super().__init__(timeout, row_cap, service_allowlist)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"--backend must be an http(s) URL of a SPARQL endpoint, not {url!r}")
        self.url = url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        self.http = HTTPClient(hdrs)
        self.cache_seconds = cache_seconds
        self._fingerprint = hashlib.blake2b(url.encode(), digest_size=4).hexdigest()
        self._writes = 0
        self._sizes: tuple[str | None, dict[str, int]] | None = None

    def __repr__(self) -> str:
        return f"RemoteEngine({self.url!r})"

    # -- identity ---------------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return bool(self.update_url or self.graph_store_url)

    @property
    def generation(self) -> str | None:
        window = time.time_ns() if self.cache_seconds <= 0 else int(time.time() // self.cache_seconds)
        return f"remote-{self._fingerprint}-{window}.{self._writes}"

    # -- HTTP -------------------------------------------------------------------------------------
    def _send(self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str],
              timeout: float | None, what: str) -> tuple[int, dict[str, str], bytes]:
        try:
            return self.http.request(method, url, body=body, headers=headers, timeout=timeout)
        except (socket.timeout, TimeoutError):
            if timeout is not None:
                raise _timeout(timeout) from None
            raise StoreError(f"the SPARQL endpoint {url} timed out") from None
        except OSError as e:
            raise StoreError(f"the SPARQL endpoint {url} cannot be reached ({what}): {e}", detail={"url": url}) from None

    @staticmethod
    def _with_params(url: str, params: Sequence[tuple[str, str]]) -> tuple[str, bytes]:
        """Endpoint URL (its own query string kept for GET-style options) and the form body."""
        parts = urllib.parse.urlsplit(url)
        fixed = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        return url, urllib.parse.urlencode([*fixed, *params]).encode()

    def _raise_for(self, status: int, body: bytes, url: str, what: str) -> None:
        text = body.decode("utf-8", "replace").strip()
        if status == 400:
            detail: dict[str, Any] = {"parser_message": text[:2000], "backend": url}
            m = _POSITION.search(text)
            if m:
                detail["line"], detail["column"] = int(m.group(1)), int(m.group(2))
            raise QuerySyntaxError(f"the SPARQL endpoint rejected the {what}: {text[:300]}", detail=detail)
        if status == 404:
            raise NotFound(f"{url} answered 404 Not Found", detail={"backend": url})
        if status in (401, 403):
            raise StoreError(f"the SPARQL endpoint {url} refused the {what} ({status}); check the credentials",
                             detail={"status": status})
        if status in (408, 503, 504) and "timeout" in text.lower():
            raise QueryTimeout(f"the SPARQL endpoint stopped the {what}: {text[:300]}", detail={"backend": url})
        if status >= 500:
            raise StoreError(f"the SPARQL endpoint {url} failed ({status}): {text[:300]}", detail={"status": status})
        raise RemoteHTTPError(f"the SPARQL endpoint {url} answered {status} to the {what}", status=status, body=text)

    # -- queries ----------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        row_cap: int | None = _UNSET,
    ) -> Result:
        self.check_services(sparql)
        seconds = self.effective_timeout(timeout)
        cap = self.row_cap if row_cap is _UNSET else row_cap
        generation = self.generation
        text = sparql
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        if substitutions:
            text = bind_values(text, substitutions)
        params: list[tuple[str, str]] = [("query", text)]
        if default_graph is not None or named_graphs is not None:
            _check_iris(default_graph or (), "default-graph-uri")
            _check_iris(named_graphs or (), "named-graph-uri")
            if not default_graph and not named_graphs:
                # An empty dataset: the protocol cannot say "no graphs", so answer from a graph that is surely empty.
                default_graph = ["urn:ipakg:empty-graph"]
            params += [("default-graph-uri", g) for g in default_graph or ()]
            params += [("named-graph-uri", g) for g in named_graphs or ()]
        kind = query_kind(sparql)
        graph = kind in ("construct", "describe")
        accept = "application/n-triples" if graph else f"{JSON_RESULTS}, application/json;q=0.9"
        url, body = self._with_params(self.url, params)
        started = time.perf_counter()
        status, headers, data = self._send(
            "POST", url, body=body, timeout=seconds, what="query",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        if status != 200:
            self._raise_for(status, data, self.url, "query")
        result = self._parse(kind, headers.get("content-type", ""), data, cap)
        result.generation = generation
        result.elapsed = time.perf_counter() - started
        return result

    def _parse(self, kind: str, content_type: str, data: bytes, cap: int | None) -> Result:
        mt = normalize_media_type(content_type or "")
        if kind in ("construct", "describe"):
            try:
                fmt = rdf_format(mt or "application/n-triples")
                triples = [q.triple for q in ox.parse(data, format=fmt, without_named_graphs=False)]
            except (SyntaxError, ValueError) as e:
                raise StoreError(f"the SPARQL endpoint sent an unreadable {mt} graph: {e}") from None
            truncated = cap is not None and len(triples) > cap
            return Result(kind=kind, triples=triples[:cap] if truncated else triples, truncated=truncated, row_cap=cap)
        try:
            doc = json.loads(data)
        except ValueError as e:
            raise StoreError(f"the SPARQL endpoint sent unreadable results ({mt or 'no content type'}): {e}") from None
        if "boolean" in doc:
            return Result(kind="ask", boolean=bool(doc["boolean"]))
        variables = list(doc.get("head", {}).get("vars", []))
        bindings = doc.get("results", {}).get("bindings", [])
        truncated = cap is not None and len(bindings) > cap
        if truncated:
            bindings = bindings[:cap]
        rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in bindings]
        return Result(kind="select", variables=variables, rows=rows, truncated=truncated, row_cap=cap)

    # -- updates ----------------------------------------------------------------------------------
    def _require_writable(self, what: str) -> None:
        if not self.writable:
            raise ReadOnly(f"this remote backend is read-only here; {what} is disabled")

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graph: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> None:
        if not self.update_url:
            raise ReadOnly("no SPARQL Update endpoint is configured for this remote backend")
        self.check_services(sparql)
        _check_iris(using_graph or (), "using-graph-uri")
        _check_iris(using_named_graph or (), "using-named-graph-uri")
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        params = [("update", text)] + [("using-graph-uri", g) for g in using_graph or ()]
        params += [("using-named-graph-uri", g) for g in using_named_graph or ()]
        url, body = self._with_params(self.update_url, params)
        status, _, data = self._send("POST", url, body=body, timeout=self.effective_timeout(timeout), what="update",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self._wrote()
        if status not in (200, 204):
            self._raise_for(status, data, self.update_url, "update")

    def _wrote(self) -> None:
        self._writes += 1
        self._sizes = None

    # -- dataset description ----------------------------------------------------------------------
    def named_graphs(self) -> list[str]:
        res = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", row_cap=None, timeout=None)
        return sorted(row[0].value for row in res.rows if isinstance(row[0], ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        generation = self.generation
        if self._sizes is not None and self._sizes[0] == generation:
            return dict(self._sizes[1])
        res = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                         row_cap=None, timeout=None)
        sizes = {row[0].value: int(row[1].value) for row in res.rows if isinstance(row[0], ox.NamedNode)}
        self._sizes = (generation, sizes)
        return dict(sizes)

    def triple_count(self) -> int:
        # Our graphs are all named; a remote default graph may be the union of them, so it is not added.
        return sum(self.graph_sizes().values())

    # -- graph store ------------------------------------------------------------------------------
    def has_graph(self, graph: str | None) -> bool:
        if graph is None:
            return True
        _check_iris([graph], "graph")
        return bool(self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", timeout=None).boolean)

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        if graph is None:
            # The endpoint's default graph; on a store that unions its named graphs that is all of them.
            return self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", row_cap=None, timeout=None).triples
        _check_iris([graph], "graph")
        return self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                          row_cap=None, timeout=None).triples

    def get_graph(self, graph: str | None, media_type: str) -> bytes:
        fmt = rdf_format(media_type)
        if not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}>", detail={"graph": graph})
        return serialize_triples(self._graph_triples(graph), fmt)

    def _gsp(self, method: str, graph: str | None, data: bytes | None = None, media_type: str | None = None) -> int:
        assert self.graph_store_url
        param = ("default", "") if graph is None else ("graph", graph)
        sep = "&" if urllib.parse.urlsplit(self.graph_store_url).query else "?"
        url = self.graph_store_url + sep + (urllib.parse.urlencode([param]) if graph is not None else "default")
        headers = {"Content-Type": normalize_media_type(media_type)} if media_type else {}
        status, _, body = self._send(method, url, body=data, headers=headers, timeout=self.timeout, what="graph store")
        self._wrote()
        if status >= 400 and not (method == "DELETE" and status == 404):
            self._raise_for(status, body, self.graph_store_url, "graph store request")
        return status

    def put_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        self._require_writable("writing graphs")
        if self.graph_store_url:
            return self._gsp("PUT", graph, self._reserialize(data, media_type, base_iri), "application/n-triples") == 201
        existed = self.has_graph(graph) if graph is not None else True
        target = f"GRAPH <{graph}>" if graph else "DEFAULT"
        self.update(f"CLEAR SILENT {target}")
        self._insert(graph, self._parse_body(data, media_type, base_iri))
        return not existed

    def post_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        self._require_writable("writing graphs")
        if self.graph_store_url:
            return self._gsp("POST", graph, self._reserialize(data, media_type, base_iri), "application/n-triples") == 201
        existed = self.has_graph(graph) if graph is not None else True
        self._insert(graph, self._parse_body(data, media_type, base_iri))
        return not existed

    def delete_graph(self, graph: str | None) -> None:
        self._require_writable("deleting graphs")
        if graph is not None and not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}>", detail={"graph": graph})
        if self.graph_store_url:
            self._gsp("DELETE", graph)
        else:
            self.update(f"DROP SILENT GRAPH <{graph}>" if graph else "CLEAR SILENT DEFAULT")

    @staticmethod
    def _parse_body(data: bytes, media_type: str, base_iri: str | None) -> list[ox.Triple]:
        fmt = rdf_format(media_type)
        try:
            return [q.triple for q in ox.parse(data, format=fmt, base_iri=base_iri, without_named_graphs=True)]
        except SyntaxError as e:
            raise InputError(f"the {normalize_media_type(media_type)} body does not parse: {e}",
                             detail={"parser_message": str(e)}) from None
        except ValueError as e:
            raise InputError(f"the body cannot be read as {normalize_media_type(media_type)}: {e}") from None

    def _reserialize(self, data: bytes, media_type: str, base_iri: str | None) -> bytes:
        # Relative IRIs are resolved here so the remote store does not resolve them against its own URL.
        return ox.serialize(self._parse_body(data, media_type, base_iri), format=ox.RdfFormat.N_TRIPLES)

    def _insert(self, graph: str | None, triples: list[ox.Triple], batch: int = 5000) -> None:
        for i in range(0, len(triples), batch):
            body = ox.serialize(triples[i:i + batch], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}" if graph else f"INSERT DATA {{ {body} }}")

    def dump(self, output: BinaryIO, media_type: str, *, graph: str | None = _UNSET) -> None:
        fmt = rdf_format(media_type)
        if graph is not _UNSET:
            output.write(serialize_triples(self._graph_triples(graph), fmt))
            return
        if not fmt.supports_datasets:
            raise InputError(f"{normalize_media_type(media_type)} holds one graph; dump the dataset as TriG or "
                             "N-Quads, or name a graph", detail={"media_type": normalize_media_type(media_type)})
        for g in self.named_graphs():  # one graph at a time: memory stays bounded by the largest graph
            name = ox.NamedNode(g)
            quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in self._graph_triples(g)]
            output.write(ox.serialize(quads, format=fmt))
