"""Shared helpers of the i18n tests: where the catalogues are, reading them with Babel, and the
placeholders a message carries (so a translation keeps every value the code fills in)."""

import os
import re
import shutil
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
