from functools import partial

from django.db import migrations

from courses.roles import grant_to_teachers

QUIZ_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("question", "choice", "acceptedanswer")
    for action in ("add", "change", "delete", "view")
]


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0001_initial"),
        ("courses", "0002_teachers_group"),
    ]

    operations = [
        migrations.RunPython(
            partial(grant_to_teachers, app_label="quiz", codenames=QUIZ_PERMISSIONS),
            migrations.RunPython.noop,
        ),
    ]
