import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def freeze_heap() -> None:
    """Move everything loaded at start-up (Django, the app, their modules) out of the cycle
    collector's sight: it is never garbage, and walking it on every full collection cost the
    10,000-learner report 63 ms of its ~430 (14 ms once frozen; benchmarks/report.py)."""
    gc.collect()
    gc.freeze()


freeze_heap()
