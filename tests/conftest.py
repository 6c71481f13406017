"""Shared pytest configuration. Fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.paths",
    "tests.fixtures.corpus",   # a store built from the bundled corpus (session scope)
    "tests.fixtures.served",   # a real gunicorn on 127.0.0.1 serving that store
    "tests.fixtures.wikidata", # a small store with a links graph, for the Wikidata exports and reconciliation
]
