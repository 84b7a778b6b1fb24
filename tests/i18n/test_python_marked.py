"""A static check of the Python people read through: a plain string (or f-string) passed where a
member sees it — a page message (`messages.*`, `message_user`), a 403 reason, a form's label,
help text or validation error — must go through gettext. The pseudo-locale test sees what pages
render; this sees the error paths it does not walk. API handlers, the CLI and migrations stay
English (README "Tests")."""

import ast

import pytest

from .catalogues import PACKAGE

SKIPPED_PARTS = {"migrations", "management", "simulation"}
FILES = sorted(
    p
    for p in PACKAGE.rglob("*.py")
    if not SKIPPED_PARTS & set(p.relative_to(PACKAGE).parts) and p.name not in {"api.py", "apitypes.py"}
)
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
FORM_KEYWORDS = {"label", "help_text", "empty_label"}


def _plain(node) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def unmarked_calls(source: str, *, is_forms: bool) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        shown = []
        if owner == "messages" and name in MESSAGE_LEVELS and len(node.args) >= 2:
            shown.append(node.args[1])
        if name == "message_user" and len(node.args) >= 2:
            shown.append(node.args[1])
        if name in {"PermissionDenied"} and node.args:
            shown.append(node.args[0])
        if is_forms and name == "ValidationError" and node.args:
            shown.append(node.args[0])
        if is_forms:
            shown += [k.value for k in node.keywords if k.arg in FORM_KEYWORDS]
        found += [(arg.lineno, ast.unparse(arg)[:80]) for arg in shown if _plain(arg)]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_marks_the_text_people_read(path):
    left = unmarked_calls(path.read_text(encoding="utf-8"), is_forms=path.name == "forms.py")
    assert not left, f"{path.relative_to(PACKAGE)}: not marked for translation: {left}"


def test_the_check_finds_plain_strings_and_accepts_gettext():
    source = (
        "messages.error(request, 'Choose a rating')\n"
        "messages.error(request, _('Choose a rating'))\n"
        "messages.success(request, f'Cancelled {x}')\n"
        "raise PermissionDenied('hosts only')\n"
        "forms.CharField(label='Name', help_text=_('ok'))\n"
    )
    assert [line for line, _text in unmarked_calls(source, is_forms=True)] == [1, 3, 4, 5]
