"""Shape rules for teacher edits: each question type needs the right kind of answer key."""

from django import forms
from django.core.exceptions import ValidationError

from .models import SINGLE_ANSWER_TYPES, QuestionType


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
