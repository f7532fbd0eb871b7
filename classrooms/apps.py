from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the Teachers group may do with classes (learners' accounts come from the roster).
TEACHER_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("classroom", "enrolment", "assignment")
    for action in ("add", "change", "delete", "view")
]


class ClassroomsConfig(AppConfig):
    name = "classrooms"
    verbose_name = "Teaching"

    def ready(self):
        from quiz import gates, scoping

        from .assigned import refuse_closed
        from .scoping import learners_taught_by

        # A teacher sees only the learners of their own classes, everywhere in the quiz.
        scoping.register(learners_taught_by)
        gates.register(refuse_closed)
        post_migrate.connect(grant_teachers, sender=self, dispatch_uid="classrooms.teachers")


def grant_teachers(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from courses.roles import TEACHERS

    group, _ = Group.objects.get_or_create(name=TEACHERS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="classrooms", codename__in=TEACHER_PERMISSIONS
        )
    )
