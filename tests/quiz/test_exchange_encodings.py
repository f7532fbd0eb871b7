"""Question files in encodings other than UTF-8: read as declared, or one clear line, not a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from quiz.exchange import import_moodle_xml
from quiz.models import Question

pytestmark = pytest.mark.django_db

UNKNOWN_LINE = (
    "The file says it is in the “x-unknown” encoding, which is not one we can read: save it as "
    "UTF-8 and import it again."
)


def true_false_xml(encoding: str | None, prompt: str = "Bees dance.") -> str:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return f"""{declaration}
<quiz><question type="truefalse">
  <questiontext format="moodle_auto_format"><text>{prompt}</text></questiontext>
  <answer fraction="100"><text>true</text></answer>
  <answer fraction="0"><text>false</text></answer>
</question></quiz>"""


@pytest.mark.parametrize("as_bytes", [True, False])
def test_unknown_declared_encoding_is_one_clear_line(sample_lesson, as_bytes):
    xml = true_false_xml("x-unknown")
    result = import_moodle_xml(xml.encode() if as_bytes else xml, sample_lesson)
    assert not result.ok and [e.message for e in result.errors] == [UNKNOWN_LINE]
    assert not Question.objects.exists()


@pytest.mark.parametrize("encoding", ["rot13", "base64"])  # codecs, but not text encodings
def test_codecs_that_are_not_text_encodings_are_refused(sample_lesson, encoding):
    result = import_moodle_xml(true_false_xml(encoding).encode(), sample_lesson)
    assert "which is not one we can read" in result.errors[0].message


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16"])
def test_declared_encodings_are_honoured(sample_lesson, encoding):
    python_name = {"windows-1252": "cp1252", "ISO-8859-1": "latin-1"}.get(encoding, encoding)
    data = true_false_xml(encoding, "Les abeilles dansent à l’été.").encode(
        python_name, errors="replace"
    )
    result = import_moodle_xml(data, sample_lesson)
    assert result.ok, result.errors
    assert result.created[0].prompt.startswith("Les abeilles dansent à l")


def test_bytes_that_do_not_match_the_declaration(sample_lesson):
    data = true_false_xml("utf-8").encode("utf-8").replace(b"Bees", b"B\xe9es")
    result = import_moodle_xml(data, sample_lesson)
    assert "but it is not" in result.errors[0].message


def upload(client, lesson, name: str, data: bytes):
    """Upload, then confirm the preview when there is one (the bytes travel signed)."""
    url = f"/admin/courses/lesson/{lesson.pk}/import-questions/"
    response = client.post(url, {"file": SimpleUploadedFile(name, data, "text/xml")})
    token = (response.context or {}).get("token")
    return client.post(url, {"preview": token}) if token else response


def test_import_page_lists_the_unknown_encoding(teacher, sample_lesson):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    response = upload(client, sample_lesson, "q.xml", true_false_xml("x-unknown").encode())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "x-unknown" in html and "save it as UTF-8 and import it again" in html


@pytest.mark.parametrize("encoding", ["undefined", "punycode"])
def test_codecs_that_raise_while_decoding_are_one_clear_line(teacher, sample_lesson, encoding):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    response = upload(client, sample_lesson, "q.xml", true_false_xml(encoding).encode())
    assert response.status_code == 200
    assert "save it as UTF-8 and import it again" in response.content.decode()
    assert not Question.objects.exists()


def test_import_page_reads_a_latin1_xml_file(teacher, sample_lesson):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    data = true_false_xml("ISO-8859-1", "Les abeilles dansent à midi.").encode("latin-1")
    response = upload(client, sample_lesson, "q.xml", data)
    assert response.status_code == 302
    assert Question.objects.get().prompt == "Les abeilles dansent à midi."


def test_gift_file_not_in_utf8_is_a_clear_error(teacher, sample_lesson):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    gift = "::Q1:: Les abeilles dansent à midi. {T}\n".encode("latin-1")
    response = upload(client, sample_lesson, "q.gift", gift)
    assert response.status_code == 200
    assert "not UTF-8 text: save it as UTF-8 and import it again" in response.content.decode()


def test_gift_file_in_utf16_with_its_mark_is_read(teacher, sample_lesson):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    gift = "::Q1:: Bees dance to show where food is. {T}\n".encode("utf-16")
    response = upload(client, sample_lesson, "q.gift", gift)
    assert response.status_code == 302
    assert Question.objects.get().prompt == "Bees dance to show where food is."
