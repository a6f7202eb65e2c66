"""Pages of the relationship workspace (mounted at /relations/)."""

from django.urls import path

from kam.relations import views

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
]
