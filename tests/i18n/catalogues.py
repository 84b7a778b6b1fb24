"""Shared helpers of the i18n tests: where the catalogues are, reading them with Babel, and the
placeholders a message carries (so a translation keeps every value the code fills in)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import serendip

PACKAGE = Path(serendip.__file__).parent
LOCALE_DIR = PACKAGE / "locale"
LANGUAGES = ("nl", "it")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def read_catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f, abort_invalid=True)


def need_tool(name: str) -> str:
    """The path of a GNU gettext tool; skips without it, except in CI (CI=true), where it fails:
    CI must check the catalogues (.ci/run installs gettext)."""
    found = shutil.which(name)
    if found:
        return found
    reason = f"GNU gettext's {name} is not installed (apt-get install gettext)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must check the catalogues, but {reason}")
    pytest.skip(reason)


# %(name)s, %s, %d, %.1f … (python-format, "%%" is a literal percent) and {name} / {} (brace-format).
_PERCENT = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<conv>[sdifeEgGrxXoc%])")
_BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str) -> list[str]:
    """The placeholders in `text`, sorted: named ones by name, positional ones by their kind."""
    found = []
    for m in _PERCENT.finditer(text):
        if m.group("conv") == "%":
            continue
        found.append(f"%({m.group('name')})" if m.group("name") else f"%{m.group('conv')}")
    found += [f"{{{name}}}" for name in _BRACE.findall(text)]
    return sorted(found)


# What `make messages` runs (Makefile), so the checks and the refresh cannot drift apart.
MAKEMESSAGES_ARGS = ["-l", "nl", "-l", "it", "--no-location", "--no-obsolete", "--no-wrap", "-i", "static/*"]


def extract_into_copy(root: Path) -> Path:
    """Run `make messages`' makemessages on a copy of the package under `root` and return the copy's
    locale directory. makemessages writes next to the files it reads, so it runs on a copy (code,
    templates and catalogues; not the static files it ignores anyway) with LOCALE_PATHS moved along."""
    need_tool("xgettext")
    need_tool("msgmerge")
    copy = root / "serendip"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    script = (
        "import sys, django; django.setup()\n"
        "from django.conf import settings; from django.core.management import call_command\n"
        "settings.LOCALE_PATHS = [sys.argv[1]]\n"
        f"call_command('makemessages', *{MAKEMESSAGES_ARGS!r}, verbosity=0)\n"
    )
    # The copy is the package that runs (not whichever checkout an editable install points at).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(
        [sys.executable, "-c", script, str(copy / "locale")], cwd=copy, env=env, check=True, timeout=300
    )
    return copy / "locale"
