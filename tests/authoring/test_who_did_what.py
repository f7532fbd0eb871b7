"""What the article says of one person or body beside what it says of others (entity_fact),
and the guards added after the second judged round: one question never gives another away,
a word's meaning must fit its part of speech, stems agree with plural speakers and name no
time they cannot resolve."""

from __future__ import annotations

from quiz.authoring import ArticleText, generate
from quiz.authoring.builders import cause, entity_fact, speaker_view, vocabulary
from quiz.authoring.document import Document
from quiz.authoring.models import Candidate, ChoiceDraft
from quiz.authoring.ranking import leaks
from quiz.authoring.statements import as_option

# A made-up story about a harbour town: five people, each doing something of their own.
HARBOUR = (
    "Harbour master Elena Ruiz closed the old pier after a storm damaged its wooden supports. "
    "She ordered a full survey of the harbour walls.",
    "Fisherman Daniel Okafor moved his boat to the northern quay for the winter months. "
    "Local restaurants bought most of his catch that season.",
    "Councillor Marta Lindqvist proposed a new tax on cruise ships visiting the bay. The "
    "council will vote on the proposal in June.",
    "Engineer Samuel Price designed a floating breakwater for the eastern entrance. The "
    "design uses recycled concrete blocks.",
    "Teacher Hannah Cole organised a beach clean-up with forty pupils from the primary school. "
    "The pupils collected two tonnes of plastic.",
)


def doc(*paragraphs: str) -> Document:
    return Document(ArticleText(paragraphs=tuple(paragraphs)))


def test_facts_resolve_he_or_she_from_the_one_person_named_before() -> None:
    found = entity_fact.facts(doc(*HARBOUR))
    by_name = {(f.entity.display, f.predicate): f for f in found}
    survey = next(f for (who, what), f in by_name.items() if what.startswith("ordered a full"))
    assert survey.entity.display.endswith("Elena Ruiz")
    assert survey.resolved
    boat = next(f for (who, what), f in by_name.items() if what.startswith("moved his boat"))
    assert boat.entity.display.endswith("Daniel Okafor") and not boat.resolved
    # "his" points back to Okafor: that fact cannot be set on someone else.
    assert not boat.portable


def test_wrong_options_are_what_others_did_set_on_the_one_asked_about() -> None:
    d = doc(*HARBOUR)
    items = entity_fact.build(d)
    assert items
    for c in items:
        assert c.kind == "entity_fact"
        who = c.prompt.removeprefix("According to the article, which statement about ")
        who = who.removesuffix(" is true?")
        assert all(ch.text.startswith(who + " ") for ch in c.choices)
        key_sentence = c.evidence
        for ch in c.distractors:
            assert "says this of" in ch.rationale and f"not of {who}" in ch.rationale
            # The wrong option's own sentence does not involve the person asked about.
            predicate = ch.text.removeprefix(who + " ").rstrip(".")
            source = next(s for s in d.sentences if predicate in s.text)
            assert who not in source.text and source.text != key_sentence


def test_a_question_is_not_offered_beside_one_that_gives_its_key_away() -> None:
    def mc(prompt: str, key: str, wrong: list[str]) -> Candidate:
        return Candidate(
            type="multiple_choice",
            prompt=prompt,
            explanation="",
            skill="literal",
            difficulty=2,
            paragraph=0,
            start=0,
            end=1,
            evidence="",
            choices=[ChoiceDraft(key, True, "")] + [ChoiceDraft(w, False, "x") for w in wrong],
        )

    first = mc("Why did the pool close?", "The roof had become unsafe.", ["A", "B", "C"])
    second = mc(
        "What did the mayor say?",
        "The new pool would open within two years.",
        ["The roof of the pool had become unsafe.", "Roads come first.", "Lorries are loud."],
    )
    unrelated = mc("What did the coach say?", "Competitions will return.", ["D", "E", "F"])
    assert leaks(second, [first])
    assert leaks(first, [second])
    assert not leaks(unrelated, [first, second])


def test_a_meaning_is_offered_only_for_the_part_of_speech_used() -> None:
    noun = doc(
        "Many academics, advocates, and funders were around the table when the new research "
        "programme was planned for the region."
    )
    verb = doc("She advocated cleaner air in every city and town of the country.")
    assert not [c for c in vocabulary.build(noun) if '"advocates"' in c.prompt]
    assert [c for c in vocabulary.build(verb) if '"advocated"' in c.prompt]


def test_wrong_meanings_can_stand_where_the_word_stands() -> None:
    d = doc(
        "Heavy rain hindered the rescue teams for most of the week in the northern valleys.",
        "Officials said that the fighters and their allies had crossed the border at night.",
    )
    items = {c.prompt.split('"')[1]: c for c in vocabulary.build(d)}
    hindered = items["hindered"]
    # An object follows "hindered": no meaning that plainly takes none is offered.
    senses = {s.definition: s for s in vocabulary.senses().values()}
    assert all(vocabulary.frame(senses[ch.text]) != "i" for ch in hindered.distractors)
    if "allies" in items:
        assert all(vocabulary.frame(senses[ch.text]) == "agent" for ch in items["allies"].choices)


def test_snippets_carry_no_dangling_quotation_marks() -> None:
    d = doc('He warned that unless productivity sees unprecedented rises "pensions would suffer".')
    (item,) = [c for c in vocabulary.build(d) if "unprecedented" in c.prompt]
    inner = item.prompt.split(" mean in ", 1)[1]
    assert inner.count('"') == 2 and "“" not in inner


def test_plural_speakers_take_do_not_does() -> None:
    d = doc(
        "Many economists predict that prices will keep rising through the winter months.",
        "The central bank said that interest rates would stay at four percent for now.",
        "Shop owners argued that the new parking charges were driving customers away.",
        "Teachers warned that larger classes would harm the weakest pupils most of all.",
    )
    views = [v for v in speaker_view.find_views(d) if "economists" in v.actor.display.lower()]
    assert views
    assert speaker_view.stem(views[0], d) == "What do many economists predict?"


def test_cause_refuses_a_stem_with_a_time_it_cannot_name() -> None:
    d = doc(
        "Congress has until Friday to act. Either the bill or a temporary extension must be "
        "passed by then, because the current funding runs out at midnight on Friday.",
        "The governor closed the state parks because the storm had brought down many trees.",
        "Farmers sold their cattle early, because the dry summer had left little grass.",
        "The school moved its exams to June because the hall was needed as a vaccine centre.",
        "The river rose by two metres in a single night. Several roads were closed for a week. "
        "Volunteers filled sandbags outside the town hall.",
    )
    prompts = [c.prompt for c in cause.build(d)]
    assert not [p for p in prompts if "by then" in p]
    assert any(p.startswith("Why did the governor close") for p in prompts)


def test_options_expand_contractions_and_refuse_an_unresolved_they() -> None:
    assert as_option("I’m new to the city and its buses.") == (
        "The author is new to the city and its buses."
    )
    assert as_option("They sold exactly zero copies last year.") is None
    assert as_option("It is hard to say what happens next year.") is not None


def test_default_set_never_repeats_a_key_or_gives_one_away() -> None:
    items = generate(ArticleText(paragraphs=HARBOUR))
    keys = [c.key for c in items]
    assert len(keys) == len(set(keys))
    for i, c in enumerate(items):
        assert not leaks(c, items[:i] + items[i + 1 :])
