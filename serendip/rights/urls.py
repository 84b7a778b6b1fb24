"""Pages and published documents of members' rights (mounted at the site's root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("passport/data/", views.my_data, name="my_data"),
    path("passport/data/export", views.export_download, name="export_download"),
    path("passport/data/exports/<int:export_id>", views.export_prepared, name="export_prepared"),
    path("passport/data/credentials/<str:kind>", views.credential_download, name="credential_download"),
    path("passport/data/erase", views.erase, name="erase"),
    path("privacy/", views.privacy, name="privacy"),
    path("credentials/verify", views.verify_page, name="credential_verify"),
    path("credentials/v1", views.serendip_context, name="credentials_context"),
    path("credentials/status/<int:number>", views.status_list, name="status_list"),
    path("credentials/achievements/<str:kind>", views.achievement, name="achievement"),
    path("credentials/achievements/<str:kind>/<path:tag>", views.achievement, name="achievement_tag"),
    path(".well-known/did.json", views.did_json, name="did_json"),
]
