"""Static files storage: WhiteNoise's compressed manifest storage, each URL worked out once."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Every page asks for the same few files; the manifest does not change while a process
    runs, so each name's hashed URL is computed once (it cost about as much as a query)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or not self.hashed_files:  # collectstatic, or no manifest loaded: as is
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
