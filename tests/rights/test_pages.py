"""The pages: my data, download and delete; the privacy page."""

import io
import zipfile

import pytest
from django.test import Client

from serendip.rights import services
from serendip.rights.models import DataExport, Erasure
from serendip.rights.tasks import export_prepare
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(rich_network):
    client = Client()
    client.force_login(rich_network["zeb"].member.user)
    return client


def test_my_data_page_offers_export_credentials_and_deletion(logged_in):
    page = logged_in.get("/passport/data/").content.decode()
    assert "Download my data" in page and "Delete my passport" in page and "accepted answer" in page
    export = logged_in.get("/passport/data/export")
    assert export.status_code == 200 and zipfile.ZipFile(io.BytesIO(export.content)).testzip() is None
    passport = logged_in.post("/passport/data/credentials/passport")
    assert (
        passport.status_code == 200 and passport.json()["credentialSubject"]["name"] == "Zebediah Quuxworth"
    )
    badges = logged_in.post("/passport/data/credentials/achievements")
    assert len(badges.json()) == 3
    assert logged_in.post("/passport/data/credentials/other").status_code == 404


def test_deleting_needs_the_password_and_the_tick(logged_in, rich_network):
    r = logged_in.post("/passport/data/erase", {"password": PASSWORD}, follow=True)
    assert "Tick the box" in r.content.decode() and not Erasure.objects.exists()
    r = logged_in.post("/passport/data/erase", {"password": "wrong", "confirm": "yes"}, follow=True)
    assert "password is not right" in r.content.decode() and not Erasure.objects.exists()
    r = logged_in.post("/passport/data/erase", {"password": PASSWORD, "confirm": "yes"}, follow=True)
    assert "Your passport was deleted" in r.content.decode()
    assert Erasure.objects.filter(member=rich_network["zeb"].member).exists()
    assert logged_in.get("/passport/data/").status_code == 302  # logged out


def test_the_privacy_page_says_what_is_kept_and_for_how_long(client, settings):
    settings.INVOICE_RETENTION_YEARS = 7
    page = client.get("/privacy/").content.decode()
    assert "7 years after the end of the year" in page and "deleted member" in page


def test_pages_need_a_login(client):
    assert client.get("/passport/data/").status_code == 302
    assert client.get("/passport/data/export").status_code == 302


def test_a_long_history_is_offered_once_prepared(logged_in, rich_network, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_INLINE_MAX_TRANSACTIONS", 3)
    r = logged_in.get("/passport/data/export", follow=True)
    assert "being prepared" in r.content.decode()
    export = DataExport.objects.get(member=rich_network["zeb"].member)
    assert logged_in.get(f"/passport/data/exports/{export.pk}").status_code == 404  # not ready
    export_prepare.call(export_id=export.pk)
    page = logged_in.get("/passport/data/").content.decode()
    assert f"/passport/data/exports/{export.pk}" in page
    download = logged_in.get(f"/passport/data/exports/{export.pk}")
    assert download.status_code == 200 and zipfile.ZipFile(io.BytesIO(download.content)).testzip() is None
