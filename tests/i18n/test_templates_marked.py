"""A static check of every template: text people read (between tags, and in alt/title/aria-label/
placeholder attributes) sits inside {% translate %} / {% blocktranslate %}. It sees templates no
page test renders (error paths, rare states); the pseudo-locale test (test_pseudo_locale.py) sees
what Python adds. A failure names the template and the text: wrap it in a translate tag."""

import re

import pytest

from .catalogues import PACKAGE

TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*") if p.suffix in {".html", ".txt"})

# Words that read the same in every language: the product's name and technical names.
# Anything path- or file-like (a "/", a "." inside a word, "_") is an address, not prose.
NOT_PROSE = {"Serendip", "PDF", "SC", "API"}
_WORD = re.compile(r"[^\W\d_][\w'’.\-/]*")


def _unmarked_text(source: str) -> list[str]:
    s = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    s = re.sub(r"{#.*?#}", " ", s, flags=re.S)
    s = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", s, flags=re.S)
    s = re.sub(r"<(script|style)\b.*?</\1>", " ", s, flags=re.S | re.I)
    s = re.sub(r"{[%{].*?[%}]}", " ", s, flags=re.S)
    found = re.findall(r"\b(?:alt|title|aria-label|placeholder)=\"([^\"]*)\"", s)
    s = re.sub(r"<!--.*?-->", " ", s, flags=re.S)
    s = re.sub(r"<[^>]*>", "\n", s, flags=re.S)
    found += s.splitlines()
    return [t.strip() for t in found if _is_prose(t)]


def _is_prose(text: str) -> bool:
    words = [w for w in _WORD.findall(text) if len(w) > 1]
    return any(w not in NOT_PROSE and not re.search(r"[/_]|\w\.\w", w) for w in words)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_template_marks_its_text(template):
    left = _unmarked_text(template.read_text(encoding="utf-8"))
    assert not left, f"{template.relative_to(PACKAGE)} has text outside translate tags: {left}"


def test_the_check_sees_unmarked_text_and_accepts_marked_text():
    assert _unmarked_text("<h1>Spaces you host</h1>") == ["Spaces you host"]
    assert _unmarked_text('<img alt="A photo">') == ["A photo"]
    marked = '<h1>{% translate "Spaces you host" %}</h1><img alt="{% translate "A photo" %}">'
    assert _unmarked_text(marked) == []
    assert _unmarked_text("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %} · Serendip") == []
    assert _unmarked_text('<a href="/ledger/key">/ledger/key</a> (<a>PDF</a>) {{ space.name }}') == []
