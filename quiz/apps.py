from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "Quiz"

    def ready(self):
        from courses.signals import lesson_read, lesson_text_changed

        from .attempts import note_reading_on_signal
        from .evidence import on_lesson_text_changed

        # The reading page belongs to courses; opening it marks the lesson "reading" here.
        lesson_read.connect(note_reading_on_signal, dispatch_uid="quiz.note_reading")
        # Edited lesson text: each question's evidence is found again, not all flagged stale.
        lesson_text_changed.connect(on_lesson_text_changed, dispatch_uid="quiz.follow_evidence")
