"""The static files storage gives the manifest's hashed URLs, each worked out once."""

from django.core.management import call_command
from django.test import override_settings

from config.storage import StaticFilesStorage


def test_hashed_urls_memoised(tmp_path):
    source, root = tmp_path / "src", tmp_path / "root"
    (source / "css").mkdir(parents=True)
    (source / "css" / "app.css").write_text("body { color: #123; }\n")
    with override_settings(
        STATICFILES_DIRS=[source],
        STATIC_ROOT=root,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={"staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"}},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        storage = StaticFilesStorage()
        url = storage.url("css/app.css")
        assert url.startswith("/static/css/app.") and url.endswith(".css") and url.count(".") == 2
        assert (root / url.removeprefix("/static/")).exists()
        assert storage._urls == {"css/app.css": url}
        assert storage.url("css/app.css") == url
        # Asked again without the memo, the manifest says the same.
        assert super(StaticFilesStorage, storage).url("css/app.css") == url
