"""Issue 15's defects on pages shared by every app: the API docs, the layout, error pages."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_api_docs_load_swagger_ui_from_our_own_static_files():
    r = Client().get("/api/v1/docs")
    html = r.content.decode()
    assert r.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn." not in html and "https://" not in html  # the CSP allows only 'self'


def test_every_page_has_a_skip_link_to_the_main_landmark_and_a_favicon():
    html = Client().get("/").content.decode()
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'rel="icon" href="/static/serendip/favicon.svg"' in html


def test_a_forbidden_page_is_styled_and_says_why(make_member, make_space):
    space = make_space()
    client = Client()
    client.force_login(make_member().user)
    r = client.get(f"/host/{space.slug}/")
    assert r.status_code == 403
    html = r.content.decode()
    assert "/static/serendip/site.css" in html and "only a host of this space" in html.lower()


def test_admin_pages_have_a_favicon(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert 'rel="icon" href="/static/serendip/favicon.svg"' in html
