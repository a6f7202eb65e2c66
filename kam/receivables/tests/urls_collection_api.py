"""The site's URLs with the collection API at /api/collection, as kam/api.py will mount it.

Until the integrator adds the router to kam/api.py, the API tests mount it on a second
``KamAPI`` with the same authentication and error handlers (the real one's URLs are built
already); once it is there, these are simply the site's URLs."""

from django.urls import path

from kam import urls
from kam.api import KamAPI, api
from kam.receivables.api_collection import router

if any(registration[1] is router for registration in api._router_registrations):
    urlpatterns = urls.urlpatterns
else:
    collection_api = KamAPI(auth=api.auth, urls_namespace="collection-api-test")
    collection_api._exception_handlers = dict(api._exception_handlers)
    collection_api.add_router("/collection", router, tags=["collection"])
    urlpatterns = [path("api/", collection_api.urls), *urls.urlpatterns]
