"""Exports to Wikidata-style tools.

``statements`` selects the facts that may become Wikidata statements (membership ends with QIDs on
both sides, effective by the export date) and says why the others were left out; ``quickstatements``
writes them as QuickStatements V1 or CSV, ``wikibase`` as Wikibase RDF, and ``sameas`` writes the
optional ``owl:sameAs`` links that are never stored in the graph.
"""
