"""The lobby screen shows everyone present, whatever the screen: paging through them when they
don't all fit, each person whole and inside the window, at 1920x1080, 1366x768 and 1280x720."""

import pytest

from serendip.presence.services import checkin_create

SCREENS = {"1080p": (1920, 1080), "laptop": (1366, 768), "720p": (1280, 720)}


@pytest.fixture
def busy_space(make_member, make_space):
    space = make_space(name="Utrecht CS", slug="utrecht-cs", seats=100)
    names = []
    for n in range(45):
        name = f"Person {n:02d} " + ("Longname-" * (n % 3)) + "Example"
        m = make_member(display_name=name, visibility="public", offers=[f"skill {n}", "python", "design"])
        checkin_create(member=m, space_id=space.pk, date=space.local_today(), focus="focus " * (n % 4))
        names.append(name)
    return space, names


def shown_names(page) -> list[str]:
    """Names of people on the current page that are visible, whole and inside the window."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".lobby-person")].filter(li => {
            if (li.hidden || li.offsetParent === null) return false;
            const r = li.getBoundingClientRect();
            const panel = document.querySelector(".lobby-people").getBoundingClientRect();
            return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
                && r.bottom <= panel.bottom + 1;
        }).map(li => li.querySelector(".name").textContent.trim())"""
    )


@pytest.mark.parametrize("screen", SCREENS)
def test_the_lobby_shows_every_present_person(visit, busy_space, screen):
    space, names = busy_space
    width, height = SCREENS[screen]
    v = visit({"width": width, "height": height})
    v.go(f"/spaces/{space.slug}/lobby")
    page = v.page
    pages = int(page.get_attribute(".lobby-people", "data-pages"))
    seen: set[str] = set()
    for _ in range(pages):
        seen.update(shown_names(page))
        page.dispatch_event(".lobby-people", "lobby:next")
    assert set(names) - seen == set(), f"never shown at {width}x{height}: {sorted(set(names) - seen)}"
    assert pages > 1 and "page 1 of" in page.inner_text(".lobby-more")  # 45 people don't fit one screen
    # The check-in address under the QR code wraps only between parts, never mid-word.
    assert page.inner_html(".lobby-url").count("<wbr>") >= 3
    assert v.overflow() <= 0
