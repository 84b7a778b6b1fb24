"""The public log under /ledger/ (C2SP tlog-tiles): checkpoint, tiles, entry bundles, key."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("checkpoint", views.checkpoint, name="ledger_checkpoint"),
    path("key", views.key, name="ledger_key"),
    re_path(r"^tile/entries/(?P<rest>.+)$", views.entry_bundle, name="ledger_entry_bundle"),
    re_path(r"^tile/(?P<rest>.+)$", views.tile, name="ledger_tile"),
]
