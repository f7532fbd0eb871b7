"""Shape rules for teacher edits: each question type needs the right kind of answer key."""

from django import forms
from django.core.exceptions import ValidationError

from courses.models import Lesson, Paragraph

from . import evidence
from .models import SINGLE_ANSWER_TYPES, Choice, EvidenceCheck, Question, QuestionType


def live_forms(formset) -> list:
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
    ]


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        question_type = self.instance.type
        choices = live_forms(self)
        correct = sum(1 for form in choices if form.cleaned_data.get("is_correct"))
        label = QuestionType(question_type).label if question_type else "This question"
        if question_type == QuestionType.TRUE_FALSE:
            if len(choices) != 2 or correct != 1:
                raise ValidationError(
                    "A true-or-false question needs exactly two choices, “True” and “False”, "
                    "with one of them ticked as correct.",
                    code="true_false_shape",
                )
        elif question_type in SINGLE_ANSWER_TYPES:
            if len(choices) < 2:
                raise ValidationError(
                    f"A “{label}” question needs at least two choices.", code="too_few_choices"
                )
            if correct != 1:
                raise ValidationError(
                    f"A “{label}” question needs exactly one correct choice: tick “correct” on "
                    f"the right answer only (now {correct} are ticked).",
                    code="one_correct",
                )
        elif question_type == QuestionType.SEQUENCE:
            if len(choices) < 3:
                raise ValidationError(
                    "A “put in order” question needs at least three items.", code="too_few_items"
                )
            positions = sorted(form.cleaned_data.get("position") or 0 for form in choices)
            if positions != list(range(1, len(choices) + 1)):
                raise ValidationError(
                    "Number the items 1, 2, 3… in their correct order, each number once "
                    "(the students see them shuffled).",
                    code="sequence_positions",
                )
            if correct:
                raise ValidationError(
                    "In a “put in order” question no item is ticked as correct: the order "
                    "numbers are the answer.",
                    code="sequence_no_correct",
                )
        elif question_type == QuestionType.FILL_BLANK and choices:
            raise ValidationError(
                "A fill-in-the-blank question has no choices: list the accepted answers instead.",
                code="fill_blank_choices",
            )


class AcceptedAnswerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        answers = live_forms(self)
        if self.instance.type == QuestionType.FILL_BLANK and not answers:
            raise ValidationError(
                "A fill-in-the-blank question needs at least one accepted answer.",
                code="no_accepted_answer",
            )
        if self.instance.type != QuestionType.FILL_BLANK and answers:
            raise ValidationError(
                "Only fill-in-the-blank questions have accepted answers; remove them or change "
                "the question type.",
                code="answers_for_choice_type",
            )


def clear_changed_keys(formset) -> None:
    """Untick, in one UPDATE, the stored choices whose tick this save changes or that it
    deletes, so that saving the choices one by one never has two ticked at once (the
    database allows one correct choice per question at every statement)."""
    ids = [
        form.instance.pk
        for form in formset.initial_forms
        if form.instance.pk
        and form.initial.get("is_correct")
        and ("is_correct" in form.changed_data or formset._should_delete_form(form))
    ]
    if ids:
        Choice.objects.filter(pk__in=ids, question=formset.instance).update(is_correct=False)


# --- The evidence sentence, picked from the lesson's text ---------------------------------------

KEEP = "keep"  # the current evidence is not one whole sentence: keep it as it is
PICK_MESSAGE = "Pick the sentence of the article that proves the answer."
MOVED_MESSAGE = (
    "The question now belongs to another lesson: pick its evidence in that lesson's text."
)
CHECKED_MESSAGE = "Nothing to mark: pick the evidence sentence again, it is no longer in the text."


class EvidencePicker(forms.RadioSelect):
    """The lesson's sentences inside their paragraphs: clicking a sentence picks it (a radio
    button under each sentence's label, so it works by keyboard and without JavaScript)."""

    template_name = "quiz/widgets/evidence_picker.html"
    lesson_id = ""  # the lesson whose sentences are shown, sent back with the pick

    class Media:
        js = ["js/evidence-picker.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lesson_id"] = self.lesson_id
        return context


class QuestionAdminForm(forms.ModelForm):
    evidence_sentence = forms.ChoiceField(
        label="Evidence sentence",
        widget=EvidencePicker,
        error_messages={"required": PICK_MESSAGE, "invalid_choice": PICK_MESSAGE},
        help_text="Click the sentence of the article that proves the answer.",
    )
    mark_checked = forms.BooleanField(
        label="Mark as checked",
        required=False,
        help_text="The evidence sentence was edited: tick this once you have checked that the "
        "question and its answer still match it.",
    )

    class Meta:
        model = Question
        # The admin's fieldsets list the fields; the evidence's offsets are never typed.
        fields = ["lesson", "type", "prompt", "explanation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paragraphs = self._lesson_paragraphs()
        field = self.fields["evidence_sentence"]
        field.choices, field.initial = self._sentence_choices()
        field.widget.lesson_id = str(self._lesson_id() or "")
        if self.instance.evidence_check != EvidenceCheck.CHANGED:
            del self.fields["mark_checked"]

    def _lesson_id(self):
        if self.is_bound:
            return self.data.get(self.add_prefix("lesson")) or None
        return self.instance.lesson_id or self.initial.get("lesson")

    def _lesson_paragraphs(self) -> dict[int, str]:
        lesson_id = self._lesson_id()
        if not str(lesson_id or "").isdigit():
            return {}
        return dict(Paragraph.objects.filter(lesson_id=lesson_id).values_list("position", "text"))

    @property
    def lesson_changed(self) -> bool:
        return bool(self.instance.pk) and str(self._lesson_id()) != str(self.instance.lesson_id)

    def _current(self) -> evidence.Span | None:
        q = self.instance
        if not q.pk or self.lesson_changed:
            return None
        if not evidence.at(
            self.paragraphs, q.evidence_paragraph, q.evidence_start, q.evidence_end,
            q.evidence_quote,
        ):  # fmt: skip
            return None
        return evidence.Span(q.evidence_paragraph, q.evidence_start, q.evidence_end,
                             q.evidence_quote)  # fmt: skip

    def _sentence_choices(self):
        groups: dict[int, list] = {}
        for span in evidence.sentences(self.paragraphs):
            groups.setdefault(span.paragraph, []).append((span.value, span.text))
        choices = [(f"¶{number}", options) for number, options in groups.items()]
        current = self._current()
        if current is None:
            return choices, None
        if any(current.value == value for options in groups.values() for value, _ in options):
            return choices, current.value
        # A quote that is part of a sentence (or spans two): offered as it is, and kept.
        return [(KEEP, f"Keep the current evidence: “{current.text}”"), *choices], KEEP

    def clean_evidence_sentence(self):
        value = self.cleaned_data["evidence_sentence"]
        shown = self.data.get(self.add_prefix("evidence_sentence") + "_lesson", "")
        if shown != str(self._lesson_id() or ""):
            # Picked among another lesson's sentences (the lesson was changed on the page).
            raise ValidationError(MOVED_MESSAGE if shown else PICK_MESSAGE, code="moved")
        if value == KEEP:
            return None
        number, start, end = evidence.parse_value(value)
        return evidence.Span(number, start, end, self.paragraphs[number][start:end])

    def clean(self):
        cleaned = super().clean()
        span = cleaned.get("evidence_sentence")
        picked = "evidence_sentence" in self.changed_data and span is not None
        question = self.instance
        if picked:
            question.evidence_paragraph, question.evidence_start = span.paragraph, span.start
            question.evidence_end, question.evidence_quote = span.end, span.text
        if picked or cleaned.get("mark_checked"):
            # The teacher has looked at the sentence: no flag is left to clear.
            question.evidence_check, question.evidence_was = "", ""
            question.evidence_missing = False
            question.source_hash = (
                Lesson.objects.filter(pk=self._lesson_id())
                .values_list("text_hash", flat=True)
                .first()
                or ""
            )
        return cleaned
