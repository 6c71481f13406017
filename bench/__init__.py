"""Benchmarks for ipakg (not part of the test suite).

``python -m bench`` runs them all and writes ``bench/results/report.md`` and ``report.json``;
``--quick`` shrinks every size, ``--only http|load|build`` runs one part. See ``bench/README.md``
for the method and the targets.

Modules: :mod:`bench.graphgen` (a synthetic news-like graph shaped like the build's RDF),
:mod:`bench.loadgen` (a bounded HTTP load generator for 127.0.0.1), :mod:`bench.http`
(our server vs ``oxigraph serve-read-only`` vs rdflib-endpoint), :mod:`bench.load` (loading
triples: ``kg`` vs ``oxigraph load``), :mod:`bench.build` (extraction + build at 100/1k/10k
synthetic articles), :mod:`bench.synthetic` (the synthetic articles, owned by the corpus area).
"""
