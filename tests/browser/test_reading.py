import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from quiz.models import Attempt, LessonProgress
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


def test_the_lesson_page_leads_to_the_quiz(live_server, sample_lesson, student, browser):
    """The quiz bar sits in the first screen on a laptop and a phone, a few Tabs from the top;
    the summary is open on a first visit and folded once the learner has gone on to the quiz."""
    from quiz.generation import generate_for_lesson

    generate_for_lesson(sample_lesson, publish=True)
    url = live_server.url + sample_lesson.get_absolute_url()
    for size in ({"width": 1366, "height": 768}, {"width": 360, "height": 740}):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(student.username)
        page.get_by_label("Password").fill("a-long-pass-phrase")
        page.get_by_role("button", name="Log in").click()
        page.goto(url)
        bar = page.get_by_role("complementary", name="Quiz")
        expect(bar).to_contain_text(f"{sample_lesson.questions.count()} questions · about")
        button = bar.get_by_role("button", name="Start the quiz")
        box = button.bounding_box()
        assert box["y"] + box["height"] <= size["height"], (size, box)  # no scrolling needed
        expect(page.locator("details.summary")).to_have_attribute("open", "")
        presses = 0
        while presses < 10 and not page.evaluate("!!document.activeElement.closest('.quiz-bar')"):
            page.keyboard.press("Tab")
            presses += 1
        assert presses <= 8, presses  # was 21 to the Start button at the article's end
        assert serious_axe_violations(page) == []

        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/attempts/\d+/1/$"))
        page.goto(url)
        expect(page.locator("details.summary")).not_to_have_attribute("open", "")
        expect(bar.get_by_role("button", name="Resume the quiz")).to_be_visible()
        context.close()
        Attempt.objects.all().delete()  # the next size starts as a first visit again
        LessonProgress.objects.all().delete()
