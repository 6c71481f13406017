"""The package layout promises of the design card."""

import importlib
import pkgutil
import subprocess
import sys

import kg
from tests.fixtures.paths import REPO


def test_the_library_never_imports_flask():
    # Import every module of kg in a fresh interpreter and look at what came along.
    code = (
        "import importlib, pkgutil, sys, kg\n"
        "for m in pkgutil.walk_packages(kg.__path__, 'kg.'):\n"
        "    if m.name != 'kg.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'flask' or n.startswith('flask.') or n == 'werkzeug')\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"kg imported {out.stdout.strip()}"


def test_top_level_folders_exist():
    for name in ["pyproject.toml", "ontology", "kg", "server", "queries", "tests", "README.md", "data", ".ci/run"]:
        assert (REPO / name).exists(), name


def test_kg_version_and_help():
    out = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and kg.__version__ in out.stdout
    out = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and "Usage" in out.stdout


def test_every_subcommand_has_help():
    from kg.cli import main

    names = main.list_commands(None)
    assert {"ontology", "extract", "eval", "build", "serve", "query"} <= set(names)
    for name in names:
        out = subprocess.run([sys.executable, "-m", "kg", name, "--help"], capture_output=True, text=True, cwd=REPO)
        assert out.returncode == 0, (name, out.stderr)


def test_the_app_factory_takes_a_config_mapping():
    from server import create_app

    app = create_app({"TESTING": True, "KG_QUERY_TIMEOUT": 5.0})
    assert app.config["KG_QUERY_TIMEOUT"] == 5.0 and app.testing
