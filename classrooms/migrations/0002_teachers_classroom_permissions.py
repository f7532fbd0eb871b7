from functools import partial

from django.db import migrations

from courses.roles import grant_to_teachers

# Teachers create and run their own classes (the admin shows each teacher only theirs).
PERMISSIONS = [
    f"{action}_{model}"
    for model in ("classroom", "enrolment", "assignment")
    for action in ("add", "change", "delete", "view")
]


class Migration(migrations.Migration):
    dependencies = [("classrooms", "0001_initial"), ("courses", "0002_teachers_group")]

    operations = [
        migrations.RunPython(
            partial(grant_to_teachers, app_label="classrooms", codenames=PERMISSIONS),
            migrations.RunPython.noop,
        ),
    ]
