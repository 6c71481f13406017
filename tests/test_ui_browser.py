"""The web UI in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against a real gunicorn.

Screenshots go to ``test-artifacts/`` (git-ignored) so a person can look at what users see.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.fixtures.paths import REPO

pytestmark = [pytest.mark.browser, pytest.mark.served]

CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        # A developer without the browser may skip; CI installs it, so there a missing browser is a failure.
        message = f"no chromium at {CHROMIUM} (scripts/setup.sh --test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, served_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 950}, locale="en-US")
    pg = ctx.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: None if r.url.startswith(served_url) or r.url.startswith("data:") else outside.append(r.url))
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
    yield pg
    ctx.close()
    assert outside == [], f"the UI fetched from outside the app: {outside}"
    assert errors == [], f"JavaScript errors or Content-Security-Policy violations: {errors}"


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_pick_an_example_run_it_open_an_entity_page_and_see_the_evidence(page, served_url):
    page.goto(served_url + "/")
    page.get_by_role("button", name="CQ2: Every fact about an entity").click()
    rows = page.locator("table.results tbody tr")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() > 0
    entity = page.locator("#param-form input[name=entity]")
    assert entity.input_value() == "id:entity/who"
    entity.focus()  # IRI parameters offer the graph's entities by name
    page.locator('#entity-names option[value="id:entity/who"]').wait_for(state="attached")
    assert "saved=cq2-facts-about-entity" in page.url
    shot(page, "01-editor-results")

    with page.expect_download() as download:
        page.locator("#downloads a[data-format=csv]").click()
    csv_path = download.value.path()
    assert download.value.suggested_filename == "cq2-facts-about-entity.csv"
    assert Path(csv_path).read_text(encoding="utf-8").startswith("entity,fact,fact_type,role,exact,start,end,document")

    page.locator("table.results tbody tr").first.locator("a[href^='/id/fact/']").first.click()
    page.wait_for_url("**/id/fact/**")
    mark = page.locator("blockquote.evidence mark.span").first
    mark.wait_for()
    assert mark.is_visible() and mark.inner_text().strip()
    shot(page, "02-fact-page")

    page.locator("a[href^='/id/entity/']").first.click()
    page.wait_for_url("**/id/entity/**")
    assert page.locator("section.types .chip").count() > 0
    shot(page, "03-entity-page")

    page.get_by_role("link", name="In the document").first.click()
    page.wait_for_url("**/doc/**#ev-*")
    focused = page.locator("mark.ev.focus")
    focused.first.wait_for()
    assert focused.count() >= 1
    shot(page, "04-document-view")


def test_ctrl_enter_runs_an_edited_query_and_the_url_restores_it(page, served_url):
    page.goto(served_url + "/")
    editor = page.locator("#query")
    editor.fill("PREFIX ipa: <https://w3id.org/ipakg/ontology#>\n"
                "SELECT ?fact WHERE { ?fact a ipa:Withdrawal } ORDER BY ?fact LIMIT 3")
    editor.press("Control+Enter")
    page.locator("table.results tbody tr").first.wait_for(timeout=15_000)
    assert page.locator("table.results tbody tr").count() == 3
    shared = page.url
    assert "#query=" in shared

    page.goto("about:blank")
    page.goto(shared)
    page.locator("table.results tbody tr").first.wait_for(timeout=15_000)
    assert "ipa:Withdrawal" in page.locator("#query").input_value()


def test_a_syntax_error_is_shown_next_to_the_editor(page, served_url):
    page.goto(served_url + "/")
    page.locator("#query").fill("SELECT ?x WHERE { ?x ")
    page.locator("#run").click()
    err = page.locator("#results .error")
    err.wait_for(timeout=15_000)
    assert "400" in err.inner_text()


def test_the_timeline_view_of_the_policy_actions(page, served_url):
    page.goto(served_url + "/#saved=timeline")
    page.locator("#results ol.timeline li.event").first.wait_for(timeout=15_000)
    days = page.locator("#results ol.timeline time").all_inner_texts()
    assert days == sorted(days)
    shot(page, "05-timeline-view")
    page.goto(served_url + "/timeline")
    assert page.locator("ol.timeline li.event").count() > 0
    shot(page, "06-timeline-page")
