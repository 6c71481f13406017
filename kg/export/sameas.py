"""``owl:sameAs`` links to Wikidata, for consumers who want identity semantics.

Only an export, never stored: ``owl:sameAs`` is symmetric and transitive and merges every statement
of both sides, so one wrong link (the article writes UNHCR for the Human Rights Council) would fuse two
bodies, and Wikidata's typing plus our disjointness axioms could make the graph inconsistent. The
graph keeps ``skos:exactMatch`` with a mapping record instead (see :mod:`kg.links`).
"""

from __future__ import annotations

from rdflib.namespace import OWL, SKOS

from ..links import select
from ..namespaces import GRAPH_LINKS, WD

QUERY = f"""
SELECT DISTINCT ?e ?q WHERE {{ GRAPH <{GRAPH_LINKS}> {{ ?e <{SKOS.exactMatch}> ?q }}
  FILTER(isIRI(?e) && STRSTARTS(STR(?q), "{WD}")) }} ORDER BY ?e ?q
"""


def to_ntriples(source) -> str:
    """One ``<entity> owl:sameAs <wd:Q…>`` line per verified link, sorted."""
    return "".join(f"<{r['e'].value}> <{OWL.sameAs}> <{r['q'].value}> .\n" for r in select(source, QUERY))
