"""WSGI entry point for gunicorn: `gunicorn serendip.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serendip.settings")
application = get_wsgi_application()

# Load the URLconf (and with it every view module) now, then move everything the process holds
# into the garbage collector's permanent generation: otherwise every few requests a full
# collection walks these long-lived objects again (0.5-0.7 s each on the shared 2-core machine,
# the p95 of whole pages; BENCHMARKS.md, "Page speed for one client").
get_resolver().url_patterns  # noqa: B018 (imported for its side effect: every view module loaded)
gc.collect()
gc.freeze()
