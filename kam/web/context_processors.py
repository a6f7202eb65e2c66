"""Template context every page needs."""

from functools import cache

from kam.core.selectors import notifications_unread_count
from kam.core.services import company_settings


def company(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"company": company_settings()}


def notifications(request):
    """The unread count for the menu: a callable, so the one COUNT runs only when a page
    that shows the menu renders it (not for htmx fragments), and once however often used."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: notifications_unread_count(user=user))}
