"""The pseudo-locale: every msgid (ours as extracted now, and Django's own) "translated" to itself
with each literal piece wrapped in ⟦…⟧ and every placeholder left outside, so that on a rendered
page whatever text is not inside markers was either filled in by code (a name, a number: checked
against the data) or never marked for translation (the bug this finds).

It borrows the code "ia" (Interlingua): Babel knows it (so money and time-zone names format as
for any language we add) and Django has no date formats of its own for it (so dates use the
defaults, whose month and day names come through the catalogue and are marked too). No Serendip
page is ever served in Interlingua."""

import re
from html.parser import HTMLParser
from pathlib import Path

import django
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from .catalogues import read_catalogue

PSEUDO = "ia"
OPEN, CLOSE = "⟦", "⟧"

# A placeholder, or "%%" (a literal percent sign, which stays in the text around it).
_PYTHON_FORMAT = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGrxXoc]")
_BRACE_FORMAT = re.compile(r"\{\{|\}\}|\{\w*(?:[!:][^{}]*)?\}")


def django_catalogues() -> list[Path]:
    """Django's own English catalogues (its forms' errors, the admin, auth): their msgids."""
    root = Path(django.__file__).parent
    contrib = sorted(root.glob("contrib/*/locale/en/LC_MESSAGES/django.po"))
    return [root / "conf/locale/en/LC_MESSAGES/django.po", *contrib]


def wrap(text: str, flags: set[str]) -> str:
    """'%(n)s of %(seats)s seats taken' -> '%(n)s⟦ of ⟧%(seats)s⟦ seats taken⟧'."""
    if "python-format" in flags:
        pattern = _PYTHON_FORMAT
    elif "python-brace-format" in flags:
        pattern = _BRACE_FORMAT
    else:
        return f"{OPEN}{text}{CLOSE}"
    out, start = [], 0
    for m in pattern.finditer(text):
        if m.group() in {"%%", "{{", "}}"}:
            continue  # an escaped character belongs to the literal around it
        out += [f"{OPEN}{text[start : m.start()]}{CLOSE}" if m.start() > start else "", m.group()]
        start = m.end()
    out.append(f"{OPEN}{text[start:]}{CLOSE}" if start < len(text) else "")
    return "".join(out)


def write_pseudo_locale(root: Path, sources: list[Path]) -> Path:
    """Compile the pseudo catalogue of every msgid in `sources` into root/eo/LC_MESSAGES/django.mo."""
    catalogue = Catalog(locale="en", domain="django")  # English plural rules: one, other
    for source in sources:
        for message in read_catalogue(source):
            if not message.id or catalogue.get(message.id, context=message.context) is not None:
                continue
            # msgmerge may have guessed a fuzzy translation for a new msgid: the msgid is what counts.
            flags = set(message.flags) - {"fuzzy"}
            if message.pluralizable:
                string = tuple(wrap(form, flags) for form in message.id)
            else:
                string = wrap(message.id, flags)
            catalogue.add(message.id, string, context=message.context, flags=flags)
    out = root / PSEUDO / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "django.mo").open("wb") as f:
        write_mo(f, catalogue)
    return root


def locale_words() -> set[str]:
    """What Babel says in the pseudo-locale's own words (month, day and city names, territories):
    data formatted by the locale, not text we wrote."""
    locale = Locale.parse(PSEUDO)
    words: set[str] = set()
    for table in (locale.months, locale.days):
        for width in table.values():
            for names in width.values():
                words.update(names.values())
    words.update(locale.territories.values())
    words.update(locale.languages.values())
    for zone in locale.time_zones.values():
        if "city" in zone:
            words.add(zone["city"])
    return words


# Attributes whose values people read (or hear), and the data-* attributes our scripts show.
_READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
_SHOWN_DATA = ("label", "more", "more-one", "more-other", "page", "placeholder", "levels")
# Code and commands are shown as typed (e.g. the ledger's verify command), like data.
_SKIPPED = {"script", "style", "code", "pre", "kbd", "samp"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text of a page in document order, one piece per text node or read attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0
        self._glue = False
        self._foreign: list[str] = []  # elements with their own lang="…": text kept as written

    def handle_starttag(self, tag, attrs):
        if tag == "wbr":  # a line-break opportunity inside a word (url_breaks): the same piece
            self._glue = True
            return
        if tag in _SKIPPED:
            self._skip += 1
        attrs = dict(attrs)
        if "lang" in attrs and tag not in _VOID and tag != "html":
            self._foreign.append(tag)
        for name, value in attrs.items():
            if not value:
                continue
            shown = name in _READ_ATTRIBUTES or (name.startswith("data-") and name.endswith(_SHOWN_DATA))
            button_value = name == "value" and (
                tag == "button" or (tag == "input" and attrs.get("type") in {"submit", "button", "reset"})
            )
            if shown or button_value:
                self.pieces.append(value)

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self._skip:
            self._skip -= 1
        if self._foreign and self._foreign[-1] == tag:
            self._foreign.pop()

    def handle_data(self, data):
        if self._skip or self._foreign:
            return
        if self._glue and self.pieces:
            self.pieces[-1] += data
        else:
            self.pieces.append(data)
        self._glue = False


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.pieces


_INNER_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_SEPARATORS = re.compile(r"\s*[\n·,;:|()\[\]–—•×«»“”\"'‘’!?…/←→↑↓▲▼★]\s*|\s+-\s+|\.\s|\.$")
# Addresses and identifiers, taken out before the text is split (they contain separators).
_ADDRESSES = re.compile(
    r"\S+@\S+\.\w+|[a-z][a-z0-9+.-]*://\S+|\bdid:[\w:.%-]+|\S*\w/[\w/.?=&%+-]*|(?<![\w.])/[\w/.?=&%+-]+"
)
_NOT_WORDS = re.compile(
    r"\b[\w.-]+\.(?:org|com|net|example|json|pdf|ics|csv)\b"  # host and file names
    r"|[+−-]?[\d.,:%\s]*\d[\d.,:%]*\w{0,2}"  # numbers, times, amounts, 12h, 3rd
    r"|\b[A-Z]{2,3}\b"  # initials and codes (country, currency)
)


def unmarked(pieces: list[str], data: set[str]) -> list[str]:
    """The runs of text outside markers that are not data (names, tags, numbers, addresses…)."""
    text = "\n".join(pieces)
    while True:  # innermost first: a marked sentence may hold a marked value
        text, n = _INNER_MARKED.subn("\n", text)
        if not n:
            break
    text = text.replace(OPEN, "\n").replace(CLOSE, "\n")  # a marked string cut short
    text = _ADDRESSES.sub("\n", text)
    left = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip(" \t-*")
        if not re.search(r"[^\W\d_]{2,}", piece) or piece.casefold() in data:
            continue
        rest = _NOT_WORDS.sub(" ", piece)
        if not re.search(r"[^\W\d_]{2,}", rest):
            continue
        if _data_phrase(rest, data):
            continue
        left.append(piece)
    return left


def _data_phrase(rest: str, data: set[str]) -> bool:
    """True if `rest` is made of whole data values (e.g. "Ada Lovelace Utrecht CS"): greedy,
    longest value first, word by word."""
    words = rest.split()
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            if " ".join(words[i:j]).casefold() in data:
                i = j
                break
        else:
            return False
    return True


def data_values(values) -> set[str]:
    """The comparable forms of data strings: each whole value and each of its separated pieces."""
    out: set[str] = set()
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        out.add(value.casefold())
        out.update(p.strip().casefold() for p in _SEPARATORS.split(value) if p.strip())
    return out
