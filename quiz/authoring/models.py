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
GENERATOR_NAME = "offline"
GENERATOR_VERSION = "1.0"
BLANK = "_____"


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
