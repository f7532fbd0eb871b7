from django import forms
from django.core.exceptions import ValidationError

from .grading import Answer
from .models import AttemptItem, QuestionType


class AnswerForm(forms.Form):
    """The answer to one attempt item, shaped by its question type.

    Choices are identified by their place in the attempt's stored order ("1", "2", …), never by
    id, so the page is the same bytes whichever choice is the key.
    """

    def __init__(self, item: AttemptItem, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        question = item.question
        self.shown = []
        if question.type != QuestionType.FILL_BLANK:
            by_id = {c.pk: c for c in question.choices.all()}
            # Choices deleted by a teacher since the attempt began are simply not offered.
            self.shown = [by_id[pk] for pk in item.choice_order if pk in by_id]
        if question.type == QuestionType.FILL_BLANK:
            self.fields["text"] = forms.CharField(
                label="Your answer",
                max_length=200,
                error_messages={"required": "Type an answer before checking it."},
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
        elif question.type == QuestionType.SEQUENCE:
            places = [("", "Choose…")] + [(str(n), str(n)) for n in range(1, len(self.shown) + 1)]
            for n, choice in enumerate(self.shown, start=1):
                self.fields[f"place_{n}"] = forms.ChoiceField(
                    label=choice.text,
                    choices=places,
                    error_messages={"required": "Give this item a place."},
                )
        else:
            self.fields["choice"] = forms.TypedChoiceField(
                label=question.prompt,
                choices=[(str(n), c.text) for n, c in enumerate(self.shown, start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose an answer before checking it.",
                    "invalid_choice": "That choice is not one of this question's options.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        if self.item.question.type == QuestionType.SEQUENCE and not self.errors:
            places = [int(cleaned[f"place_{n}"]) for n in range(1, len(self.shown) + 1)]
            if len(set(places)) != len(places):
                raise ValidationError(
                    "Give each item a different place (each number once).", code="repeated_place"
                )
        return cleaned

    def answer(self) -> Answer:
        question = self.item.question
        data = self.cleaned_data
        if question.type == QuestionType.FILL_BLANK:
            return Answer(text=data["text"].strip())
        if question.type == QuestionType.SEQUENCE:
            placed = sorted(
                (int(data[f"place_{n}"]), choice.pk) for n, choice in enumerate(self.shown, start=1)
            )
            return Answer(order=tuple(pk for _, pk in placed))
        return Answer(choice=self.shown[data["choice"] - 1])
