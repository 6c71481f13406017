"""Bad input to kg extract: one line naming the file and the problem, exit code 2, no output at all."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.errors import InputError
from kg.extract import extract_path, extract_text
from tests.fixtures.paths import REPO

ARTICLE = "美國白宮1月7日宣布,美國將退出66個國際組織。\n"


def run_kg(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, capture_output=True, text=True)


def assert_refused(path, *needles, extra=()):
    r = run_kg("extract", path, *extra)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ")
    assert str(path) in lines[0] or path.name in lines[0]
    for n in needles:
        assert n.lower() in lines[0].lower(), lines[0]
    return lines[0]


def test_an_empty_file_is_refused(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert_refused(p, "empty")


def test_a_binary_file_is_refused(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert_refused(p, "binary")


def test_big5_text_is_named_as_big5(tmp_path):
    p = tmp_path / "big5.txt"
    p.write_bytes(("美國將退出聯合國教科文組織。這個決定引起各國關注,國際組織的支持與資金受到衝擊。" * 3).encode("big5"))
    assert_refused(p, "not UTF-8", "Big5")


def test_gb18030_text_is_named_as_gb18030(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes(("美国将退出联合国教科文组织。这个决定引起各国关注，国际组织的支持与资金受到冲击。" * 3).encode("gb18030"))
    assert_refused(p, "not UTF-8", "GB18030")


def test_utf16_text_is_refused_with_its_encoding(tmp_path):
    p = tmp_path / "utf16.txt"
    p.write_bytes(ARTICLE.encode("utf-16"))
    assert_refused(p, "UTF-16")


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "huge.txt"
    with p.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert_refused(p, "too large", "5 MB")


def test_an_unsupported_extension_is_refused(tmp_path):
    p = tmp_path / "article.pdf"
    p.write_text(ARTICLE, encoding="utf-8")
    assert_refused(p, "unsupported", ".pdf")


def test_a_missing_file_is_refused(tmp_path):
    assert_refused(tmp_path / "nope.txt", "no such file")


@pytest.mark.parametrize("sidecar, needle", [
    ("title: [unclosed\n", "not valid YAML"),
    ("published: 2026-13-45\n", "published"),
    ("published: last tuesday\n", "published"),
    ("- just\n- a list\n", "mapping"),
    ("language: fr\n", "language"),
])
def test_a_malformed_sidecar_is_refused_and_named(tmp_path, sidecar, needle):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt.meta.yaml").write_text(sidecar, encoding="utf-8")
    line = assert_refused(p, needle)
    assert "meta.yaml" in line or "sidecar" in line


def test_a_lang_flag_that_contradicts_the_sidecar_is_refused(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt.meta.yaml").write_text("language: zh-Hant\n", encoding="utf-8")
    assert_refused(p, "--lang en", "zh-Hant", extra=("--lang", "en"))


def test_a_bad_published_flag_is_refused(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    assert_refused(p, "--published", extra=("--published", "08/01/2026"))


def test_no_partial_output_file_when_one_input_of_a_batch_is_bad(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    r = run_kg("extract", good, bad, "-o", out)
    assert r.returncode == 2 and not out.exists() and "bad.txt" in r.stderr


def test_the_python_api_raises_input_error(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"  \n")
    with pytest.raises(InputError):
        extract_path(p)
    with pytest.raises(InputError):
        extract_text("   ")


def test_html_is_reduced_to_its_visible_text_and_offsets_index_that_text(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><head><title>UNESCO exit</title><style>p{color:red}</style></head><body>"
                 "<h1>UNESCO exit</h1><p>The United States will withdraw from UNESCO, the State Department "
                 "said on Tuesday.</p><script>var x = 'withdraw from WHO';</script></body></html>", encoding="utf-8")
    doc = extract_path(p, published="2025-07-24")
    assert doc["document"]["title"] == "UNESCO exit" and doc["document"]["language"] == "en"
    assert doc["document"]["source_format"] == "html"
    facts = [f for f in doc["facts"] if f["type"] == "Withdrawal"]
    assert facts and facts[0]["targets"] == ["UNESCO"]
    assert all("WHO" not in f["targets"] for f in doc["facts"])  # script content is not text


def test_a_directory_gives_json_lines_in_path_order(tmp_path):
    import json

    for name, text in (("b.txt", ARTICLE), ("a.txt", "The United States vetoed a UN Security Council resolution.\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    r = run_kg("extract", tmp_path, "--published", "2026-01-08")
    assert r.returncode == 0, r.stderr
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["document"]["path"].rsplit("/", 1)[-1] for d in docs] == ["a.txt", "b.txt"]
    assert [d["document"]["language"] for d in docs] == ["en", "zh-Hant"]


def test_a_sidecar_language_that_contradicts_the_text_is_refused(tmp_path):
    p = tmp_path / "zh.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "zh.txt.meta.yaml").write_text("language: en\n", encoding="utf-8")
    assert_refused(p, "language en", "Chinese")


def test_a_text_in_an_unsupported_script_is_refused(tmp_path):
    p = tmp_path / "ru.txt"
    p.write_text("Соединённые Штаты объявили о выходе из Всемирной организации здравоохранения.\n", encoding="utf-8")
    assert_refused(p, "cannot tell the language")
