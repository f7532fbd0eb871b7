from functools import partial

from django.db import migrations

from courses.roles import grant_to_teachers

COURSE_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("course", "lesson", "paragraph")
    for action in ("add", "change", "delete", "view")
]


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(
            partial(grant_to_teachers, app_label="courses", codenames=COURSE_PERMISSIONS),
            migrations.RunPython.noop,
        ),
    ]
