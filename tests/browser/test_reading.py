from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import SIZES


def serious_axe_violations(page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in result.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_lesson_page_reads_well_on_desktop_and_phone(live_server, sample_lesson, page, screenshot):
    url = live_server.url + sample_lesson.get_absolute_url()
    for label, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Tension between Iran and Azerbaijan"
        )
        expect(page.get_by_text("By Basel Haj Jasem")).to_be_visible()
        expect(page.get_by_text("In short")).to_be_visible()
        summary = page.locator(".summary p").first
        expect(summary).to_contain_text("deeper shifts in the geopolitical balance")
        paragraph = page.locator("#p-10")
        paragraph.scroll_into_view_if_needed()
        expect(paragraph).to_be_visible()
        expect(paragraph).to_contain_text("The January 2023 armed attack")
        # Nothing spills sideways on a 360 px phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label}: page is {overflow}px wider than the viewport"
        assert screenshot(page, f"lesson-{label}").exists()
    assert serious_axe_violations(page) == []


def test_reading_line_length_is_comfortable(live_server, sample_lesson, page):
    page.goto(live_server.url + sample_lesson.get_absolute_url())
    chars_per_line = page.evaluate(
        """() => {
            const p = document.querySelector('#p-2');
            const style = getComputedStyle(p);
            const lines = p.getBoundingClientRect().height / parseFloat(style.lineHeight);
            return p.textContent.length / lines;
        }"""
    )
    assert 60 <= chars_per_line <= 80, chars_per_line
    font_size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#p-2')).fontSize)"
    )
    assert font_size >= 17


def test_paragraph_anchor_is_highlighted(live_server, sample_lesson, page):
    page.goto(live_server.url + sample_lesson.get_absolute_url() + "#p-4")
    background = page.evaluate("getComputedStyle(document.querySelector('#p-4')).backgroundColor")
    other = page.evaluate("getComputedStyle(document.querySelector('#p-5')).backgroundColor")
    assert background != other


def test_home_course_and_account_pages_pass_axe(live_server, sample_lesson, page):
    for path in [
        "/",
        sample_lesson.course.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
    ]:
        page.goto(live_server.url + path)
        assert serious_axe_violations(page) == [], path
