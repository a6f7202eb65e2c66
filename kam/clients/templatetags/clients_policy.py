"""``{% may "client.edit" account as may_edit %}``: the policy's answer, to show a button only
to those whose request the service would accept (kam.org.policy.can)."""

from django import template

from kam.org.policy import Action, can

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return can(user, Action(action), obj)
