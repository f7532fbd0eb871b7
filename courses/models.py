import hashlib
import math

from django.db import models
from django.urls import reverse

WORDS_PER_MINUTE = 200  # a typical silent-reading speed for non-fiction


def count_words(text: str) -> int:
    return len(text.split())


class CourseQuerySet(models.QuerySet):
    def with_published_lesson_counts(self):
        """Each course annotated with `lesson_count`: its published lessons."""
        return self.annotate(
            lesson_count=models.Count("lessons", filter=models.Q(lessons__published=True))
        )


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in the course's web address."
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown on the home page."
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Courses are listed from the lowest number up."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = "course"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", kwargs={"course": self.slug})


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_reading_page(self):
        """Everything the reading page shows, in two queries: lesson+course, paragraphs."""
        return self.select_related("course").prefetch_related("paragraphs")


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(help_text="Order of the lesson within its course.")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, help_text="Used in the lesson's web address.")
    author_name = models.CharField("author", max_length=200, blank=True)
    author_credentials = models.CharField(
        "author's credentials", max_length=300, blank=True, help_text="E.g. “Ph.D., Researcher”."
    )
    column = models.CharField(
        "column or series", max_length=200, blank=True, help_text="Where the article appeared."
    )
    summary = models.TextField(
        blank=True,
        help_text="The article's short version, shown before the full text. "
        "Separate paragraphs with a blank line.",
    )
    source_name = models.CharField(
        "source file",
        max_length=255,
        blank=True,
        help_text="File the lesson was imported from; importing it again updates this lesson.",
    )
    published = models.BooleanField(
        default=False, help_text="Only published lessons are shown to students."
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    text_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the full text; questions made from other text are flagged stale.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course", "position"]
        verbose_name = "lesson"
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="lesson_unique_slug_per_course"
            ),
            models.UniqueConstraint(
                fields=["course", "position"], name="lesson_unique_position_per_course"
            ),
            models.UniqueConstraint(
                fields=["course", "source_name"],
                condition=~models.Q(source_name=""),
                name="lesson_unique_source_per_course",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson_detail", kwargs={"course": self.course.slug, "lesson": self.slug}
        )

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def summary_paragraphs(self) -> list[str]:
        return split_paragraphs(self.summary)

    def refresh_text_stats(self, paragraphs: list[str] | None = None) -> None:
        """Recompute word count and text fingerprint from the paragraphs (call after edits)."""
        if paragraphs is None:
            paragraphs = list(self.paragraphs.order_by("position").values_list("text", flat=True))
        self.word_count = count_words(self.summary) + sum(count_words(p) for p in paragraphs)
        self.text_hash = text_fingerprint(paragraphs)


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each with its inner line breaks joined by spaces."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def text_fingerprint(paragraphs: list[str]) -> str:
    return hashlib.sha256("\n\n".join(paragraphs).encode()).hexdigest()


class Paragraph(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField(help_text="1 for the first paragraph of the full text.")
    text = models.TextField()

    class Meta:
        ordering = ["lesson", "position"]
        verbose_name = "paragraph"
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"], name="paragraph_unique_position_per_lesson"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="paragraph_position_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"¶{self.position} of {self.lesson}"

    @property
    def anchor(self) -> str:
        return f"p-{self.position}"
