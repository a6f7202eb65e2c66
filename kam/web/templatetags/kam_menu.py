"""``{% menu_may "order.process" as x %}``: whether the menu shows an entry, by the user's own
role (the rule's roles), with no query: every page renders the menu. The page itself asks the
full policy (``require``), deputyships included."""

from django import template

from kam.org.policy import RULES, Action

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_may(context, action: str) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in RULES[Action(action)].roles
