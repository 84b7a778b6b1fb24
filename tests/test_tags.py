import pytest
from hypothesis import given
from hypothesis import strategies as st

from serendip.tags import MAX_TAG_LENGTH, TagError, normalise_tag


@pytest.mark.parametrize("raw", ["Python ", "python", "PYTHON", "  pYtHoN\t", "Ｐｙｔｈｏｎ"])
def test_it_folds_case_width_and_whitespace_into_one_tag(raw):
    assert normalise_tag(raw) == "python"


def test_it_collapses_inner_whitespace():
    assert normalise_tag("machine \n\t  learning") == "machine learning"


def test_it_casefolds_beyond_lowercase():
    assert normalise_tag("STRASSE") == normalise_tag("Straße")


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "\x00"])
def test_it_rejects_empty_tags(raw):
    with pytest.raises(TagError, match="empty"):
        normalise_tag(raw)


def test_it_rejects_overlong_tags_instead_of_truncating():
    with pytest.raises(TagError, match="at most"):
        normalise_tag("x" * (MAX_TAG_LENGTH + 1))
    assert normalise_tag("x" * MAX_TAG_LENGTH) == "x" * MAX_TAG_LENGTH


def test_it_rejects_non_text():
    with pytest.raises(TagError, match="text"):
        normalise_tag(42)


@given(st.text(min_size=1, max_size=60))
def test_normalisation_is_idempotent(raw):
    try:
        once = normalise_tag(raw)
    except TagError:
        return
    assert normalise_tag(once) == once
    assert once == once.strip() and "  " not in once and "\x00" not in once
