"""The signal console in a real Chromium: the demo's adverse reaction cases and quarterly signal runs
loaded into the console's database, then the statistics table filtered to the pairs over threshold,
a signal's page with its plot over the runs, validating the signal there, and the product page with
the same plot."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Console, _run, _server_env
from tests.browser.test_console import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def signal_demo(console: Console, console_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`medreg demo_vigilance load` on the console's database: cases, planted pairs, quarterly runs."""
    env = _server_env(console_database, tmp_path_factory.mktemp("signal-demo"))
    return _run(env, "medreg.cli", "demo_vigilance", "load")


def test_the_signal_table_leads_to_the_plot(
    console: Console, signal_demo: str, chromium: Browser, screenshot_dir: Path
) -> None:
    # given the demo's seven quarterly runs
    assert "'signal_runs': 7" in signal_demo
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, console, "provincial")

    # when: the signal table, only the pairs over threshold
    page.get_by_test_id("nav-signals").click()
    expect(page.locator("h1")).to_contain_text("信号统计表")
    page.get_by_test_id("filter-flagged").check()
    page.get_by_test_id("filter-submit").click()

    # then: the three planted associations of the latest run, each with a detected signal
    rows = page.get_by_test_id("signal-statistics").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("signal-link")).to_have_count(3)
    expect(page.get_by_test_id("table-run")).to_contain_text("2026-08-28")
    page.screenshot(path=screenshot_dir / "signal-table.png", full_page=True)

    # when: sort by N, ascending then open the signal of the first row
    page.locator('a[data-sort="n"]').click()
    page.locator('a[data-sort="n"]').click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("N")
    expect(rows.first.get_by_test_id("cell-n")).to_have_text("24")
    rows.first.get_by_test_id("signal-link").click()

    # then: the signal's page draws its reaction rising over the seven runs, with the threshold line
    expect(page.get_by_test_id("signal-status")).to_have_text("已检出")
    plot = page.get_by_test_id("signal-plot")
    expect(plot).to_be_visible()
    expect(plot.locator("polyline.eb05")).to_have_count(6)
    expect(plot.locator("polygon.band")).to_have_count(1)
    expect(plot.locator("line.threshold")).to_have_count(1)
    expect(plot.locator("title").first).to_contain_text("EB05")
    expect(page.get_by_test_id("plot-data").locator("tbody tr").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "signal-plot.png", full_page=True)

    # when: the provincial regulator validates the signal from its page
    page.get_by_test_id("step-validate").locator("textarea").fill("24 extra reports; plausible.")
    page.get_by_test_id("step-validate-submit").click()

    # then: the new status, version and history row; the next step offered is the assessment
    expect(page.get_by_test_id("step-done")).to_be_visible()
    expect(page.get_by_test_id("signal-status")).to_have_text("已确认")
    expect(page.get_by_test_id("signal-version")).to_have_text("2")
    expect(page.get_by_test_id("signal-history").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("signal-history").locator("tbody tr").last).to_contain_text("24 extra reports")
    expect(page.get_by_test_id("step-assess")).to_be_visible()

    # when: on to the product page
    page.get_by_test_id("signal-product-link").click()

    # then: the same plot beside the open signals
    expect(page.get_by_test_id("signals").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("plot-figure")).to_have_count(1)
    expect(page.get_by_test_id("signal-plot").locator("polyline.eb05")).to_have_count(6)
    page.screenshot(path=screenshot_dir / "signal-product.png", full_page=True)
    context.close()
