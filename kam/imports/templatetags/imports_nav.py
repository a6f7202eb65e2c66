"""``{% may_import as may_import %}``: whether the menu shows "Import" (issue 8 §4).

By the user's own role (``holders``' rule), with no query: every page renders the menu, and
the policy's full answer (``can``, which also counts deputyships) would cost one more query on
each of them. A deputy who imports only by a deputyship reaches the page by its address; the
page itself asks ``can`` (``require``)."""

from django import template

from kam.org.policy import RULES, Action

register = template.Library()


@register.simple_tag(takes_context=True)
def may_import(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in RULES[Action.IMPORT_RUN].roles
