from django import template

from serendip.passport.selectors import shown_name as _shown_name

register = template.Library()


@register.filter
def shown_name(member, viewer):
    """{{ q.asker|shown_name:me }}: "A member" for a hidden member, unless it is the viewer."""
    return _shown_name(member, viewer)
