"""``kg push``: copy the built graphs into any SPARQL 1.1 store, one named graph at a time.

For each named graph of the current store generation (documents, entities, ontology, inferred, links,
meta) the graph is **replaced** on the target:

1. Graph Store HTTP Protocol: ``PUT <graph-store>?graph=<iri>`` with the graph as N-Triples. One request
   per graph, atomic per graph on every store we know of.
2. If the target has no Graph Store endpoint (it answers the first ``PUT`` with 400, 404, 405, 406, 415 or
   501), every graph goes through SPARQL 1.1 Update instead: ``DROP SILENT GRAPH <iri>`` then ``INSERT DATA``
   in batches of ``batch`` triples. Triples with blank nodes stay in one batch (a blank node label is only
   meaningful within one request); the build mints none, the ontology has a few.

Authentication: ``token`` is sent as ``Authorization: Bearer``; ``headers`` adds anything else (e.g. a
``Cookie`` or a proxy's header); ``user:password@`` in a URL is sent as HTTP Basic.

The report lists the triples pushed per graph and the method used.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pyoxigraph as ox

from .errors import InputError, KGError, StoreError
from .remote import HTTPClient, RemoteHTTPError
from .store import StoreRoot

DEFAULT_BATCH = 5000
GSP_UNSUPPORTED = {400, 404, 405, 406, 415, 501}


@dataclass
class PushReport:
    target: str
    method: str = ""
    graphs: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def to_json(self) -> dict:
        return {"target": self.target, "method": self.method, "graphs": self.graphs, "triples": self.triples,
                "requests": self.requests, "seconds": round(self.seconds, 3)}


class PushError(KGError):
    http_status = 502
    kind = "push_failed"


def _has_bnode(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _gsp_url(base: str, graph: str) -> str:
    sep = "&" if urllib.parse.urlsplit(base).query else "?"
    return f"{base}{sep}{urllib.parse.urlencode({'graph': graph})}"


class Pusher:
    def __init__(self, to: str, *, graph_store: str | None = None, token: str | None = None,
                 headers: Mapping[str, str] | None = None, batch: int = DEFAULT_BATCH, timeout: float = 300.0):
        for url in (to, graph_store):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise InputError(f"not an http(s) URL: {url!r}")
        if batch < 1:
            raise InputError("--batch must be at least 1")
        self.to = to
        self.graph_store = graph_store or to
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        self.http = HTTPClient(hdrs)
        self.batch = batch
        self.timeout = timeout
        self.use_gsp: bool | None = None  # decided by the first graph
        self.requests = 0

    def _request(self, method: str, url: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        try:
            status, _, data = self.http.request(method, url, body=body, headers={"Content-Type": content_type},
                                                timeout=self.timeout)
        except OSError as e:
            raise StoreError(f"cannot reach {url}: {e}", detail={"url": url}) from None
        self.requests += 1
        return status, data

    def _fail(self, what: str, url: str, status: int, data: bytes) -> None:
        text = data.decode("utf-8", "replace").strip()
        hint = "; check --token/--header" if status in (401, 403) else ""
        raise PushError(f"{what} at {url} failed with {status}{hint}: {text[:300]}",
                        detail={"status": status, "url": url, "body": text[:2000]})

    def _update(self, text: str) -> None:
        status, data = self._request("POST", self.to, text.encode("utf-8"), "application/sparql-update")
        if status not in (200, 204):
            self._fail("SPARQL Update", self.to, status, data)

    def push_graph(self, graph: str, triples: list[ox.Triple]) -> int:
        if self.use_gsp is not False:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            url = _gsp_url(self.graph_store, graph)
            status, data = self._request("PUT", url, body, "application/n-triples")
            if 200 <= status < 300:
                self.use_gsp = True
                return len(triples)
            if self.use_gsp is None and status in GSP_UNSUPPORTED:
                self.use_gsp = False  # no Graph Store here: SPARQL Update for every graph
            else:
                self._fail("Graph Store PUT", url, status, data)
        self._update(f"DROP SILENT GRAPH <{graph}>")
        plain = [t for t in triples if not _has_bnode(t)]
        with_bnodes = [t for t in triples if _has_bnode(t)]
        batches = [plain[i:i + self.batch] for i in range(0, len(plain), self.batch)]
        if with_bnodes:
            batches.append(with_bnodes)
        for chunk in batches:
            nt = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{nt}}} }}")
        if not triples:  # an empty graph still exists on stores that keep empty graphs
            self._update(f"CREATE SILENT GRAPH <{graph}>")
        return len(triples)


def push(store: StoreRoot | str, to: str, *, graph_store: str | None = None, token: str | None = None,
         headers: Mapping[str, str] | None = None, batch: int = DEFAULT_BATCH, timeout: float = 300.0,
         progress: Callable[[str], None] = lambda _m: None) -> PushReport:
    """Push every named graph of the current generation of ``store`` to the SPARQL store at ``to``."""
    root = store if isinstance(store, StoreRoot) else StoreRoot(store)
    source = root.open_current(read_only=True)
    pusher = Pusher(to, graph_store=graph_store, token=token, headers=headers, batch=batch, timeout=timeout)
    report = PushReport(target=to)
    started = time.perf_counter()
    graphs = sorted(g.value for g in source.named_graphs() if isinstance(g, ox.NamedNode))
    default = [q.triple for q in source.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    if default:
        raise InputError(f"the store has {len(default)} triples in its default graph; kg builds only named graphs, "
                         "so this store was not made by kg build")
    for i, g in enumerate(graphs, 1):
        triples = [q.triple for q in source.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        try:
            report.graphs[g] = pusher.push_graph(g, triples)
        except RemoteHTTPError as e:
            raise PushError(e.message, detail=e.detail) from None
        progress(f"[{i}/{len(graphs)}] {g}: {len(triples)} triples")
    report.method = "graph-store" if pusher.use_gsp else "sparql-update"
    report.requests = pusher.requests
    report.seconds = time.perf_counter() - started
    return report
