import pytest
from django.core.management import CommandError, call_command

from courses.importing import ArticleError, decode_article, derive_title, parse_article
from courses.models import Course, Lesson, Paragraph
from tests.factories import PLAIN_ARTICLE, SAMPLE, make_course


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


class TestParseArticle:
    def test_sample_layout(self):
        parsed = parse_article(sample_text())
        assert parsed.author_name == "Basel Haj Jasem"
        assert parsed.author_credentials == "Ph.D., Researcher, Political advisor"
        assert parsed.column == "Eurasian Policy"
        assert len(parsed.summary_paragraphs) == 7
        assert len(parsed.paragraphs) == 13
        assert parsed.paragraphs[0].startswith("The tension between Iran and Azerbaijan")
        assert parsed.paragraphs[-1].startswith("In conclusion,")
        # Markers and header lines are never part of the text.
        joined = "\n".join(parsed.paragraphs + parsed.summary_paragraphs)
        assert "Full version" not in joined and "Short version" not in joined
        assert "Column:" not in joined

    def test_sample_title_is_derived_from_the_lede(self):
        assert parse_article(sample_text()).title == "Tension between Iran and Azerbaijan"

    def test_plain_article_is_all_body(self):
        parsed = parse_article(PLAIN_ARTICLE)
        assert parsed.summary_paragraphs == [] and parsed.author_name == ""
        assert len(parsed.paragraphs) == 3
        # Hard-wrapped lines inside a paragraph are joined with single spaces.
        assert "then loops back and repeats the run." in parsed.paragraphs[1]
        assert parsed.title == "Honeybees communicate the location of food…"

    def test_full_version_only(self):
        parsed = parse_article("Jane Doe\n\nFull version\n\nOne paragraph here.\n\nAnother one.")
        assert parsed.author_name == "Jane Doe"
        assert parsed.paragraphs == ["One paragraph here.", "Another one."]

    def test_markers_are_case_insensitive_and_may_end_with_colon(self):
        parsed = parse_article("SHORT VERSION:\n\nBrief.\n\nfull version\n\nLong text.")
        assert parsed.summary_paragraphs == ["Brief."]
        assert parsed.paragraphs == ["Long text."]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("Short version\n\n   \n", "'Short version' marker has no text"),
            ("Short version\n\nFull version\n\nBody.", "'Short version' marker has no text"),
            ("Short version\n\nBrief.\n\nFull version\n", "'Full version' marker has no text"),
            ("  \n\n ", "no text"),
        ],
    )
    def test_bad_layouts(self, text, message):
        with pytest.raises(ArticleError, match=message):
            parse_article(text)

    def test_derive_title_falls_back_to_first_words(self):
        assert derive_title(["Rain."]) == "Rain"
        title = derive_title(["Over the hills and far away we went walking for many long days."])
        assert title == "Over the hills and far away we went…"


class TestDecode:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "empty"),
            (b"   \n\n", "empty"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
            ("café".encode("latin-1") + b" au lait", "not UTF-8"),
            (b"a" * 1_000_001, "too large"),
        ],
    )
    def test_refuses(self, data, message):
        with pytest.raises(ArticleError, match=message):
            decode_article(data)

    def test_strips_byte_order_mark(self):
        assert decode_article("\ufeffHello.".encode()) == "Hello."


@pytest.mark.django_db
class TestImportCommand:
    def test_imports_sample_and_reimport_updates(self, tmp_path, capsys):
        course = make_course()
        call_command("import_article", str(SAMPLE), course=course.slug)
        lesson = Lesson.objects.get()
        assert lesson.title == "Tension between Iran and Azerbaijan"
        assert lesson.paragraphs.count() == 13
        assert not lesson.published  # drafts first: the teacher publishes it
        assert lesson.word_count > 1000 and lesson.reading_minutes == 7
        assert len(lesson.text_hash) == 64
        first_hash = lesson.text_hash
        assert "Imported" in capsys.readouterr().out

        # The teacher renames it; re-importing keeps one lesson and the teacher's title.
        Lesson.objects.filter(pk=lesson.pk).update(title="Iran and Azerbaijan", slug="iran-az")
        call_command("import_article", str(SAMPLE), course=course.slug)
        assert Lesson.objects.count() == 1 and Paragraph.objects.count() == 13
        lesson.refresh_from_db()
        assert lesson.title == "Iran and Azerbaijan" and lesson.text_hash == first_hash
        assert "Updated" in capsys.readouterr().out

    def test_publish_and_draft_flags(self, tmp_path, capsys):
        course = make_course()
        call_command("import_article", str(SAMPLE), course=course.slug, publish=True)
        assert Lesson.objects.get().published
        assert "(published)" in capsys.readouterr().out
        path = tmp_path / "bees.txt"
        path.write_text(PLAIN_ARTICLE)
        call_command("import_article", str(path), "--draft", course=course.slug)
        assert not Lesson.objects.get(source_name="bees.txt").published
        assert "draft: publish it in the admin" in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("import_article", str(path), "--draft", "--publish")

    def test_reimport_with_changed_text_changes_fingerprint(self, tmp_path):
        course = make_course()
        path = tmp_path / "bees.txt"
        path.write_text(PLAIN_ARTICLE)
        call_command("import_article", str(path), course=course.slug, title="Bees")
        before = Lesson.objects.get().text_hash
        path.write_text(PLAIN_ARTICLE + "\n\nA fourth paragraph about drones.")
        call_command("import_article", str(path), course=course.slug)
        lesson = Lesson.objects.get()
        assert lesson.paragraphs.count() == 4 and lesson.text_hash != before
        assert lesson.title == "Bees"

    def test_second_article_makes_a_second_readable_lesson(self, tmp_path, client):
        course = make_course()
        call_command("import_article", str(SAMPLE), course=course.slug, publish=True)
        path = tmp_path / "bees.txt"
        path.write_text(PLAIN_ARTICLE)
        call_command("import_article", str(path), course=course.slug, publish=True)
        second = Lesson.objects.get(position=2)
        response = client.get(second.get_absolute_url())
        assert response.status_code == 200
        assert "waggle dance" in response.content.decode()

    def test_title_option_and_default_course(self, tmp_path):
        make_course()
        path = tmp_path / "bees.txt"
        path.write_text(PLAIN_ARTICLE)
        call_command("import_article", str(path), title="How bees talk")
        lesson = Lesson.objects.get()
        assert (lesson.title, lesson.slug) == ("How bees talk", "how-bees-talk")

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b"\x00\x01\x02binary\x00", "binary"),
            (b"caf\xe9", "not UTF-8"),
            (b"x" * 1_000_001, "too large"),
            (b"Short version\n\n\n", "'Short version' marker has no text after it"),
        ],
    )
    def test_bad_files_leave_database_untouched(self, tmp_path, content, message):
        course = make_course()
        call_command("import_article", str(SAMPLE), course=course.slug)
        path = tmp_path / "bad.txt"
        path.write_bytes(content)
        with pytest.raises(CommandError, match=message) as error:
            call_command("import_article", str(path), course=course.slug)
        assert "\n" not in str(error.value) and str(path) in str(error.value)
        assert Lesson.objects.count() == 1 and Paragraph.objects.count() == 13

    def test_missing_file_and_unknown_course(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            call_command("import_article", str(tmp_path / "nope.txt"))
        with pytest.raises(CommandError, match="no course with slug 'nope'"):
            call_command("import_article", str(SAMPLE), course="nope")
        with pytest.raises(CommandError, match="there is no course yet"):
            call_command("import_article", str(SAMPLE))
        assert not Course.objects.exists() and not Lesson.objects.exists()

    def test_exit_code_is_non_zero(self, tmp_path):
        import subprocess
        import sys

        result = subprocess.run(
            [sys.executable, "manage.py", "import_article", str(tmp_path / "missing.txt")],
            capture_output=True,
            text=True,
            cwd=SAMPLE.parents[3],
        )
        assert result.returncode == 1
        assert result.stderr.strip().endswith("missing.txt: no such file")
        assert result.stderr.strip().count("\n") == 0


def test_title_from_an_opening_phrase_uses_the_first_words():
    title = derive_title(
        ["Before the electric telegraph, news could travel no faster than a horse."]
    )
    assert title == "Before the electric telegraph, news could travel…"
