"""Pages ``kam.clients`` serves itself. The list and the card are web views (they show sales
figures); ``kam.web.urls_clients`` mounts both sets under ``/clients/`` as ``clients:``."""

app_name = "clients"
urlpatterns: list = []
