"""{% follow_member person %} and {% follow_tag name space %}: one-click Follow/Following controls
wherever a member sees another member or a tag. Each page asks the database once for the viewer's
follows (kept on the request), however many people and tags it shows."""

from django import template

from serendip.passport.selectors import member_for_user
from serendip.tags import TagError, normalise_tag

from ..selectors import followed_members, followed_tags
from ..services import can_be_followed

register = template.Library()


def _viewer(request):
    if request is None:
        return None
    if not hasattr(request, "_follow_viewer"):
        request._follow_viewer = member_for_user(getattr(request, "user", None))
    return request._follow_viewer


def _memo(request, key: str, read):
    if not hasattr(request, key):
        setattr(request, key, read())
    return getattr(request, key)


def _next(request) -> str:
    """Where a plain (no-JS) click returns to: the page the control is on. An HTMX answer to a
    click keeps the page the click came from."""
    if request is None:
        return ""
    if request.method == "POST":
        return request.POST.get("next", "")
    return request.get_full_path()


def _with_token(csrf_token, context: dict) -> dict:
    # An inclusion tag's template gets only what it is given, so the page's CSRF token is passed
    # on; a view rendering the partial gets it from the context processor (None would hide it).
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return context


def member_button_context(request, viewer, person, *, error: str = "", csrf_token=None) -> dict:
    """What _follow_member.html needs (the view that answers a click uses it too)."""
    show = viewer is not None and person is not None and person.pk != viewer.pk and can_be_followed(person)
    state = _memo(request, "_followed_members", lambda: followed_members(viewer)) if show else {}
    return _with_token(
        csrf_token,
        {
            "show": show,
            "error": error,
            "person": person,
            "subscription_id": state.get(person.pk) if show else None,
            "next": _next(request),
        },
    )


def tag_menu_context(request, viewer, name: str, space, *, opened=False, error="", csrf_token=None) -> dict:
    state = _memo(request, "_followed_tags", lambda: followed_tags(viewer)) if viewer else {}
    return _with_token(
        csrf_token,
        {
            "show": viewer is not None,
            "tag": name,
            "space": space,
            "here_id": state.get((name, space.pk)) if space is not None else None,
            "everywhere_id": state.get((name, None)),
            "opened": opened,
            "error": error,
            "next": _next(request),
        },
    )


@register.inclusion_tag("notifications/_follow_member.html", takes_context=True)
def follow_member(context, person):
    """Follow/Following for `person`; nothing for myself, a hidden or opted-out member, or a visitor."""
    request = context.get("request")
    return member_button_context(request, _viewer(request), person, csrf_token=context.get("csrf_token"))


@register.simple_tag(takes_context=True)
def follow_tag(context, name: str, space=None, kind: str = "offer"):
    """A tag chip with a menu: follow people who offer it here (at `space`) or everywhere.

    Rendered once per page for each tag, space and kind (kept on the request): at a busy space
    the same tag is offered by dozens of the people shown, and rendering each chip's menu anew
    was most of the page's time at seed scale. Within one page the viewer's follows don't change,
    so every copy would be the same."""
    request = context.get("request")
    memo = _memo(request, "_follow_tag_html", dict) if request is not None else {}
    key = (str(name), getattr(space, "pk", None), kind)
    html = memo.get(key)
    if html is None:
        viewer = _viewer(request)
        try:
            tag = normalise_tag(str(name))  # as the service stores it (a ?tag= from a URL may not be)
        except TagError:
            tag, viewer = str(name), None  # not a tag anyone can follow: the plain chip
        ctx = tag_menu_context(request, viewer, tag, space, csrf_token=context.get("csrf_token"))
        ctx["kind"] = kind
        html = memo[key] = context.template.engine.get_template("notifications/_follow_tag.html").render(
            context.new(ctx)
        )
    return html
