import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests render {% static %} without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.1 s per user; tests that make many learners don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sample_lesson(db):
    return factories.make_sample_lesson()


@pytest.fixture
def student(db):
    return factories.make_student()


@pytest.fixture
def teacher(db):
    return factories.make_teacher()
