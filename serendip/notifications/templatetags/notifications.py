"""{% notification_preferences_form %}: the per-kind settings form the passport page shows."""

from django import template

from serendip.passport.selectors import member_for_user

from ..forms import PreferencesForm
from ..selectors import preference_map

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_preferences_form(context):
    request = context.get("request")
    member = member_for_user(getattr(request, "user", None))
    if member is None:
        return None
    return PreferencesForm(current=preference_map(member))
