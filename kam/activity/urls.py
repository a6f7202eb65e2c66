"""Pages of the schedule, tasks, complaints, events and trainings (mounted at /schedule/)."""

from django.urls import path

from kam.activity import views, views_complaints, views_events, views_tasks

app_name = "activity"

urlpatterns = [
    path("", views.week_view, name="week"),
    path("plan/", views.plan_view, name="plan"),
    path("log/", views.log_view, name="log"),
    path("items/<int:pk>/", views.item_view, name="item"),
    path("items/<int:pk>/complete/", views.complete_view, name="complete"),
    path("items/<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("clients/<int:pk>/", views.client_view, name="client"),
    path("gone-quiet/", views.quiet_view, name="quiet"),
    path("settings/", views.settings_view, name="settings"),
    path("feed/", views.feed_view, name="feed"),
    path("feed/<str:token>.ics", views.feed_ics, name="feed_ics"),
    # tasks (AC-10)
    path("tasks/", views_tasks.task_list_view, name="tasks"),
    path("tasks/new/", views_tasks.task_new_view, name="task_new"),
    path("tasks/<int:pk>/", views_tasks.task_view, name="task"),
    path("tasks/<int:pk>/edit/", views_tasks.task_edit_view, name="task_edit"),
    path("tasks/<int:pk>/status/", views_tasks.task_status_view, name="task_status"),
    path("tasks/<int:pk>/comment/", views_tasks.task_comment_view, name="task_comment"),
    # complaints (AC-11)
    path("complaints/", views_complaints.complaint_list_view, name="complaints"),
    path("complaints/new/", views_complaints.complaint_new_view, name="complaint_new"),
    path("complaints/<int:pk>/", views_complaints.complaint_view, name="complaint"),
    path(
        "complaints/<int:pk>/resolve/",
        views_complaints.complaint_resolve_view,
        name="complaint_resolve",
    ),
    path(
        "complaints/<int:pk>/assign/",
        views_complaints.complaint_assign_view,
        name="complaint_assign",
    ),
    path(
        "complaints/<int:pk>/reopen/",
        views_complaints.complaint_reopen_view,
        name="complaint_reopen",
    ),
    # events and trainings (AC-6, AC-8)
    path("events/", views_events.event_list_view, name="events"),
    path("events/new/", views_events.event_new_view, name="event_new"),
    path("events/<int:pk>/", views_events.event_view, name="event"),
    path("events/<int:pk>/edit/", views_events.event_edit_view, name="event_edit"),
    path("events/<int:pk>/invite/", views_events.event_invite_view, name="event_invite"),
    path(
        "events/<int:pk>/invitations/<int:invitation_pk>/attendance/",
        views_events.attendance_view,
        name="event_attendance",
    ),
    path(
        "events/<int:pk>/presentations/",
        views_events.presentation_add_view,
        name="event_presentation_add",
    ),
    path(
        "events/presentations/<int:pk>/file/",
        views_events.presentation_file_view,
        name="event_presentation_file",
    ),
    path("trainings/", views_events.training_list_view, name="trainings"),
]
