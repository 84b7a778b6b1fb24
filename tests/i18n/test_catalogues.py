"""The nl and it catalogues: up to date with the code, valid for GNU gettext, complete (no fuzzy,
no untranslated entry, every plural form), and each translation keeps its message's placeholders.

A failure here means: run `make messages`, translate what is new or fuzzy in
serendip/locale/{nl,it}/LC_MESSAGES/django.po, and commit (README "Tests")."""

import difflib
import subprocess

import pytest

from .catalogues import LANGUAGES, extract_into_copy, need_tool, placeholders, po_path, read_catalogue


def _without_creation_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:'))


def test_the_catalogues_are_up_to_date_with_the_code(tmp_path):
    fresh_locale = extract_into_copy(tmp_path)
    stale, diffs = [], []
    for language in LANGUAGES:
        committed = _without_creation_date(po_path(language).read_text(encoding="utf-8")).splitlines()
        fresh = (fresh_locale / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        fresh = _without_creation_date(fresh).splitlines()
        if committed != fresh:
            stale.append(language)
            diffs += difflib.unified_diff(committed, fresh, "committed", "makemessages", n=0, lineterm="")
    assert not stale, (
        f"the {', '.join(stale)} catalogue(s) are out of date with the marked strings: "
        "run `make messages`, translate what is new, commit the .po files. The start of the difference:\n"
        + "\n".join(diffs[:40])
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_passes_msgfmt_check(language, tmp_path):
    msgfmt = need_tool("msgfmt")
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return f"{msgid!r}" + (f" (context {message.context!r})" if message.context else "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_is_complete(language):
    catalogue = read_catalogue(po_path(language))
    nplurals = catalogue.num_plurals
    fuzzy, untranslated = [], []
    for message in catalogue:
        if not message.id:  # the header
            continue
        if message.fuzzy:
            fuzzy.append(_label(message))
        forms = _forms(message)
        if (message.pluralizable and len(forms) < nplurals) or not all(f.strip() for f in forms):
            untranslated.append(_label(message))
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[:10]}"
    assert not untranslated, f"{language}: {len(untranslated)} untranslated entries, e.g. {untranslated[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_translation_keeps_its_placeholders(language):
    catalogue = read_catalogue(po_path(language))
    wrong = []
    for message in catalogue:
        if not message.id or not any(_forms(message)):
            continue  # untranslated entries are the completeness test's business
        if message.pluralizable:
            singular, plural = message.id
            allowed = set(placeholders(singular)) | set(placeholders(plural))
            forms = _forms(message)
            # A singular form may say "one" instead of the number; the other forms keep them all.
            bad = any(not set(placeholders(f)) <= allowed for f in forms) or any(
                set(placeholders(f)) != set(placeholders(plural)) for f in forms[1:] if f
            )
        else:
            bad = placeholders(message.id) != placeholders(message.string)
        if bad:
            wrong.append(f"{_label(message)} -> {message.string!r}")
    assert not wrong, f"{language}: translations whose placeholders differ from the msgid's: {wrong}"


def test_placeholders_are_found_in_both_styles():
    assert placeholders("%(actor)s met %(name)s at %s, 95%% sure {} {when}") == [
        "%(actor)",
        "%(name)",
        "%s",
        "{when}",
        "{}",
    ]
    assert placeholders("%(n)s seat") != placeholders("%(count)s posto")
