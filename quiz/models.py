from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode

from courses.models import Lesson


class QuestionType(models.TextChoices):
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    TRUE_FALSE = "true_false", "True or false"
    FILL_BLANK = "fill_blank", "Fill in the blank"
    WHO_HOLDS_VIEW = "who_holds_view", "Who holds this view?"
    SEQUENCE = "sequence", "Put in order"
    VOCABULARY = "vocabulary", "Vocabulary in context"
    MAIN_IDEA = "main_idea", "Main idea"


# Types answered by picking exactly one of the choices.
SINGLE_ANSWER_TYPES = frozenset(
    {
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.TRUE_FALSE,
        QuestionType.WHO_HOLDS_VIEW,
        QuestionType.VOCABULARY,
        QuestionType.MAIN_IDEA,
    }
)


class Skill(models.TextChoices):
    LITERAL = "literal", "Literal detail"
    VOCABULARY = "vocabulary", "Vocabulary in context"
    VIEWPOINT = "viewpoint", "Viewpoint"
    SEQUENCE = "sequence", "Sequence"
    MAIN_IDEA = "main_idea", "Main idea"
    INFERENCE = "inference", "Inference"


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    RETIRED = "retired", "Retired: kept for its answers, no longer asked"


class QuestionKind(models.TextChoices):
    """What a generated question asks (quiz.authoring.KINDS), finer than its type."""

    CAUSE = "cause", "Cause and effect"
    SPEAKER_VIEW = "speaker_view", "What a speaker thinks"
    PARAGRAPH_POINT = "paragraph_point", "Point of a paragraph"
    DETAIL_PURPOSE = "detail_purpose", "Why the author mentions a detail"
    MAIN_IDEA = "main_idea", "Main idea"
    ENTITY_FACT = "entity_fact", "Who did what"
    DETAIL = "detail", "Detail in other words"
    WHO_SAID = "who_said", "Who said it"
    TRUE_FALSE = "true_false", "True or false"
    FILL_BLANK = "fill_blank", "Fill in the blank"
    SEQUENCE = "sequence", "Put in order"
    VOCABULARY = "vocabulary", "Vocabulary"


class RejectionReason(models.TextChoices):
    WRONG_KEY = "wrong_key", "Wrong or debatable key"
    GUESSABLE = "guessable", "Guessable without reading"
    TRIVIAL = "trivial", "Trivial detail"
    UNGRAMMATICAL = "ungrammatical", "Ungrammatical"
    UNCLEAR = "unclear", "Unclear without its sentence"
    OTHER = "other", "Other"


TEACHER_ORIGIN = "teacher"


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def untouched_drafts(self):
        """Generated drafts nobody has edited, answered or shown in an attempt: the only
        questions regeneration may replace (learners' answers are never deleted with them)."""
        return (
            self.filter(status=Status.DRAFT, teacher_edited=False)
            .exclude(origin=TEACHER_ORIGIN)
            .exclude(Exists(AttemptItem.objects.filter(question=OuterRef("pk"))))
        )

    def with_answers(self):
        """Questions that have been shown in an attempt (and so may have learners' answers)."""
        return self.filter(Exists(AttemptItem.objects.filter(question=OuterRef("pk"))))

    def with_options(self):
        """Questions with their choices and accepted answers, in two extra queries."""
        return self.prefetch_related("choices", "accepted_answers")

    def review(self, status: str, reason: str = "") -> int:
        """Publish, reject (with why) or return to draft; only a rejection keeps a reason."""
        reason = reason if status == Status.REJECTED else ""
        return self.update(status=status, rejection_reason=reason)


class EvidenceCheck(models.TextChoices):
    """Why a question's evidence needs the teacher's eye after the lesson text was edited."""

    CHANGED = "changed", "The evidence sentence was edited: check the question still matches"
    NOT_FOUND = "not_found", "The evidence sentence is no longer in the text: pick it again"


EVIDENCE_SPAN_MESSAGE = (
    "The evidence sentence must end after it starts: the end position cannot be smaller than "
    "the start position."
)
EVIDENCE_PARAGRAPH_MESSAGE = "Paragraphs are numbered from 1: give the number of a paragraph."
DIFFICULTY_MESSAGE = "Choose a difficulty: easy, medium or hard."


class Question(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    type = models.CharField("question type", max_length=20, choices=QuestionType)
    prompt = models.TextField(help_text="The question or statement the student sees.")
    explanation = models.TextField(
        blank=True, help_text="Shown after the student answers: why the key is right."
    )
    evidence_paragraph = models.PositiveIntegerField(
        "evidence paragraph",
        help_text="Number of the paragraph holding the answer (1 = first of the full text).",
    )
    evidence_start = models.PositiveIntegerField(
        help_text="Where the evidence sentence starts in that paragraph (characters)."
    )
    evidence_end = models.PositiveIntegerField(
        help_text="Where the evidence sentence ends in that paragraph (characters)."
    )
    evidence_quote = models.TextField(
        "evidence sentence", help_text="The sentence of the article that proves the answer."
    )
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Fingerprint of the lesson text the question was made from.",
    )
    skill = models.CharField(max_length=20, choices=Skill, default=Skill.LITERAL)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty, default=Difficulty.MEDIUM)
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published questions appear in the quiz.",
    )
    rejection_reason = models.CharField(
        "why rejected",
        max_length=20,
        choices=RejectionReason,
        blank=True,
        help_text="Counted per kind of question, so the generator learns what you reject.",
    )
    kind = models.CharField(
        "kind of question",
        max_length=20,
        choices=QuestionKind,
        blank=True,
        help_text="What the generator meant to ask (empty for a teacher's own).",
    )
    origin = models.CharField(
        max_length=40,
        default=TEACHER_ORIGIN,
        help_text="The generator that wrote the question, or “teacher”.",
    )
    origin_version = models.CharField(max_length=20, blank=True)
    teacher_edited = models.BooleanField(
        default=False, help_text="Edited by a teacher: regeneration never replaces it."
    )
    evidence_missing = models.BooleanField(
        "evidence not found",
        default=False,
        help_text="Imported with an evidence sentence that is not in this lesson's text: "
        "find the sentence that proves the answer before publishing.",
    )
    evidence_check = models.CharField(
        "check the evidence",
        max_length=10,
        choices=EvidenceCheck,
        blank=True,
        help_text="Set when an edit of the lesson text changed or removed the evidence sentence.",
    )
    evidence_was = models.TextField(
        "evidence before the edit",
        blank=True,
        help_text="The evidence sentence as it read before the lesson text was edited.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within the lesson's quiz.")
    rank_score = models.FloatField(default=0, editable=False)
    fact = models.CharField(max_length=200, blank=True, editable=False)
    run = models.ForeignKey(
        "GenerationRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="The generation run that wrote the question (empty for a teacher's own).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position", "pk"]
        verbose_name = "question"
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence_end__gte=models.F("evidence_start")),
                name="question_evidence_span_ordered",
                violation_error_message=EVIDENCE_SPAN_MESSAGE,
                violation_error_code="evidence_span",
            ),
            models.CheckConstraint(
                condition=Q(evidence_paragraph__gte=1),
                name="question_evidence_paragraph_from_one",
                violation_error_message=EVIDENCE_PARAGRAPH_MESSAGE,
                violation_error_code="evidence_paragraph",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=3),
                name="question_difficulty_1_to_3",
                violation_error_message=DIFFICULTY_MESSAGE,
                violation_error_code="difficulty",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt if len(self.prompt) <= 80 else self.prompt[:79] + "…"

    def save(self, *args, **kwargs):
        if self.status != Status.REJECTED:
            self.rejection_reason = ""  # a reason only ever explains a rejection
        super().save(*args, **kwargs)

    def clean(self):
        # The database rules below, said next to the field a teacher has to fix.
        errors = {}
        if (
            self.evidence_start is not None
            and self.evidence_end is not None
            and self.evidence_end < self.evidence_start
        ):
            errors["evidence_end"] = EVIDENCE_SPAN_MESSAGE
        if self.evidence_paragraph is not None and self.evidence_paragraph < 1:
            errors["evidence_paragraph"] = EVIDENCE_PARAGRAPH_MESSAGE
        if self.difficulty is not None and self.difficulty not in Difficulty.values:
            errors["difficulty"] = DIFFICULTY_MESSAGE
        if errors:
            raise ValidationError(errors)

    @property
    def is_single_answer(self) -> bool:
        return self.type in SINGLE_ANSWER_TYPES

    @property
    def is_stale(self) -> bool:
        """An edit of the lesson text changed or removed the evidence sentence, and no teacher
        has checked the question since."""
        return bool(self.evidence_check)

    @property
    def evidence_anchor(self) -> str:
        return f"p-{self.evidence_paragraph}"

    @property
    def explanation_quotes_evidence(self) -> bool:
        """Does the explanation already quote the evidence sentence? Then feedback shows the
        sentence once, in the explanation, not again as a quotation under it."""
        quote = " ".join(self.evidence_quote.split())
        return bool(quote) and quote in " ".join(self.explanation.split())

    def evidence_url(self, back: str = "") -> str:
        """The reading page with the evidence sentence highlighted (works without JavaScript);
        `back`: the page the reader returns to from the highlight."""
        query = {}
        if not (self.evidence_missing or self.evidence_check == EvidenceCheck.NOT_FOUND):
            query["hl"] = f"{self.evidence_paragraph}.{self.evidence_start}-{self.evidence_end}"
        if back:
            query["back"] = back
        search = f"?{urlencode(query)}" if query else ""
        return f"{self.lesson.get_absolute_url()}{search}#{self.evidence_anchor}"

    def get_admin_url(self) -> str:
        return reverse("admin:quiz_question_change", args=[self.pk])


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(
        "correct", default=False, help_text="Tick the one right answer (not used for ordering)."
    )
    rationale = models.CharField(
        max_length=500, blank=True, help_text="For a wrong choice: why it is wrong."
    )
    position = models.PositiveIntegerField(
        default=0, help_text="For “put in order” questions: the correct place (1 = first)."
    )

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = "choice"
        constraints = [
            # Single-answer keys: the database itself refuses a second correct choice.
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_correct=True),
                name="choice_one_correct",
                violation_error_message="Only one choice can be ticked as correct: untick the "
                "other one.",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class AcceptedAnswer(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="accepted_answers"
    )
    text = models.CharField(
        max_length=200,
        help_text="Typed answers are right only if they match one listed here. Capitals, "
        "accents, punctuation and a leading “the/a/an” are ignored, and one typo in answers of "
        "8 letters or more; plurals, possessives and other names (a capital for its country) "
        "count only if listed.",
    )

    class Meta:
        ordering = ["question", "pk"]
        verbose_name = "accepted answer"
        constraints = [
            models.UniqueConstraint(
                fields=["question", "text"],
                name="accepted_answer_unique",
                violation_error_message="This answer is already listed for this question.",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": "An accepted answer cannot be empty."})


# ---------------------------------------------------------------------------------------------
# Taking quizzes: settings per lesson, attempts, answers and progress.


class FeedbackMode(models.TextChoices):
    """How answers are marked while the attempt is open (Moodle's "question behaviour")."""

    IMMEDIATE = "immediate", "Marked after each answer"
    INTERACTIVE = "interactive", "Marked after each answer, with a second try"
    END = "end", "Marked only at the end"


class ReviewTiming(models.TextChoices):
    """When a learner may see one part of the review (Moodle's "review options")."""

    DURING = "during", "Right after each answer"
    AFTER = "after", "When the attempt is finished"
    FINAL = "final", "Once passed or out of attempts"
    NEVER = "never", "Never"


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", "Highest attempt"
    LATEST = "latest", "Latest attempt"
    FIRST = "first", "First attempt"


PASS_MARK_MESSAGE = "The pass mark is a percentage: give a number from 0 to 100."
RETRY_PENALTY_MESSAGE = "The penalty is a percentage: give a number from 0 to 100."
QUESTION_COUNT_MESSAGE = (
    "Ask at least one question per attempt, or leave this empty to ask every published question."
)
MAX_ATTEMPTS_MESSAGE = "Allow at least one attempt, or leave this empty for unlimited attempts."


class QuizSettings(models.Model):
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="quiz_settings")
    feedback_mode = models.CharField(
        "marking",
        max_length=12,
        choices=FeedbackMode,
        default=FeedbackMode.IMMEDIATE,
        help_text="With a second try, a wrong answer sends the learner to the passage that "
        "holds the answer and lets them answer once more, for less credit.",
    )
    retry_penalty = models.PositiveSmallIntegerField(
        "second-try penalty (%)",
        default=50,
        help_text="Credit taken off an answer that is right only at the second try.",
    )
    review_correctness = models.CharField(
        "show right or wrong", max_length=6, choices=ReviewTiming, default=ReviewTiming.DURING
    )
    review_evidence = models.CharField(
        "show where in the article",
        max_length=6,
        choices=ReviewTiming,
        default=ReviewTiming.DURING,
        help_text="A link to the highlighted passage that holds the answer.",
    )
    review_answer = models.CharField(
        "show the right answer",
        max_length=6,
        choices=ReviewTiming,
        default=ReviewTiming.FINAL,
        help_text="The default keeps grades honest: a learner who can try again does not see "
        "the key until they pass or have no attempt left.",
    )
    review_explanation = models.CharField(
        "show the explanation",
        max_length=6,
        choices=ReviewTiming,
        default=ReviewTiming.FINAL,
        help_text="Why the key is right, with the quoted sentence: it usually names the key.",
    )
    question_count = models.PositiveIntegerField(
        "questions per attempt",
        null=True,
        blank=True,
        help_text="Leave empty to ask every published question; otherwise a random subset.",
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_choices = models.BooleanField(default=True)
    max_attempts = models.PositiveIntegerField(
        "attempts allowed", null=True, blank=True, help_text="Leave empty for unlimited attempts."
    )
    pass_mark = models.PositiveSmallIntegerField(
        "pass mark (%)", default=70, help_text="Score needed to pass, in percent."
    )
    grading_method = models.CharField(
        "attempt that counts", max_length=10, choices=GradingMethod, default=GradingMethod.HIGHEST
    )

    class Meta:
        verbose_name = "quiz settings"
        verbose_name_plural = "quiz settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100),
                name="quiz_pass_mark_percent",
                violation_error_message=PASS_MARK_MESSAGE,
                violation_error_code="pass_mark",
            ),
            models.CheckConstraint(
                condition=Q(question_count__isnull=True) | Q(question_count__gte=1),
                name="quiz_question_count_positive",
                violation_error_message=QUESTION_COUNT_MESSAGE,
                violation_error_code="question_count",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                name="quiz_max_attempts_positive",
                violation_error_message=MAX_ATTEMPTS_MESSAGE,
                violation_error_code="max_attempts",
            ),
            models.CheckConstraint(
                condition=Q(retry_penalty__lte=100),
                name="quiz_retry_penalty_percent",
                violation_error_message=RETRY_PENALTY_MESSAGE,
                violation_error_code="retry_penalty",
            ),
        ]

    def __str__(self) -> str:
        return f"Quiz settings for {self.lesson}"

    def clean(self):
        errors = {}
        if self.pass_mark is not None and not 0 <= self.pass_mark <= 100:
            errors["pass_mark"] = PASS_MARK_MESSAGE
        if self.retry_penalty is not None and self.retry_penalty > 100:
            errors["retry_penalty"] = RETRY_PENALTY_MESSAGE
        if self.question_count is not None and self.question_count < 1:
            errors["question_count"] = QUESTION_COUNT_MESSAGE
        if self.max_attempts is not None and self.max_attempts < 1:
            errors["max_attempts"] = MAX_ATTEMPTS_MESSAGE
        if (
            self.feedback_mode == FeedbackMode.INTERACTIVE
            and self.review_correctness != ReviewTiming.DURING
        ):
            errors["review_correctness"] = (
                "A second try tells the learner the first answer was wrong: with a second try, "
                "show right or wrong right after each answer."
            )
        if errors:
            raise ValidationError(errors)


class Attempt(models.Model):
    learner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(help_text="1 for the learner's first attempt.")
    is_practice = models.BooleanField(
        default=False, help_text="Practice of missed questions; never counts for the grade."
    )
    feedback_mode = models.CharField(max_length=12, choices=FeedbackMode)
    pass_mark = models.PositiveSmallIntegerField()
    retry_penalty = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    correct_count = models.PositiveIntegerField(default=0)
    marks = models.FloatField(
        default=0, help_text="Credit earned: 1 per right answer, less for a second try."
    )
    answered_count = models.PositiveIntegerField(default=0)
    question_total = models.PositiveIntegerField(default=0)
    # NULL ("not kept": an open attempt) differs from "" (kept: no answers).
    answer_lines = models.TextField(  # noqa: DJ001
        null=True,
        blank=True,
        editable=False,
        help_text="The answers as the class report counts them, kept when the attempt "
        "finishes (quiz.answer_lines); none: not kept, read from the answers.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "attempt"
        constraints = [
            # At most one open attempt (and one open practice) per learner and lesson: two
            # "Start" clicks at once resume the same attempt instead of making two.
            models.UniqueConstraint(
                fields=["learner", "lesson", "is_practice"],
                condition=Q(finished_at__isnull=True),
                name="attempt_one_open_per_lesson",
                violation_error_message="This learner already has an attempt open on this "
                "lesson: finish it before starting another.",
            ),
            models.UniqueConstraint(
                fields=["learner", "lesson", "number"],
                name="attempt_unique_number",
                violation_error_message="This learner already has an attempt with this number "
                "on this lesson.",
            ),
            models.CheckConstraint(
                condition=Q(correct_count__lte=models.F("answered_count"))
                & Q(answered_count__lte=models.F("question_total")),
                name="attempt_counts_consistent",
                violation_error_message="An attempt cannot have more right answers than "
                "answers, nor more answers than questions.",
            ),
        ]

    def __str__(self) -> str:
        kind = "practice" if self.is_practice else "attempt"
        return f"{self.learner} · {self.lesson} · {kind} {self.number}"

    def get_absolute_url(self) -> str:
        if self.is_finished:
            return reverse("quiz:results", args=[self.pk])
        return reverse("quiz:question", args=[self.pk, 1])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def score_percent(self) -> int:
        if not self.question_total:
            return 0
        return round(100 * self.marks / self.question_total)

    @property
    def passed(self) -> bool:
        return self.score_percent >= self.pass_mark


class AttemptItem(models.Model):
    """One question of an attempt, with the order it is shown in and its choices' order."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    # RESTRICT: deleting a question never takes learners' answers with it (deleting the
    # whole lesson or the learner, which also deletes the attempt, still works).
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="attempt_items")
    position = models.PositiveIntegerField()
    choice_order = models.JSONField(default=list, help_text="Choice ids in the order shown.")

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"],
                name="item_unique_position",
                violation_error_message="Two questions of an attempt cannot have the same place.",
            ),
            models.UniqueConstraint(
                fields=["attempt", "question"],
                name="item_unique_question",
                violation_error_message="An attempt asks each question only once.",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.position} of {self.attempt}"


class Response(models.Model):
    """A learner's answer to one item. One per item: the database refuses a second."""

    item = models.OneToOneField(AttemptItem, on_delete=models.CASCADE, related_name="response")
    choice = models.ForeignKey(
        Choice, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    text = models.CharField(max_length=200, blank=True)
    order = models.JSONField(null=True, blank=True, help_text="Choice ids in the learner's order.")
    is_correct = models.BooleanField()
    tries = models.PositiveSmallIntegerField(
        default=1, help_text="2 when the learner answered again after a wrong first try."
    )
    credit = models.FloatField(default=0, help_text="1 for a right answer, less at the second try.")
    first_try = models.JSONField(
        null=True, blank=True, help_text="The wrong first answer, kept when a second replaced it."
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item"]
        verbose_name = "learner answer"

    def __str__(self) -> str:
        return f"Answer to {self.item}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    READING = "reading", "Reading"
    IN_PROGRESS = "in_progress", "Quiz in progress"
    NOT_PASSED = "not_passed", "Not passed yet"
    PASSED = "passed", "Passed"
    MASTERED = "mastered", "Mastered"


PASSED_STATUSES = (ProgressStatus.PASSED, ProgressStatus.MASTERED)


MASTERY_PERCENT = 90  # a best graded score at or above this means the lesson is mastered


class LessonProgress(models.Model):
    learner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=12, choices=ProgressStatus, default=ProgressStatus.READING)
    attempts_count = models.PositiveIntegerField("attempts", default=0)
    best_score = models.PositiveSmallIntegerField("best score (%)", null=True, blank=True)
    latest_score = models.PositiveSmallIntegerField("latest score (%)", null=True, blank=True)
    grade = models.PositiveSmallIntegerField(
        "grade (%)", null=True, blank=True, help_text="The score of the attempt that counts."
    )
    pass_mark = models.PositiveSmallIntegerField(
        "pass mark (%)", null=True, blank=True, help_text="The pass mark the grade was held to."
    )
    last_activity = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_activity"]
        verbose_name = "lesson progress"
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"],
                name="progress_one_per_lesson",
                violation_error_message="This learner already has a progress record for this "
                "lesson.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.lesson}: {self.get_status_display()}"

    @property
    def is_passed(self) -> bool:
        return self.status in PASSED_STATUSES


# ---------------------------------------------------------------------------------------------
# Provenance of generated questions: one row per generation run, whatever the backend.


class GenerationBackend(models.TextChoices):
    OFFLINE = "offline", "Offline generator"
    LLM = "llm", "Language model"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class GenerationRun(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="generation_runs")
    backend = models.CharField(max_length=20, choices=GenerationBackend)
    model = models.CharField(max_length=200, blank=True, help_text="The language model used.")
    base_url = models.CharField("server", max_length=300, blank=True)
    prompt_version = models.CharField("generator / prompt version", max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_count = models.PositiveIntegerField(null=True, blank=True)
    replace_drafts = models.BooleanField(default=False)
    more = models.PositiveIntegerField(
        "generate more",
        null=True,
        blank=True,
        help_text="New drafts asked for beside the existing questions, which stay unchanged.",
    )
    publish = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField("seconds", null=True, blank=True)
    accepted_count = models.PositiveIntegerField("accepted", default=0)
    rejected_count = models.PositiveIntegerField("rejected", default=0)
    replaced_count = models.PositiveIntegerField("drafts replaced", default=0)
    accepted = models.JSONField(default=list, blank=True)
    rejected = models.JSONField(
        default=list, blank=True, help_text="Items not stored, each with its reasons."
    )
    raw_response = models.TextField(blank=True, help_text="The model's replies, for review.")
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "generation run"

    def __str__(self) -> str:
        return f"Run {self.pk} · {self.get_backend_display()} · {self.lesson}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
