from functools import partial

from django.db import migrations

from courses.roles import grant_to_teachers

# Teachers manage quiz settings and may look at (never change) learners' work.
PERMISSIONS = [f"{action}_quizsettings" for action in ("add", "change", "delete", "view")] + [
    "view_attempt",
    "view_attemptitem",
    "view_response",
    "view_lessonprogress",
]


class Migration(migrations.Migration):
    dependencies = [("quiz", "0003_quiz_taking")]

    operations = [
        migrations.RunPython(
            partial(grant_to_teachers, app_label="quiz", codenames=PERMISSIONS),
            migrations.RunPython.noop,
        ),
    ]
