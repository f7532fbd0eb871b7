"""Editing one draft question in place on the review page: its prompt, its explanation and its
answer key in the shape of its type, with the admin's shape rules (quiz.admin_forms).

The evidence fields are left to the admin's full form. Everything is validated first, then
saved in one transaction, so a refused edit never leaves half of it saved.
"""

from functools import cache

from django import forms
from django.db import IntegrityError, transaction
from django.forms import inlineformset_factory

from .admin_forms import AcceptedAnswerFormSet, ChoiceFormSet, clear_changed_keys
from .models import AcceptedAnswer, Choice, Question, QuestionType, Status

NOT_A_DRAFT = (
    "Only draft questions are edited on the review page. This one is {state}: change it in "
    "the admin's full form, which also re-grades learners' answers when the key changes."
)


def refusal(question: Question) -> str:
    """Why `question` cannot be edited here, or "" when it can."""
    if question.status != Status.DRAFT:
        return NOT_A_DRAFT.format(state=question.get_status_display().split(":")[0].lower())
    if question.attempt_items.exists():
        return NOT_A_DRAFT.format(state="already shown to learners")
    return ""


class QuestionTextForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["prompt", "explanation"]
        labels = {
            "prompt": "Question",
            "explanation": "Explanation",
        }
        help_texts = {
            "prompt": "What the students read and answer.",
            "explanation": "Shown after the student answers: why the right answer is right.",
        }
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "prompt": {"required": "Write the question the students will see: it cannot be empty."}
        }


class DraftAnswerFormSet(AcceptedAnswerFormSet):
    def get_unique_error_message(self, unique_check):
        return "Each accepted answer is listed once: remove the repeated one."


CHOICE_ERRORS = {
    "text": {
        "required": "Write the text of this choice, or tick “Remove” to delete it.",
        "max_length": "Keep a choice under 500 characters.",
    },
    "rationale": {"max_length": "Keep the note under 500 characters."},
    "position": {
        "required": "Give this item its place in the correct order (1 = first).",
        "invalid": "Give the place as a whole number: 1, 2, 3…",
        "min_value": "Places are numbered from 1.",
    },
}


@cache
def choice_formset_class(question_type: str):
    sequence = question_type == QuestionType.SEQUENCE
    fields = ["text", "position", "rationale"] if sequence else ["text", "is_correct", "rationale"]
    return inlineformset_factory(
        Question,
        Choice,
        formset=ChoiceFormSet,
        fields=fields,
        extra=0 if question_type == QuestionType.TRUE_FALSE else 1,
        can_delete=True,
        labels={
            "text": "Item" if sequence else "Choice",
            "is_correct": "Right answer",
            "position": "Correct place",
            "rationale": "Note" if sequence else "Why it is wrong",
        },
        help_texts={"text": "", "is_correct": "", "position": "", "rationale": ""},
        widgets={
            "text": forms.TextInput(),
            "rationale": forms.TextInput(),
            "position": forms.NumberInput(attrs={"class": "draft-editor__place"}),
        },
        error_messages=CHOICE_ERRORS,
        formfield_callback=_no_default_place,
    )


def _no_default_place(db_field, **kwargs):
    """Places count from 1, and a new item's place starts empty (not the model's default 0)."""
    if db_field.name == "position":
        kwargs.update(initial=None, min_value=1)
    return db_field.formfield(**kwargs)


AnswerFormSet = inlineformset_factory(
    Question,
    AcceptedAnswer,
    formset=DraftAnswerFormSet,
    fields=["text"],
    extra=1,
    can_delete=True,
    labels={"text": "Accepted answer"},
    help_texts={"text": ""},
    error_messages={
        "text": {
            "required": "Type an accepted answer, or tick “Remove” to delete it.",
            "max_length": "Keep an accepted answer under 200 characters.",
        }
    },
)


class DraftEditor:
    """The question's text form and the one formset its type uses, under prefixes naming the
    question (two editors open on one page never share an id)."""

    def __init__(self, question: Question, data=None):
        self.question = question
        self.prefix = f"q{question.pk}"
        self.is_fill_blank = question.type == QuestionType.FILL_BLANK
        self.is_sequence = question.type == QuestionType.SEQUENCE
        self.form = QuestionTextForm(data, instance=question, prefix=self.prefix)
        if self.is_fill_blank:
            self.formset = AnswerFormSet(
                data,
                instance=question,
                prefix=f"{self.prefix}-answers",
                queryset=AcceptedAnswer.objects.order_by("pk"),
            )
        else:
            self.formset = choice_formset_class(question.type)(
                data,
                instance=question,
                prefix=f"{self.prefix}-choices",
                queryset=Choice.objects.order_by("position", "pk"),
            )
        self.save_error = ""

    @property
    def is_bound(self) -> bool:
        return self.form.is_bound

    @property
    def has_errors(self) -> bool:
        if not self.is_bound:
            return False
        return bool(self.save_error or self.form.errors or self.formset.total_error_count())

    def is_valid(self) -> bool:
        # Both validated, so every message shows at once.
        return all([self.form.is_valid(), self.formset.is_valid()])

    def save(self) -> bool:
        """Validate, then save everything or nothing; False (with messages) when refused."""
        if not self.is_valid():
            return False
        try:
            with transaction.atomic():
                question = self.form.save(commit=False)
                question.teacher_edited = True  # regeneration never replaces it
                question.save(
                    update_fields=["prompt", "explanation", "teacher_edited", "updated_at"]
                )
                if not self.is_fill_blank:
                    self._place_new_choices()
                    clear_changed_keys(self.formset)
                self.formset.save()
        except IntegrityError:
            self.save_error = (
                "Not saved: the database refused this answer key (one right answer per "
                "question, each accepted answer listed once). Nothing has been changed yet: "
                "check the key and save again."
            )
            return False
        return True

    def _place_new_choices(self) -> None:
        """New choices of single-answer questions go after the existing ones."""
        if self.is_sequence:
            return
        last = max((f.instance.position for f in self.formset.initial_forms), default=0)
        for form in self.formset.extra_forms:
            if form.has_changed():
                last += 1
                form.instance.position = last
