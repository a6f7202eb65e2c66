"""Pages of the relationship workspace (mounted at /relations/)."""

from django.urls import path

from kam.relations import views, views_plans

app_name = "relations"

urlpatterns = [
    path("clients/<int:pk>/", views.client_people, name="client_people"),
    path("clients/<int:pk>/map/", views.client_map, name="client_map"),
    path("clients/<int:pk>/notes/", views.client_notes, name="client_notes"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/stage/", views.person_stage, name="person_stage"),
    path("people/<int:pk>/competitors/", views.person_competitor, name="person_competitor"),
    path("people/<int:pk>/relations/", views.person_relation_add, name="person_relation_add"),
    path("relations/<int:pk>/remove/", views.relation_remove, name="relation_remove"),
    path("territories/", views.territories, name="territories"),
    path("territories/<int:pk>/map/", views.territory_map, name="territory_map"),
    path("notes/", views.notes, name="notes"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    # account plans (AC-12)
    path("account-plans/", views_plans.plan_list, name="plan_list"),
    path("account-plans/new/", views_plans.plan_create, name="plan_create"),
    path("account-plans/pending/", views_plans.pending_list, name="plan_pending"),
    path(
        "account-plans/pending/<int:pk>/approve/",
        views_plans.pending_approve,
        name="plan_pending_approve",
    ),
    path(
        "account-plans/pending/<int:pk>/refuse/",
        views_plans.pending_refuse,
        name="plan_pending_refuse",
    ),
    path("account-plans/<int:pk>/", views_plans.plan_detail, name="plan_detail"),
    path("account-plans/<int:pk>/edit/", views_plans.plan_edit, name="plan_edit"),
    path("account-plans/<int:pk>/budget/", views_plans.plan_budget, name="plan_budget"),
    path("account-plans/<int:pk>/goals/", views_plans.goal_add, name="plan_goal_add"),
    path("account-plans/<int:pk>/actions/", views_plans.action_add, name="plan_action_add"),
    path("account-plans/<int:pk>/level/", views_plans.plan_level, name="plan_level"),
    path("account-plans/<int:pk>/reviews/", views_plans.plan_review, name="plan_review"),
    path("account-plans/goals/<int:pk>/", views_plans.goal_edit, name="plan_goal_edit"),
    path("account-plans/actions/<int:pk>/", views_plans.action_edit, name="plan_action_edit"),
    path(
        "account-plans/actions/<int:pk>/done/",
        views_plans.action_done,
        name="plan_action_done",
    ),
]
