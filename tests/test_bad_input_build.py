"""The builder's bad-input catalogue: every unusable source gets one clear line naming the file, exit code 2,
and leaves the store exactly as it was (same CURRENT, same generations, no leftover ``.partial``).

Most cases run the real ``kg build`` command in-process (Click's runner: same code path, exit code and stderr,
without paying a Python start-up per case); one case runs it as a subprocess to prove the real exit status.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import StoreRoot
from tests.fixtures.paths import REPO

KG = Path(sys.executable).with_name("kg")
EN = ("On 7 January 2026 the United States announced that it would withdraw from the World Health Organization.\n"
      "The withdrawal takes effect on 22 January 2026.\n")
ZH = "美國白宮1月7日宣布,美國將退出世界衛生組織與聯合國教科文組織等66個國際組織。\n"


@pytest.fixture(scope="module")
def store_copy(sample_store, tmp_path_factory) -> StoreRoot:
    """A private copy of a store with a current generation: these tests try to change it."""
    root = StoreRoot(tmp_path_factory.mktemp("bad-input") / "store")
    shutil.copytree(sample_store.path, root.path, ignore=shutil.ignore_patterns("build.lock"))
    return root


def store_state(root: StoreRoot) -> tuple:
    partials = sorted(p.name for p in root.generations_dir.iterdir() if p.name.endswith(".partial"))
    return root.current_id(), tuple(root.list_generations()), tuple(partials)


def kg_build(root: StoreRoot, *args) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["--store", str(root.path), "build", *map(str, args)])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception  # a traceback is never a valid answer to bad input
    return r.exit_code, r.stdout, r.stderr


def assert_refused(root: StoreRoot, path: Path, *needles: str, extra=()) -> str:
    before = store_state(root)
    code, out, err = kg_build(root, path, *extra)
    errors = [ln for ln in err.splitlines() if ln.startswith("kg: error: ")]
    assert code == 2, (code, err)
    assert len(errors) == 1, err
    assert path.name in errors[0], errors[0]
    for n in needles:
        assert n.lower() in errors[0].lower(), errors[0]
    assert "Traceback" not in err and out == ""
    assert store_state(root) == before, "a refused build changed the store"
    return errors[0]


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---- one file --------------------------------------------------------------------------------------

def test_an_empty_file_is_refused_and_changes_nothing(store_copy, tmp_path):
    assert_refused(store_copy, write(tmp_path / "empty.txt", b""), "empty")
    assert_refused(store_copy, write(tmp_path / "blank.txt", b" \n\t\n"), "empty")


def test_a_binary_file_is_refused_and_changes_nothing(store_copy, tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    assert_refused(store_copy, write(tmp_path / "photo.txt", png))


def test_nul_bytes_that_happen_to_be_valid_utf8_are_still_refused(store_copy, tmp_path):
    assert_refused(store_copy, write(tmp_path / "zeros.txt", b"\x00\x01\x02\x03" * 4096), "binary")


@pytest.mark.parametrize("encoding, name", [("big5", "Big5"), ("gb18030", "GB18030"), ("utf-16", "UTF-16")])
def test_a_text_in_another_encoding_is_named_with_how_to_convert_it(store_copy, tmp_path, encoding, name):
    assert_refused(store_copy, write(tmp_path / f"{encoding}-named.txt", (ZH * 3).encode(encoding)), name)


def test_a_50_mb_text_is_refused_as_too_large(store_copy, tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(50 * 1024 * 1024)
    assert_refused(store_copy, big)


def test_a_missing_file_and_an_unsupported_type_are_refused(store_copy, tmp_path):
    assert_refused(store_copy, tmp_path / "nope.txt", "no such file")
    assert_refused(store_copy, write(tmp_path / "article.pdf", EN), ".pdf")


def test_a_csv_that_is_not_a_memorandum_list_is_refused(store_copy, tmp_path):
    assert_refused(store_copy, write(tmp_path / "table.csv", "a,b,c\n1,2,3\n"), "memorandum")


@pytest.mark.parametrize("sidecar, needle", [
    ("title: [unclosed\n", "YAML"),
    ("published: 2026-13-45\n", "published"),
    ("published: next tuesday\n", "published"),
    ("- a\n- list\n", "mapping"),
    ("title: {nested: mapping}\n", "title"),
    ("language: fr\n", "language"),
    ("language: klingon\n", "language"),
])
def test_malformed_sidecar_metadata_is_refused_naming_the_sidecar(store_copy, tmp_path, sidecar, needle):
    article = write(tmp_path / "a.txt", EN)
    write(tmp_path / "a.txt.meta.yaml", sidecar)
    line = assert_refused(store_copy, article, needle)
    assert "meta.yaml" in line or "sidecar" in line


def test_a_sidecar_that_is_not_utf8_is_refused(store_copy, tmp_path):
    article = write(tmp_path / "b.txt", EN)
    write(tmp_path / "b.txt.meta.yaml", "title: 美國退出\n".encode("big5"))
    assert_refused(store_copy, article, "sidecar")


def test_a_sidecar_whose_language_contradicts_the_text_is_refused(store_copy, tmp_path):
    article = write(tmp_path / "zh.txt", ZH)
    write(tmp_path / "zh.txt.meta.yaml", "language: en\n")
    assert_refused(store_copy, article, "language")


def test_a_text_in_an_unknown_language_is_refused(store_copy, tmp_path):
    ru = "Соединённые Штаты объявили о выходе из Всемирной организации здравоохранения.\n"
    assert_refused(store_copy, write(tmp_path / "ru.txt", ru), "language")


def test_an_article_with_no_entities_is_refused_with_a_clear_message(store_copy, tmp_path):
    assert_refused(store_copy, write(tmp_path / "weather.txt", "The weather was calm and pleasant all week.\n"),
                   "entities")


def test_an_ordinary_article_with_an_anaphoric_second_sentence_builds(tmp_path):
    article = write(tmp_path / "who.txt", "On 7 January 2026 the United States announced that it would withdraw "
                    "from the World Health Organization.\nThe withdrawal from the WHO takes effect on 22 January 2026.\n")
    write(tmp_path / "who.txt.meta.yaml", "published: 2026-01-08\n")
    root = StoreRoot(tmp_path / "store")
    code, out, err = kg_build(root, article)
    assert code == 0, err
    assert root.current_id() is not None


# ---- a directory with one bad file among good ones -----------------------------------------------

@pytest.fixture
def mixed_dir(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    write(d / "a-good.txt", EN)
    write(d / "b-bad.txt", (ZH * 3).encode("big5"))
    write(d / "c-good.txt", ZH)
    return d


def test_a_directory_with_one_bad_file_names_it_and_builds_nothing(store_copy, mixed_dir):
    before = store_state(store_copy)
    code, out, err = kg_build(store_copy, mixed_dir)
    assert code == 2
    line = [ln for ln in err.splitlines() if ln.startswith("kg: error: ")]
    assert len(line) == 1 and "b-bad.txt" in line[0] and "--keep-going" in line[0]
    assert "a-good.txt" not in line[0] and "c-good.txt" not in line[0]
    assert store_state(store_copy) == before


def test_with_keep_going_the_good_files_are_built_and_the_bad_one_reported(store_copy, mixed_dir):
    before = store_state(store_copy)
    r = subprocess.run([str(KG), "--store", str(store_copy.path), "build", "--keep-going", "--json", str(mixed_dir)],
                       capture_output=True, text=True, cwd=REPO, timeout=240)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    built = sorted(Path(d["path"]).name for d in report["documents"])
    assert built == ["a-good.txt", "c-good.txt"]
    assert len(report["skipped"]) == 1 and "b-bad.txt" in report["skipped"][0]
    assert "skipped" in r.stderr and "b-bad.txt" in r.stderr
    assert store_copy.current_id() == report["generation"] != before[0]
    assert not any(p.name.endswith(".partial") for p in store_copy.generations_dir.iterdir())


def test_a_directory_with_no_sources_is_refused(store_copy, tmp_path):
    d = tmp_path / "nothing-here"
    d.mkdir()
    write(d / "notes.docx", b"PK\x03\x04")
    before = store_state(store_copy)
    code, _, err = kg_build(store_copy, d)
    assert code == 2 and "nothing-here" in err and store_state(store_copy) == before
