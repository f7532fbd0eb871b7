"""Data types shared by the generator, the checks and the Django glue."""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = (
    "multiple_choice",
    "true_false",
    "fill_blank",
    "who_holds_view",
    "sequence",
    "vocabulary",
    "main_idea",
)
SKILLS = ("literal", "vocabulary", "viewpoint", "sequence", "main_idea", "inference")
CHOICE_TYPES = ("multiple_choice", "vocabulary", "who_holds_view", "main_idea")
# Types whose key must be contained in (or entailed by) the evidence sentence.
EXTRACTIVE_TYPES = ("multiple_choice", "fill_blank", "who_holds_view", "vocabulary")
# What a generated question asks, finer than its type: teachers' rejection reasons are counted
# per kind and fed back into the ranking (quiz.generation).
KINDS = (
    "cause",  # why / what led to / what followed, from an explicit causal link
    "speaker_view",  # what a speaker thinks or claims
    "paragraph_point",  # the main point of a paragraph
    "detail_purpose",  # why the author mentions a detail (an example and its claim)
    "main_idea",  # the point of the whole article
    "entity_fact",  # what the article says of one person or body, beside what it says of others
    "detail",  # a literal fact asked in other words
    "who_said",  # who holds a view
    "true_false",
    "fill_blank",
    "sequence",
    "vocabulary",
)
GENERATOR_NAME = "offline"
GENERATOR_VERSION = "1.0"
BLANK = "_____"


class UnsupportedLanguage(ValueError):
    """The article is not in English: the generator refuses rather than write broken frames."""

    message = "Questions can only be generated for English articles."

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.message)


@dataclass(frozen=True)
class ArticleText:
    paragraphs: tuple[str, ...]
    summary: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class ChoiceDraft:
    text: str
    correct: bool
    rationale: str = ""


@dataclass
class Candidate:
    type: str
    prompt: str
    explanation: str
    skill: str
    difficulty: int
    paragraph: int
    start: int
    end: int
    evidence: str
    choices: list[ChoiceDraft] = field(default_factory=list)
    accepted_answers: list[str] = field(default_factory=list)
    score: float = 0.0
    fact: str = ""
    kind: str = ""  # one of KINDS ("" for questions not written by a generator)

    @property
    def key(self) -> str:
        """The correct answer text (first correct choice, or the canonical typed answer)."""
        if self.type == "fill_blank":
            return self.accepted_answers[0] if self.accepted_answers else ""
        for choice in self.choices:
            if choice.correct:
                return choice.text
        return ""

    @property
    def distractors(self) -> list[ChoiceDraft]:
        return [c for c in self.choices if not c.correct]
