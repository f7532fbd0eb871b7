from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from .roles import ensure_teachers_group

        # After every migrate (and test flush), once all permissions exist.
        post_migrate.connect(ensure_teachers_group, dispatch_uid="courses.teachers_group")
