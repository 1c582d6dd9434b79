"""The console's main paths in a real Chromium against a real server (see conftest.py)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Console

pytestmark = pytest.mark.browser

PASSWORD = "medreg-demo-2026"
PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, console: Console, username: str) -> None:
    page.goto(f"{console.base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_load_state()


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_provincial_user_finds_an_enterprise_and_switches_to_english(
    console: Console, chromium: Browser, screenshot_dir: Path
) -> None:
    # given
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)

    # when: the login page, in Chinese although the browser asks for English
    page.goto(f"{console.base_url}/")
    expect(page.locator("h1")).to_have_text("登录")
    sign_in(page, console, "provincial")

    # then: the dashboard of the province, in Chinese
    expect(page).to_have_url(f"{console.base_url}/")
    expect(page.locator("h1")).to_contain_text("监管概览")
    expect(page.get_by_test_id("dashboard")).to_contain_text("杭州市")
    page.screenshot(path=screenshot_dir / "dashboard-zh.png", full_page=True)

    # when: search by the Chinese name and open the enterprise
    page.get_by_test_id("search-input").fill(console.enterprise_name)
    page.get_by_test_id("search-input").press("Enter")
    page.get_by_test_id("enterprise-hits").get_by_role("link", name=console.enterprise_name, exact=True).click()

    # then
    expect(page.get_by_test_id("enterprise-name")).to_have_text(console.enterprise_name)
    expect(page.get_by_test_id("enterprise-uscc")).to_have_text(console.enterprise_uscc)
    expect(page.locator("dl.facts")).to_contain_text("统一社会信用代码")
    page.screenshot(path=screenshot_dir / "enterprise-zh.png", full_page=True)

    # when: switch to English
    page.get_by_test_id("lang-switch").click()

    # then: the same page, in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("enterprise-uscc")).to_have_text(console.enterprise_uscc)
    expect(page.locator("dl.facts")).to_contain_text("Unified social credit code")
    expect(page.get_by_role("heading", name="Licences")).to_be_visible()
    expect(page.get_by_test_id("lang-switch")).to_have_text("中文")
    page.screenshot(path=screenshot_dir / "enterprise-en.png", full_page=True)

    # when: sign out
    page.get_by_test_id("logout").click()

    # then
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("Sign in")
    context.close()


def test_enterprise_user_cannot_open_a_jiangsu_enterprise(console: Console, chromium: Browser) -> None:
    # given
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, console, "enterprise")

    # when
    own = page.goto(f"{console.base_url}/enterprises/{console.own_uscc}/")
    own_name = page.get_by_test_id("enterprise-uscc").inner_text()
    foreign = page.goto(f"{console.base_url}/enterprises/{console.foreign_uscc}/")

    # then
    assert own is not None
    assert own.status == 200
    assert own_name == console.own_uscc
    assert foreign is not None
    assert foreign.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("body")).not_to_contain_text(console.foreign_uscc)
    context.close()


def test_search_page_on_a_phone(console: Console, chromium: Browser, screenshot_dir: Path) -> None:
    # given
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)

    # when: an anonymous visitor searches on a 390 x 844 screen
    page.goto(f"{console.base_url}/search/")
    page.get_by_test_id("search-page-input").fill(console.enterprise_name)
    page.locator("main form button.primary").click()

    # then: the hit is there and nothing overflows sideways
    expect(page.get_by_test_id("enterprise-hits")).to_contain_text(console.enterprise_name)
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "search-phone.png", full_page=True)

    # when: the visitor verifies a pack's code (a handheld scanner types into the focused box + Enter)
    page.goto(f"{console.base_url}/trace/")
    expect(page.get_by_test_id("verify-input")).to_be_focused()
    page.keyboard.type("81234560000000000001")
    page.keyboard.press("Enter")

    # then: the answer card says the code is unknown, and fits the phone
    expect(page.get_by_test_id("verdict")).to_contain_text("未知码")
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "verify-phone.png", full_page=True)

    # when: a regulator opens the dashboard and the enterprise list on the phone
    sign_in(page, console, "provincial")
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "dashboard-phone.png", full_page=True)
    page.goto(f"{console.base_url}/enterprises/")
    expect(page.get_by_test_id("enterprise-list")).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "enterprises-phone.png", full_page=True)
    context.close()


def test_the_stylesheet_is_served(console: Console, chromium: Browser) -> None:
    # given
    context = chromium.new_context()
    page = context.new_page()
    stylesheets: list[int] = []
    page.on("response", lambda response: stylesheets.append(response.status) if response.url.endswith(".css") else None)

    # when
    page.goto(f"{console.base_url}/accounts/login/")

    # then: one stylesheet, served by the platform itself (no CDN), and applied
    assert stylesheets == [200]
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    context.close()
