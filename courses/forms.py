from django import forms
from django.core.exceptions import ValidationError

from .importing import (
    DOCUMENT_SUFFIXES,
    MAX_BYTES,
    MAX_DOCUMENT_BYTES,
    ArticleError,
    ParsedArticle,
    UnreadableDocument,
    decode_article,
    fetch_article,
    parse_article,
    read_article,
)
from .models import Course


class ArticleImportForm(forms.Form):
    """Teachers turn an article into a lesson: upload a file (.txt, .docx, .pdf, saved web page)
    or paste the text."""

    course = forms.ModelChoiceField(queryset=Course.objects.all(), empty_label=None)
    file = forms.FileField(
        label="Article file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_SUFFIXES)}),
        help_text="A Word document (.docx), a PDF with selectable text, a saved web page "
        "(.html) or a plain-text (.txt) file in UTF-8: Word and PDF files up to 10 MB, the "
        "others up to 1 MB. Importing the same file again updates its lesson.",
    )
    url = forms.URLField(
        label="…or its web address",
        required=False,
        assume_scheme="https",
        max_length=2000,
        help_text="The article's own page (or a .docx or PDF on the web), downloaded once now.",
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
        help_text="Leave empty to use the document's own title, else its file name, else a "
        "title made from the opening sentence.",
    )
    publish = forms.BooleanField(
        label="Publish the lesson now",
        required=False,
        initial=False,
        help_text="Leave unticked to keep it a draft while you check the text and its "
        "questions: students only see published lessons. Questions stay drafts until you "
        "publish them.",
    )

    def clean(self):
        cleaned = super().clean()
        upload, text, url = cleaned.get("file"), (cleaned.get("text") or ""), cleaned.get("url")
        given = sum(bool(source) for source in (upload, text.strip(), url))
        if "url" in self.errors:
            return cleaned
        if given > 1:
            raise ValidationError(
                "Upload a file, give a web address or paste text: only one of them.", code="both"
            )
        if not given:
            raise ValidationError(
                "Upload the article's file, give its web address or paste its text.", code="none"
            )
        field = "file" if upload else "url" if url else "text"
        try:
            if upload:
                if upload.size > MAX_DOCUMENT_BYTES:  # read_article applies each kind's limit
                    raise ArticleError(
                        f"the file is too large ({upload.size:,} bytes; the limit is "
                        f"{MAX_DOCUMENT_BYTES:,} bytes)"
                    )
                cleaned["source_name"] = upload.name[:255]
                cleaned["parsed"] = read_article(upload.read(), upload.name)
            elif url:
                data, name = fetch_article(url)
                cleaned["source_name"] = url[:255]
                cleaned["parsed"] = read_article(data, name)
            else:
                cleaned["source_name"] = ""
                cleaned["parsed"] = parse_article(decode_article(text.encode("utf-8")))
        except UnreadableDocument as error:  # already one whole sentence for the teacher
            self.add_error(field, ValidationError(str(error), code="unreadable"))
        except ArticleError as error:
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
        # UTF-8, or UTF-16 with its byte-order mark (Notepad's "Unicode").
        encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            text = None
        start = text if text is not None else raw[:200].decode("latin-1")
        is_xml = upload.name.lower().endswith(".xml") or start.lstrip().startswith("<")
        self.cleaned_data["is_xml"] = is_xml
        if is_xml:
            # The XML importer decodes the bytes in the encoding the file's declaration names.
            self.cleaned_data["content"] = raw
            return upload
        if text is None:
            raise ValidationError(
                "The file is not UTF-8 text: save it as UTF-8 and import it again.",
                code="encoding",
            )
        self.cleaned_data["content"] = text
        return upload
