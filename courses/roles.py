"""The Teachers group and what it may do, kept in sync by data migrations.

Permissions are normally created after all migrations (post_migrate), so a data migration
creates them itself first; each app's migration grants the codenames of its own models.
"""

TEACHERS = "Teachers"


def grant_to_teachers(apps, schema_editor, app_label: str, codenames: list[str]) -> None:
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = (
        True  # the migration state's stub lacks it; create_permissions checks it
    )
    create_permissions(app_config, verbosity=0, apps=apps)
    del app_config.models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=TEACHERS)
    perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*perms)


# Everything the Teachers group may do, by app. Learners' work is view-only.
TEACHER_PERMISSIONS = {
    "courses": [
        f"{action}_{model}"
        for model in ("course", "lesson", "paragraph")
        for action in ("add", "change", "delete", "view")
    ],
    "quiz": [
        f"{action}_{model}"
        for model in ("question", "choice", "acceptedanswer", "quizsettings")
        for action in ("add", "change", "delete", "view")
    ]
    + ["view_attempt", "view_attemptitem", "view_response", "view_lessonprogress"]
    + ["view_generationrun"],
}


def ensure_teachers_group(**kwargs) -> None:
    """post_migrate: the group exists with its permissions, also after a test flush."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=TEACHERS)
    for app_label, codenames in TEACHER_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
