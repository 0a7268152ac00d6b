"""The dashboard in headless Chromium against a running hub, as the crisis centres use it.

One ``kcr run`` (own topics, registry, bridge and dashboard ports) serves every test of this
module; partners' events go to their ingress topics as connectors send them. The browser is
Debian's chromium driven by Playwright (no browser download).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from hub.dashboard.app import CSP
from hub.domain import testing as given
from hub.topics.declaration import TopicNames
from tests.harness import free_port
from tests.hub_process import HubProcess
from tests.integration.bridge_support import issue_keys
from tests.integration.live_support import Crisis, crisis, thresholds_file

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

CHROMIUM = "/usr/bin/chromium"
USERS = ("ncc", "locc", "min-jenv", "vr17")


class LiveHub:
    """The running hub of this module: its environment, dashboard URL and users' API keys."""

    def __init__(self, env: dict[str, str], keys: dict[str, str], process: HubProcess) -> None:
        self.env, self.keys, self.process = env, keys, process
        self.url = f"http://127.0.0.1:{env['KCR_DASHBOARD_PORT']}"


@pytest.fixture(scope="module")
def live_hub(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """``kcr run`` with a short silence limit and API keys for the NCC, LOCC, ministry, vr17."""
    home = tmp_path_factory.mktemp("dashboard")
    env = {
        **os.environ,
        "KCR_BOOTSTRAP": kafka_bootstrap,
        "KCR_TOPIC_PREFIX": f"e2e.dashboard.{uuid.uuid4().hex[:8]}",
        "KCR_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        "KCR_BRIDGE_PORT": str(free_port()),
        "KCR_DASHBOARD_PORT": str(free_port()),
        "KCR_ESCALATION_FILE": str(thresholds_file(home)),
        "KCR_DATA_DIR": str(home / "data"),
        "KCR_BRIDGE_KEYS_FILE": str(home / "keys.json"),
    }
    keys = issue_keys(home / "keys.json", *USERS)
    process = HubProcess(env, home / "hub.log")
    try:
        process.wait_ready()
        hub = LiveHub(env, keys, process)
        assert f"Dashboard: {hub.url}" in process.output()
        yield hub
    finally:
        process.stop()
        print(process.output()[-6000:])  # shown by pytest when a test fails


@pytest.fixture(scope="module")
async def partners(live_hub: LiveHub) -> AsyncIterator[Crisis]:
    """Every expected organisation heartbeating; ``send`` publishes a partner's event."""
    env = live_hub.env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    async with crisis(env["KCR_BOOTSTRAP"], names, env["KCR_REGISTRY_URL"]) as scripted:
        yield scripted


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian chromium."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        await chromium.close()


class SignedInPage:
    """A browser context signed in as one organisation, with its CSP violations recorded."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context, self.page = context, page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))

    async def violations(self) -> list[str]:
        """CSP violations the page reported (events and console messages)."""
        reported: list[str] = await self.page.evaluate("window.__cspViolations")
        return reported + [text for text in self.console if "Content Security Policy" in text]


SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
"""Where the tests leave screenshots for review (ignored by git)."""


def screenshot_path(name: str) -> str:
    """The file for screenshot ``name`` (the folder is made on first use)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")


async def sign_in(
    browser: Browser, hub: LiveHub, org: str, width: int = 1280, height: int = 800
) -> SignedInPage:
    """Open the dashboard (``width`` × ``height``) and sign in with ``org``'s API key."""
    context = await browser.new_context(viewport={"width": width, "height": height})
    await context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    signed = SignedInPage(context, await context.new_page())
    await signed.page.goto(hub.url)
    await signed.page.fill("#api-key", hub.keys[org])
    await signed.page.click("#sign-in button[type=submit]")
    await expect(signed.page.locator("#who")).to_contain_text(f"({org},")
    await expect(signed.page.locator("#live")).to_have_text("live", timeout=15_000)
    return signed


def tag() -> str:
    """A short unique suffix for the ids of one test."""
    return uuid.uuid4().hex[:6]


async def test_page_loads_with_the_csp_header_and_no_violation(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """The page and its assets come with the strict CSP and the page breaks none of it."""
    context = await browser.new_context()
    page = await context.new_page()
    response = await page.goto(live_hub.url)
    assert response is not None
    assert response.headers["content-security-policy"] == CSP
    await context.close()
    signed = await sign_in(browser, live_hub, "ncc")
    await expect(signed.page.locator("#map svg g.tile")).to_have_count(25)
    await signed.page.locator('[data-region="vr19"]').click()
    await expect(signed.page.locator("#region-title")).to_contain_text("Zeeland")
    await asyncio.sleep(1)
    assert await signed.violations() == []
    await signed.context.close()


async def test_map_turns_a_region_to_grip_4_within_seconds(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """The NCC's map colours Zeeland GRIP 4 seconds after Zeeland reports it, live."""
    signed = await sign_in(browser, live_hub, "ncc")
    tile = signed.page.locator('#map [data-region="vr19"]')
    incident = f"inc-dyke-{tag()}"
    started = time.monotonic()
    await partners.send(given.incident_reported(incident, datetime.now(UTC), "vr19",
                                                grip_level="4", affected_people=1200))  # fmt: skip
    await expect(tile).to_have_attribute("data-grip", "4", timeout=20_000)
    assert time.monotonic() - started < 20
    await expect(tile).to_have_class("tile grip-4")
    await tile.click()
    await expect(
        signed.page.locator(f'#region-detail [data-incident="{incident}"]')
    ).to_be_visible()
    await expect(signed.page.locator("#total-affected")).not_to_have_text("0")
    await partners.send(given.capacity_reported("pump", datetime.now(UTC), "vr19",
                                                total=40, available=12))  # fmt: skip
    await asyncio.sleep(2)
    await signed.page.screenshot(path=screenshot_path("ncc-grip-4-1280x800"), full_page=True)
    await partners.send(given.incident_closed(incident, datetime.now(UTC), "vr19"))
    await expect(tile).to_have_attribute("data-grip", "none", timeout=20_000)
    await signed.context.close()


async def test_the_page_fits_a_narrow_screen(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """On a 390-pixel phone the map, summary and signals stack: nothing scrolls sideways."""
    signed = await sign_in(browser, live_hub, "ncc", width=390, height=844)
    page = signed.page
    await expect(page.locator("#map svg g.tile")).to_have_count(25)
    await page.screenshot(path=screenshot_path("ncc-narrow-390x844"), full_page=True)
    widest = await page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '#' + e.id"
        " + '.' + e.className)"
    )
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow} px wider than a 390 px screen: {widest}"
    for panel in ("#map", "main"):
        box = await page.locator(panel).bounding_box()
        assert box is not None, panel
        assert box["x"] >= 0, panel
        assert box["x"] + box["width"] <= 391, panel
    assert await signed.violations() == []
    await signed.context.close()


async def test_a_signal_appears_and_resolves(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """A GRIP 4 incident raises a signal on the NCC's page; closing it resolves the signal."""
    signed = await sign_in(browser, live_hub, "ncc")
    incident = f"inc-storm-{tag()}"
    await partners.send(given.incident_reported(incident, datetime.now(UTC), "vr05",
                                                category="storm", grip_level="4"))  # fmt: skip
    row = signed.page.locator(f'#signals tr.signal[data-signal="grip-high/{incident}"]')
    await expect(row).to_have_attribute("data-status", "raised", timeout=30_000)
    await partners.send(given.incident_closed(incident, datetime.now(UTC), "vr05"))
    await expect(row).to_have_attribute("data-status", "resolved", timeout=30_000)
    await expect(signed.page.locator("#signal-feed li").first).to_contain_text("resolved")
    await signed.context.close()


async def test_the_locc_validates_an_advice_and_the_ministry_sees_it(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """The LOCC clicks validate on the draft; the ministry that asked sees it published."""
    locc = await sign_in(browser, live_hub, "locc")
    ministry = await sign_in(browser, live_hub, "min-jenv")
    advice = f"adv-evac-{tag()}"
    asked = given.advice_requested(
        advice, datetime.now(UTC), source="min-jenv", region="vr19", parameters={"people": 12000}
    )
    await partners.send(asked)
    draft = locc.page.locator(f'#advice tr.advice[data-advice="{advice}"]')
    await expect(draft).to_have_attribute("data-status", "pending", timeout=30_000)
    await expect(ministry.page.locator(f'[data-advice="{advice}"]')).to_have_count(0)
    await draft.locator("input").fill("Go ahead")
    await draft.locator("button.validate").click()
    await expect(draft).to_have_attribute("data-status", "validation sent")
    published = ministry.page.locator(f'#advice tr.advice[data-advice="{advice}"]')
    await expect(published).to_have_attribute("data-status", "published", timeout=30_000)
    await expect(published).to_contain_text("by locc")
    await expect(published.locator("button")).to_have_count(0)  # the ministry may not validate
    await locc.context.close()
    await ministry.context.close()


async def test_a_region_does_not_see_another_regions_amber_items(
    live_hub: LiveHub, browser: Browser, partners: Crisis
) -> None:
    """vr17 sees the signal of its own GRIP 4 incident, not Groningen's (AMBER); the NCC both."""
    region = await sign_in(browser, live_hub, "vr17")
    ncc = await sign_in(browser, live_hub, "ncc")
    far, own = f"inc-gas-{tag()}", f"inc-port-{tag()}"
    now = datetime.now(UTC)
    await partners.send(given.incident_reported(far, now, "vr01", category="chemical",
                                                grip_level="4"))  # fmt: skip
    await partners.send(given.incident_reported(own, now, "vr17", category="fire",
                                                grip_level="4"))  # fmt: skip
    for page in (ncc.page, region.page):
        await expect(page.locator(f'tr.signal[data-signal="grip-high/{own}"]')).to_have_count(
            1, timeout=30_000
        )
    await expect(ncc.page.locator(f'tr.signal[data-signal="grip-high/{far}"]')).to_have_count(
        1, timeout=30_000
    )
    await asyncio.sleep(3)  # the outbox stream is in order: vr17 had its chance to receive it
    assert await region.page.locator(f'[data-signal="grip-high/{far}"]').count() == 0
    assert far not in await region.page.content()
    # regions do not subscribe to views: the map of vr17 stays uncoloured
    await expect(region.page.locator('#map [data-region="vr01"]')).to_have_attribute(
        "data-grip", "none"
    )
    await expect(ncc.page.locator('#map [data-region="vr01"]')).to_have_attribute("data-grip", "4")
    for incident, source in ((far, "vr01"), (own, "vr17")):
        await partners.send(given.incident_closed(incident, datetime.now(UTC), source))
    await region.context.close()
    await ncc.context.close()
