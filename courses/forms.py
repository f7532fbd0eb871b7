from django import forms
from django.core.exceptions import ValidationError

from .importing import MAX_BYTES, ArticleError, ParsedArticle, decode_article, parse_article
from .models import Course


class ArticleImportForm(forms.Form):
    """Teachers turn an article into a lesson: upload a .txt file or paste the text."""

    course = forms.ModelChoiceField(queryset=Course.objects.all(), empty_label=None)
    file = forms.FileField(
        label="Article file",
        required=False,
        help_text="A plain-text (.txt) file in UTF-8. Importing the same file again updates "
        "its lesson.",
    )
    text = forms.CharField(
        label="…or paste the article",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Paragraphs separated by blank lines. Optional first lines: author, "
        "credentials, “Column: …”, then “Short version” and “Full version” markers.",
    )
    title = forms.CharField(
        max_length=120,
        required=False,
        help_text="Leave empty to use a title made from the opening sentence.",
    )
    publish = forms.BooleanField(
        label="Publish the lesson now",
        required=False,
        initial=True,
        help_text="Students only see published lessons. "
        "Questions stay drafts until you publish them.",
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "")
        if upload and text.strip():
            raise ValidationError("Upload a file or paste text, not both.", code="both")
        if not upload and not text.strip():
            raise ValidationError("Upload a .txt file or paste the article's text.", code="none")
        try:
            if upload:
                if upload.size > MAX_BYTES:
                    raise ArticleError(
                        f"the file is too large ({upload.size:,} bytes; the limit is "
                        f"{MAX_BYTES:,} bytes)"
                    )
                raw = upload.read()
                cleaned["source_name"] = upload.name[:255]
            else:
                raw = text.encode("utf-8")
                cleaned["source_name"] = ""
            cleaned["parsed"] = parse_article(decode_article(raw))
        except ArticleError as error:
            field = "file" if upload else "text"
            self.add_error(field, ValidationError(f"This article can't be imported: {error}."))
        return cleaned

    @property
    def parsed(self) -> ParsedArticle:
        return self.cleaned_data["parsed"]


class QuestionImportForm(forms.Form):
    """A GIFT or Moodle XML file of questions, e.g. exported from Moodle or from this app."""

    file = forms.FileField(
        label="Questions file",
        help_text="GIFT (.txt or .gift) or Moodle XML (.xml). Imported questions are drafts.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError("The file is too large (the limit is 1 MB).", code="too_large")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text.", code="encoding") from None
        self.cleaned_data["is_xml"] = upload.name.lower().endswith(
            ".xml"
        ) or text.lstrip().startswith("<")
        self.cleaned_data["content"] = text
        return upload
