"""Each question builder on small hand-written texts, including texts that must not yield it."""

from __future__ import annotations

from quiz.authoring import ArticleText, candidates
from quiz.authoring.builders import main_idea, multiple_choice, viewpoint, vocabulary
from quiz.authoring.checks import problems
from quiz.authoring.document import Document


def doc(*paragraphs: str, summary: tuple[str, ...] = ()) -> Document:
    return Document(ArticleText(paragraphs=tuple(paragraphs), summary=summary))


COUNTRIES = (
    "Relations between Germany and Poland improved after the treaty was signed.",
    "Spain sent observers to the border region to monitor the ceasefire.",
    "Italy later joined the talks with a proposal for a trade corridor.",
    "France has supplied most of the turbines for the new power plant.",
)


def test_multiple_choice_subject_question_with_same_kind_distractors() -> None:
    d = doc(*COUNTRIES)
    items = [c for c in multiple_choice.build(d) if c.prompt.startswith("Which country")]
    c = next(c for c in items if "turbines" in c.prompt)
    assert c.prompt == "Which country has supplied most of the turbines for the new power plant?"
    assert c.key == "France"
    assert len(c.choices) == 4 and sum(ch.correct for ch in c.choices) == 1
    assert {ch.text for ch in c.distractors} <= {"Germany", "Poland", "Spain", "Italy"}
    assert all(ch.rationale for ch in c.distractors)
    assert problems(d.article, c) == []


def test_multiple_choice_never_offers_an_alias_of_the_key() -> None:
    d = doc(
        "Tehran has rejected the proposal put forward by Ankara last week.",
        "Observers in Moscow and Baku expect further talks on the pipeline.",
        "Officials in Yerevan have not commented on the pipeline plan.",
        "Iranian diplomats stayed away from the summit in Tbilisi.",
    )
    for c in multiple_choice.build(d):
        if c.key in ("Iran", "Tehran"):
            texts = {ch.text for ch in c.distractors}
            assert not texts & {"Iran", "Tehran", "Iranian", "Persia"}


def test_viewpoint_patterns_and_no_giveaway() -> None:
    d = doc(
        "Mayor Elena Ruiz said the charge would cut traffic and pay for better buses.",
        "The Chamber of Commerce warned that shoppers would drive to retail parks instead.",
        "According to Councillor David Okafor, the scheme will hit shift workers hardest.",
        '"Footfall is already down and shops will close," said Martin Hale, a shop owner.',
    )
    items = {c.key: c for c in viewpoint.build(d)}
    assert items["Elena Ruiz"].prompt == (
        "Who said that the charge would cut traffic and pay for better buses?"
    )
    assert items["Chamber of Commerce"].prompt.startswith("Who warned that shoppers")
    assert "shift workers" in items["David Okafor"].prompt
    assert items["Martin Hale"].prompt.startswith('Who said: "Footfall')
    for key, c in items.items():
        assert key.split()[-1] not in c.prompt
        assert 3 <= len(c.choices) <= 4
        assert problems(d.article, c) == []


def test_viewpoint_drops_views_that_name_their_own_holder() -> None:
    d = doc(
        "Iran maintains that Iranian drones never crossed the border with Iraq.",
        "Turkey and Israel have said nothing about the incident so far.",
        "Armenia argued that the border should be monitored by outside observers.",
    )
    keys = [c.key for c in viewpoint.build(d)]
    assert "Iran" not in keys
    assert "Armenia" in keys


def test_vocabulary_uses_the_table_meaning_and_other_meanings_as_distractors() -> None:
    d = doc("Heavy rain can exacerbate erosion on the steep slopes above the village.")
    c = next(c for c in vocabulary.build(d) if '"exacerbate"' in c.prompt)
    assert c.key == "make a problem worse"
    assert len(c.choices) == 4 and len({ch.text for ch in c.choices}) == 4
    assert problems(d.article, c) == []


def test_no_vocabulary_without_a_known_word() -> None:
    assert vocabulary.build(doc("The cat sat on the mat and looked at the dog.")) == []


def test_main_idea_uses_the_summary_and_narrower_distractors() -> None:
    body = (
        "The river has shaped the life of the valley for centuries, from farming to trade.",
        "Farmers used its floods to water their fields each spring, and yields grew.",
        "Merchants carried salt and timber downstream to the coastal markets by barge.",
        "A dam built upstream in the last century changed the rhythm of the floods.",
        "Fishermen say the catch of eels has fallen since the dam was built.",
        "Today the valley depends on the river as much as ever, though in new ways.",
    )
    d = doc(*body, summary=(body[0],))
    (c,) = main_idea.build(d)
    assert c.key == body[0]
    assert c.paragraph == 0 and c.evidence == body[0]
    assert len(c.choices) == 4
    assert all("narrow" in ch.rationale for ch in c.distractors)


def test_plain_article_without_a_general_lede_gets_no_main_idea() -> None:
    d = doc("In 1998, 16 percent of reefs bleached.", "Corals need algae to feed.")
    assert main_idea.build(d) == []


def test_pool_has_no_failing_candidate() -> None:
    article = ArticleText(paragraphs=COUNTRIES)
    for c in candidates(article):
        assert problems(article, c) == []
