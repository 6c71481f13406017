"""The ``kg`` command.

Exit codes: 0 success; 1 a validation failure (SHACL, reasoner, evaluation
thresholds); 2 a usage or input error (bad file, bad option, missing Java, no
store). Errors are printed as one line, ``kg: error: <message>``, on stderr.

Each subcommand lives in its own module of this package and is imported only
when it runs, so ``kg --help`` stays fast and a heavy stage (the reasoner, the
extractor's automaton) costs nothing to the others.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from .. import __version__
from ..errors import KGError
from ..store import DEFAULT_STORE

# name -> (module, attribute, one-line help shown by `kg --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ontology": ("kg.cli.ontology", "ontology", "Check the OWL ontology and write its documentation."),
    "extract": ("kg.cli.extract", "extract", "Extract entities and policy-action facts from an article (JSON)."),
    "eval": ("kg.cli.evaluate", "evaluate", "Score an extraction against a gold standard."),
    "build": ("kg.cli.build", "build", "Build the graph from sources into a new store generation."),
    "rollback": ("kg.cli.build", "rollback", "Make the previous store generation current again."),
    "dump": ("kg.cli.dump", "dump", "Write the graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD."),
    "stats": ("kg.cli.stats", "stats", "Counts per graph, class and fact type; Wikidata link coverage."),
    "serve": ("kg.cli.serve", "serve", "Serve the SPARQL endpoint, saved queries, entity pages and web UI."),
    "query": ("kg.cli.query", "query", "Run a saved query (or a SPARQL string) against the store."),
    "export": ("kg.cli.export", "export", "Export to Wikidata tools: QuickStatements, Wikibase RDF, sameAs."),
    "push": ("kg.cli.push", "push", "Copy the built graphs into a remote SPARQL 1.1 store."),
    "lexicon": ("kg.lexicon_cli", "lexicon", "Inspect and check the entity lexicon."),
}


@dataclass
class Context:
    store: Path


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx, name):
        return self._load(name)

    def _load(self, name):
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module_name, attr, _ = spec
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:  # the command is not part of this installation
                return None
            raise
        return getattr(module, attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as e:
            click.echo(f"kg: error: {e.message}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="KG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Store root (generations live below it). Env: KG_STORE.",
)
@click.pass_context
def main(ctx: click.Context, store: Path) -> None:
    """ipakg: build and publish a knowledge graph of international policy actions from news articles."""
    ctx.obj = Context(store=store)


pass_context = click.make_pass_decorator(Context)
