"""The notifications page: each person's own notices (review dates that have come, later
expiries and reminders), sent by ``kam daily``; marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from kam.core.selectors import notifications_for
from kam.core.services import notifications_mark_read

SHOWN = 200  # the newest; older ones stay in the database


@login_required
def notifications_view(request):
    items = list(notifications_for(user=request.user)[:SHOWN])
    return render(request, "web/notifications.html", {"nav": "notifications", "items": items})


@require_POST
@login_required
def notifications_read_view(request):
    """POST ``id`` (one or several) marks those read; no ``id`` marks all. Ids of other
    people's notifications change nothing, like ids that do not exist."""
    raw = request.POST.getlist("id")
    ids = [int(v) for v in raw if v.isascii() and v.isdigit() and len(v) < 19] if raw else None
    notifications_mark_read(actor=request.user, ids=ids)
    return redirect("notifications:list")


app_name = "notifications"
urlpatterns = [
    path("", notifications_view, name="list"),
    path("read/", notifications_read_view, name="read"),
]
