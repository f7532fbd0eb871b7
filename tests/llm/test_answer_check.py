"""The rubric checks of the llm backend: reworded keys backed by the evidence, the answer check
(with and without the article), kinds and repeated keys. Against the fake server only."""

import json

import pytest

from quiz.authoring import KINDS, ArticleText, Candidate, ChoiceDraft, checks, llm
from quiz.generation import generate_for_lesson
from quiz.models import GenerationRun, RunStatus
from tests.factories import PLAIN_ARTICLE, make_lesson
from tests.llm import recorded
from tests.llm.conftest import Reply

ARTICLE = ArticleText(
    paragraphs=tuple(" ".join(p.split()) for p in PLAIN_ARTICLE.split("\n\n") if p.strip()),
    title="Bees",
)


def config(fake, **extra) -> llm.LLMConfig:
    values = {"base_url": fake.base_url, "model": "fake-model", "timeout": 5, "max_retries": 0}
    return llm.LLMConfig.from_values(**{**values, **extra})


def candidate(raw: dict) -> Candidate:
    c, _ = llm.check_item(ARTICLE, raw)
    assert c is not None
    return c


GROUNDED = [recorded.LITERAL_MC, recorded.FILL_BLANK, recorded.TRUE_FALSE]  # keys in the text


def prompts(result) -> list[str]:
    return [c.prompt for c in result.candidates]


def prompts_of(*raws: dict) -> list[str]:
    return [candidate(raw).prompt for raw in raws]  # as stored (blanks normalised)


def reasons_by_prompt(result) -> dict[str, list[str]]:
    return {r.prompt: r.reasons for r in result.rejected}


# --- the key may say the evidence in other words ---------------------------------------------


def test_a_reworded_key_backed_by_the_evidence_is_accepted(fake_llm):
    c = candidate(recorded.REWORDED_MC)
    # The offline containment test rejects it...
    assert llm.KEY_NOT_GROUNDED in checks.problems(ARTICLE, c)
    # ...the llm backend's support test backs it, and the answer check confirms it.
    assert llm.candidate_problems(ARTICLE, c) == [] and llm.needs_confirmation(c)
    fake_llm.script(recorded.reply(recorded.REWORDED_MC))
    result = llm.generate(ARTICLE, 1, config(fake_llm))
    assert [c.prompt for c in result.candidates] == [recorded.REWORDED_MC["prompt"]]
    assert result.rejected == [] and result.answer_check == "done"
    assert len(fake_llm.requests) == 1 and len(fake_llm.answer_checks) == 2


def test_a_key_sharing_nothing_with_the_evidence_is_still_rejected(fake_llm):
    fake_llm.script(recorded.reply(recorded.UNBACKED_MC))
    result = llm.generate(ARTICLE, 1, config(fake_llm))
    assert result.candidates == []
    (rejected,) = result.rejected
    assert rejected.reasons == [llm.KEY_NOT_GROUNDED] and rejected.attempts == 3
    assert fake_llm.answer_checks == []  # nothing left to check


def test_an_inference_key_may_lean_on_the_neighbouring_sentence():
    # "He decoded the language of the bees' dance": decode, language in the evidence, bee in
    # the sentence before it, dance nowhere near: 3 of 4.
    inference = candidate(recorded.INFERENCE_MC)
    assert llm.key_supported(ARTICLE, inference)
    literal = candidate({**recorded.INFERENCE_MC, "skill": "literal"})
    assert not llm.key_supported(ARTICLE, literal)  # 2 of 4 from the evidence alone
    assert llm.KEY_NOT_GROUNDED in llm.candidate_problems(ARTICLE, literal)


@pytest.mark.parametrize(
    "key, evidence, backed",
    [
        ("She loops back to repeat it", "then loops back and repeats the run.", True),
        ("The queen decides where the colony moves", "then loops back and repeats the run.", False),
        ("Only 40 of them, all in Kenya", "Researchers tagged 40 bees in Kenya.", True),
        ("Only 40 of them, all in Kenya", "Researchers tagged 400 bees in Kenya.", False),
        ("None of the above", "Researchers tagged 40 bees in Kenya.", False),
    ],
)
def test_key_support(key, evidence, backed):
    share, anchored = llm.key_support(key, evidence)
    assert (share >= llm.SUPPORT_SHARE or anchored) is backed


def test_a_wrong_option_stated_by_the_evidence_is_still_rejected():
    raw = json.loads(json.dumps(recorded.REWORDED_MC))
    raw["choices"][1]["text"] = "loops back and repeats the run"
    assert "distractor appears in evidence" in llm.candidate_problems(ARTICLE, candidate(raw))


# --- the answer check -------------------------------------------------------------------------


def test_the_check_shows_shuffled_options_and_hides_the_article_in_the_blind_pass(fake_llm):
    fake_llm.script(recorded.reply(*recorded.GOOD))
    llm.generate(ARTICLE, 4, config(fake_llm))
    with_article, blind = fake_llm.answer_checks
    assert with_article["response_format"]["json_schema"]["name"] == "answer_check"
    assert with_article["temperature"] == 0
    assert llm.ARTICLE_START in with_article["messages"][1]["content"]
    assert llm.ARTICLE_START not in blind["messages"][1]["content"]
    assert ARTICLE.paragraphs[2] not in blind["messages"][1]["content"]
    for body in (with_article, blind):
        user = body["messages"][1]["content"]
        assert "rationale" not in user and '"correct"' not in user  # the key is not leaked
        assert "fill_blank" not in user and "called the _____" not in user  # no check for it
    questions = [
        json.loads(body["messages"][1]["content"].split("Questions (JSON):\n")[1].rsplit("\n\n")[0])
        for body in (with_article, blind)
    ]
    assert questions[0] == questions[1]  # the same order in both passes
    assert [q["id"] for q in questions[0]] == ["Q1", "Q2", "Q3"]
    shown = [list(q["options"].values()) for q in questions[0]]
    originals = [[c["text"] for c in item["choices"]] for item in recorded.GOOD if item["choices"]]
    assert [sorted(s) for s in shown] == [sorted(o) for o in originals]
    assert shown != originals  # shuffled


def test_key_positions_are_deterministic_and_spread():
    def item(n):
        choices = [ChoiceDraft(f"Option {n}-{i}", i == 0, "r") for i in range(4)]
        return Candidate(
            "multiple_choice", f"Question {n}?", "", "literal", 1, 0, 0, 1, "x", choices
        )

    letters = [llm.presented(item(n), "Q1").key for n in range(40)]
    assert set(letters) == set("ABCD")
    assert letters == [llm.presented(item(n), "Q1").key for n in range(40)]


def test_an_item_answered_right_without_the_article_is_dropped(fake_llm):
    fake_llm.blind_right = {recorded.LITERAL_MC["prompt"]}
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = llm.generate(ARTICLE, 4, config(fake_llm))
    assert recorded.LITERAL_MC["prompt"] not in [c.prompt for c in result.candidates]
    assert len(result.candidates) == 3
    (rejected,) = result.rejected
    assert rejected.reasons == [llm.ANSWERABLE_BLIND]
    assert rejected.item["without_article"] == rejected.item["key"]


def test_a_blind_guess_that_happens_to_be_right_is_kept(fake_llm):
    it = llm.presented(candidate(recorded.LITERAL_MC), "Q1")
    guessed = {"answers": [{"id": "Q1", "letter": it.key, "guessing": True}]}
    fake_llm.check_replies = [Reply(), Reply(content=json.dumps(guessed))]
    fake_llm.script(recorded.reply(recorded.LITERAL_MC))
    result = llm.generate(ARTICLE, 1, config(fake_llm))
    assert len(result.candidates) == 1 and result.rejected == []


def test_an_item_answered_wrong_with_the_article_is_dropped(fake_llm):
    fake_llm.misread = {recorded.INFERENCE_MC["prompt"]}
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = llm.generate(ARTICLE, 4, config(fake_llm))
    assert prompts(result) == prompts_of(
        recorded.LITERAL_MC, recorded.FILL_BLANK, recorded.TRUE_FALSE
    )
    assert reasons_by_prompt(result) == {recorded.INFERENCE_MC["prompt"]: [llm.KEY_NOT_FOUND]}


def test_fill_blank_items_skip_the_check(fake_llm):
    fake_llm.script(recorded.reply(recorded.FILL_BLANK))
    result = llm.generate(ARTICLE, 1, config(fake_llm))
    assert len(result.candidates) == 1 and result.answer_check == "not needed"
    assert fake_llm.answer_checks == [] and result.calls == 1


@pytest.mark.parametrize(
    "check_reply, message",
    [
        (Reply(status=500, body={"error": {"message": "overloaded"}}), "HTTP 500"),
        (Reply(delay=2), "did not answer within 0.5 s"),
    ],
)
def test_a_failing_check_keeps_the_grounded_items_and_says_so(fake_llm, check_reply, message):
    fake_llm.check_replies = [check_reply]
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = llm.generate(ARTICLE, 4, config(fake_llm, timeout=0.5))
    # Items that pass the offline checks as they are survive; the reworded inference key
    # needed the model's confirmation and did not get it.
    assert prompts(result) == prompts_of(
        recorded.LITERAL_MC, recorded.FILL_BLANK, recorded.TRUE_FALSE
    )
    assert reasons_by_prompt(result) == {recorded.INFERENCE_MC["prompt"]: [llm.NOT_CONFIRMED]}
    assert len(fake_llm.answer_checks) == 1  # a dead server is not asked a second time
    assert result.answer_check.startswith(
        "answer check, with the article did not run (nor did the one without it): "
    )
    assert message in result.answer_check and "\n" not in result.answer_check
    assert "did not run" in result.raw_response


def test_an_unusable_check_reply_counts_as_not_run(fake_llm):
    fake_llm.check_replies = [Reply(content="I think B.")]
    fake_llm.script(recorded.reply(recorded.LITERAL_MC, recorded.REWORDED_MC))
    result = llm.generate(ARTICLE, 2, config(fake_llm))
    assert [c.prompt for c in result.candidates] == [recorded.LITERAL_MC["prompt"]]
    assert reasons_by_prompt(result) == {recorded.REWORDED_MC["prompt"]: [llm.NOT_CONFIRMED]}
    assert len(fake_llm.answer_checks) == 2  # the blind pass still ran
    assert "not valid JSON" in result.answer_check


def test_a_failing_blind_pass_keeps_what_the_article_pass_confirmed(fake_llm):
    fake_llm.check_replies = [Reply(), Reply(status=500)]
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = llm.generate(ARTICLE, 4, config(fake_llm))
    assert len(result.candidates) == 4 and result.rejected == []
    assert result.answer_check.startswith("answer check, without the article did not run")


# --- kinds and repeated keys --------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_, given, expected",
    [
        ("multiple_choice", "cause", "cause"),
        ("multiple_choice", "Speaker view", "speaker_view"),
        ("multiple_choice", None, "detail"),
        ("multiple_choice", "fill_blank", "detail"),  # does not fit the type
        ("multiple_choice", "nonsense", "detail"),
        ("true_false", "cause", "true_false"),
        ("who_holds_view", None, "who_said"),
        ("main_idea", "main_idea", "main_idea"),
        ("main_idea", None, "paragraph_point"),
        ("fill_blank", "detail", "fill_blank"),
    ],
)
def test_kind_is_validated_against_the_type(type_, given, expected):
    raw = {**recorded.LITERAL_MC, "type": type_}
    raw.pop("kind")
    if given is not None:
        raw["kind"] = given
    assert llm.LLMItem.model_validate(raw).kind == expected


def test_schema_asks_for_a_known_kind():
    schema = llm.RESPONSE_SCHEMA["properties"]["items"]["items"]
    assert "kind" in schema["required"]
    assert set(schema["properties"]["kind"]["enum"]) <= set(KINDS)
    assert "kind" in llm.SYSTEM_PROMPT


def test_the_same_key_twice_is_rejected(fake_llm):
    fake_llm.script(recorded.reply(recorded.LITERAL_MC, recorded.SAME_KEY_MC))
    result = llm.generate(ARTICLE, 2, config(fake_llm))
    assert [c.prompt for c in result.candidates] == [recorded.LITERAL_MC["prompt"]]
    assert reasons_by_prompt(result) == {recorded.SAME_KEY_MC["prompt"]: [llm.REPEATED_KEY]}


def test_prompt_version_and_rubric_asks():
    assert llm.PROMPT_VERSION != "llm-1"
    for ask in ("Why", "How", "short clauses", "misreading", "another part", "repeated keys"):
        assert ask in llm.SYSTEM_PROMPT


# --- through the Django glue --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_reasons_are_recorded_on_the_run(fake_llm):
    lesson = make_lesson()
    fake_llm.blind_right = {recorded.LITERAL_MC["prompt"]}
    fake_llm.misread = {recorded.TRUE_FALSE["prompt"]}
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = generate_for_lesson(lesson, count=4, backend="llm")
    run = GenerationRun.objects.get()
    assert run.status == RunStatus.DONE and run.accepted_count == 2 == len(result.created)
    assert run.rejected_count == 2
    reasons = {r["prompt"]: r["reasons"] for r in run.rejected}
    assert reasons == {
        recorded.LITERAL_MC["prompt"]: [llm.ANSWERABLE_BLIND],
        recorded.TRUE_FALSE["prompt"]: [llm.KEY_NOT_FOUND],
    }
    assert "[answer check, without the article]" in run.raw_response


@pytest.mark.django_db
def test_a_failing_check_is_recorded_on_the_run_and_keeps_the_questions(fake_llm):
    lesson = make_lesson()
    fake_llm.check_replies = [Reply(status=500)]
    fake_llm.script(recorded.reply(*recorded.GOOD))
    result = generate_for_lesson(lesson, count=4, backend="llm")
    run = result.run
    assert run.status == RunStatus.DONE and run.error == ""
    assert run.accepted_count == 3
    assert "answer check, with the article did not run" in run.raw_response
    assert run.rejected == [
        {
            "prompt": recorded.INFERENCE_MC["prompt"],
            "type": "multiple_choice",
            "reasons": [llm.NOT_CONFIRMED],
            "attempts": 1,
            "item": run.rejected[0]["item"],
        }
    ]
