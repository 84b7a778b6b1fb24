"""The WSGI entry point: what a server process holds after loading it."""

import os
import subprocess
import sys


def test_loading_the_app_freezes_what_it_holds_out_of_the_collectors_way():
    code = (
        "import gc, sys\n"
        "import serendip.wsgi\n"
        "print(gc.get_freeze_count(), 'serendip.exchange.views' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serendip.settings", "SECRET_KEY": "test-only-not-secret"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    frozen, views_loaded = out.stdout.split()
    # The URLconf and every view module are loaded before the freeze: tens of thousands of objects.
    assert views_loaded == "True" and int(frozen) > 50_000
