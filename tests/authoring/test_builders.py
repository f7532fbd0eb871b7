"""Each question builder on small hand-written texts, including texts that must not yield it."""

from __future__ import annotations

from quiz.authoring import ArticleText, candidates
from quiz.authoring.builders import (
    fill_blank,
    main_idea,
    multiple_choice,
    sequence,
    true_false,
    viewpoint,
    vocabulary,
)
from quiz.authoring.checks import problems
from quiz.authoring.document import Document
from quiz.authoring.models import BLANK


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


def test_true_false_false_statement_changes_one_entity_and_is_checked() -> None:
    d = doc(
        "Spain sent observers to the border region to monitor the ceasefire.",
        "Italy sent engineers to rebuild the bridges that the floods destroyed.",
        "Portugal and Greece offered money but no staff for either mission.",
    )
    items = true_false.build(d)
    false = [c for c in items if c.key == "False"]
    assert false, "a false statement should be built by swapping a country"
    for c in false:
        assert [ch.text for ch in c.choices] == ["True", "False"]
        assert "says" in c.explanation and c.evidence in c.explanation
        assert c.prompt != c.evidence
        # Exactly one country differs from the evidence sentence.
        names = {"Spain", "Italy", "Portugal", "Greece"}
        changed = {w.strip(".,") for w in c.prompt.split()} ^ {
            w.strip(".,") for w in c.evidence.split()
        }
        assert len(changed) == 2 and changed <= names
    true = [c for c in items if c.key == "True"]
    assert any(c.prompt == c.evidence for c in true)


def test_true_false_rejects_a_swap_the_article_supports() -> None:
    d = doc(
        "Spain sent observers to the border region to monitor the ceasefire.",
        "Italy also sent observers to the border region to monitor the ceasefire.",
    )
    statement = "Italy sent observers to the border region to monitor the ceasefire."
    assert true_false.supported_elsewhere(d, statement, "Italy", 0)


def test_fill_blank_avoids_a_an_and_lists_aliases() -> None:
    d = doc(
        "The delegation flew to Tehran on Monday for talks on the nuclear file.",
        "Researchers found an enzyme that speeds up photosynthesis in algae.",
    )
    items = fill_blank.build(d)
    tehran = next(c for c in items if c.key == "Tehran")
    assert (
        tehran.prompt == f"The delegation flew to {BLANK} on Monday for talks on the nuclear file."
    )
    assert "Iran" in tehran.accepted_answers
    assert not tehran.choices
    for c in items:
        assert f"a {BLANK}" not in c.prompt and f"an {BLANK}" not in c.prompt


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


def test_sequence_orders_dated_events_and_hides_the_dates() -> None:
    d = doc(
        "In 1851, engineers laid a cable across the English Channel to France.",
        "In March 1848, crowds in Paris forced the king to give up his throne.",
        "The first transatlantic message was sent in August 1858 by the new line.",
        "By 1870, a cable reached India after months of work at sea.",
    )
    (c,) = sequence.build(d)
    items = [ch.text for ch in c.choices]
    assert items[0].startswith("Crowds in Paris forced the king")
    assert items[-1].startswith("A cable reached India")
    assert all(ch.correct for ch in c.choices)
    assert not any(year in text for text in items for year in ("1848", "1851", "1858", "1870"))
    assert "chronological" in c.prompt


def test_no_sequence_with_fewer_than_three_dated_events() -> None:
    d = doc(
        "In 1851, engineers laid a cable across the English Channel to France.",
        "The first transatlantic message was sent in August 1858 by the new line.",
        "Later, many more cables followed across every ocean.",
    )
    assert sequence.build(d) == []


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
