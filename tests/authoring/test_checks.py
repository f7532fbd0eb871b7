"""Rejection rules (give-aways, unresolved references, bad blanks) and the evaluation report."""

from __future__ import annotations

from quiz.authoring import ArticleText, Candidate, ChoiceDraft
from quiz.authoring.checks import bad_blank, gives_away, problems, unresolved_prompt
from quiz.authoring.evaluation import evaluate, format_report

PARA = "Tehran has accused Baku of helping Israel. Turkey and Russia have stayed quiet."
ARTICLE = ArticleText(paragraphs=(PARA,))
EVIDENCE = "Tehran has accused Baku of helping Israel."


def mc(prompt: str, key: str = "Iran", others=("Turkey", "Russia", "Armenia")) -> Candidate:
    choices = [ChoiceDraft(key, True)] + [ChoiceDraft(o, False, "not this one") for o in others]
    return Candidate(
        type="multiple_choice", prompt=prompt, explanation="", skill="literal", difficulty=1,
        paragraph=0, start=0, end=len(EVIDENCE), evidence=EVIDENCE, choices=choices,
    )  # fmt: skip


def test_good_candidate_passes() -> None:
    assert problems(ARTICLE, mc("Which country has accused its neighbour of helping Israel?")) == []


def test_prompt_giving_away_its_answer_or_an_alias_is_rejected() -> None:
    assert gives_away(mc("Which country, Iran or another, has accused Baku?"))
    assert gives_away(mc("Which country, led from Tehran, has accused Baku?"))  # alias
    assert "prompt gives away the answer" in problems(ARTICLE, mc("Did Iranian leaders accuse?"))


def test_unresolved_pronoun_or_demonstrative_start_is_rejected() -> None:
    assert unresolved_prompt(mc("They have accused Baku of helping Israel."))
    assert unresolved_prompt(mc("This move angered which country?"))
    assert unresolved_prompt(
        mc('Which option completes: "It has accused _____ of helping Israel."')
    )
    assert unresolved_prompt(mc("Which country views these alliances as a threat?"))
    assert not unresolved_prompt(mc("Which country has accused Baku of helping Israel?"))


def test_ungrammatical_blank_is_rejected() -> None:
    c = mc("Tehran has accused an _____ of helping Israel.")
    c.type, c.choices, c.accepted_answers = "fill_blank", [], ["ally"]
    assert bad_blank(c)
    c.prompt = "Tehran has accused _____ of helping Israel."
    assert not bad_blank(c)
    c.prompt = "Tehran has accused Baku of helping Israel."
    assert bad_blank(c)  # no blank at all


def test_distractor_in_evidence_and_alias_of_key_are_reported() -> None:
    leaky = mc(
        "Which country has accused its neighbour of helping Israel?",
        others=("Israel", "Turkey", "Tehran"),
    )
    found = problems(ARTICLE, leaky)
    assert "distractor appears in evidence" in found
    assert "option is an alias of the key" in found


def test_evaluation_flags_broken_items() -> None:
    good = mc("Which country has accused its neighbour of helping Israel?")
    moved = mc("Which country has accused its neighbour of aiding Israel?")
    moved.start += 1  # evidence no longer verbatim at these offsets
    report = evaluate(ARTICLE, [good, moved])
    assert "evidence_not_found" not in report.questions[0].flags
    assert "evidence_not_found" in report.questions[1].flags
    assert "repeated_key" in report.questions[1].flags  # both keys are "Iran"
    text = format_report(report)
    assert "FAILED" not in text and "evidence_not_found" in text
