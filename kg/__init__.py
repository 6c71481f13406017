"""ipakg: build a knowledge graph of international policy actions from news articles.

The library is split by pipeline stage, one module (or package) per stage:
``kg.extract`` (text -> entities and facts), ``kg.build`` (facts -> RDF graphs),
``kg.store`` (atomic store generations in Oxigraph), ``kg.dump`` / ``kg.export``
(serialisations). ``kg`` never imports Flask; the HTTP layer lives in ``server``.
"""

__version__ = "0.1.0"
