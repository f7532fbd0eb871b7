from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "Quiz"

    def ready(self):
        from courses.signals import lesson_read

        from .attempts import note_reading_on_signal

        # The reading page belongs to courses; opening it marks the lesson "reading" here.
        lesson_read.connect(note_reading_on_signal, dispatch_uid="quiz.note_reading")
