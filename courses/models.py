import hashlib
import math

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from .signals import lesson_text_changed

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
    slug = models.SlugField(
        max_length=80,
        help_text="Used in the lesson's web address. Until the lesson is first published it "
        "follows the title; from then on it never changes, so links students have keep working.",
    )
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
    first_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When students could first see the lesson; its web address is fixed from then.",
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

    def save(self, *args, **kwargs):
        changed = []
        # Never published: no student has a link yet, so the address follows the title
        # (unless the slug itself was just edited: that is the teacher's choice).
        if self.first_published_at is None and self.course_id and self.title:
            if self._state.adding:
                renamed, slug_edited = True, bool(self.slug)
            else:
                saved_title = getattr(self, "_saved_title", None)  # None: not loaded
                renamed = saved_title is not None and self.title != saved_title
                slug_edited = self.slug != getattr(self, "_saved_slug", self.slug)
            if not self.slug or (renamed and not slug_edited):
                slug = unique_slug(self.course, self.title, exclude_pk=self.pk)
                if slug != self.slug:
                    self.slug = slug
                    changed.append("slug")
        if self.published and self.first_published_at is None:
            self.first_published_at = timezone.now()
            changed.append("first_published_at")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and changed:
            kwargs["update_fields"] = {*update_fields, *changed}
        super().save(*args, **kwargs)
        self._remember_saved()

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson_detail", kwargs={"course": self.course.slug, "lesson": self.slug}
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        lesson = super().from_db(db, field_names, values)
        lesson._remember_saved()
        return lesson

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_saved()

    def _remember_saved(self) -> None:
        # What the row holds, so save() can tell a renamed title from an edited slug.
        self._saved_title = self.__dict__.get("title")
        self._saved_slug = self.__dict__.get("slug")

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

    def text_saved(self) -> None:
        """After the paragraphs of a saved lesson were edited: store the new fingerprint and,
        when the text really changed, tell the apps whose work hangs on it."""
        before = self.text_hash
        self.refresh_text_stats()
        Lesson.objects.filter(pk=self.pk).update(
            word_count=self.word_count, text_hash=self.text_hash
        )
        if self.text_hash != before:
            lesson_text_changed.send(sender=Lesson, lesson=self)


def unique_slug(course: Course, title: str, exclude_pk: int | None = None) -> str:
    """The title as a slug, with "-2", "-3"… when another lesson of the course has it."""
    base = (slugify(title)[:70].strip("-")) or "lesson"
    taken = set(
        course.lessons.exclude(pk=exclude_pk)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


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
