"""Members' billing details (issue 15, item 8): checked (EU VAT ids by python-stdnum, every
problem at once), set from the passport's Billing page and the API. Invoices: tests/network/
test_invoice_billing.py."""

import pytest
from django.test import Client

from serendip.errors import InvalidInput
from serendip.passport.billing import check_billing
from serendip.passport.models import BillingDetails
from serendip.passport.services import billing_details_set

COMPANY = {
    "name": "Ada Visser",
    "company": "Visser Software B.V.",
    "street": "Oudegracht 12",
    "postcode": "3511 AR",
    "city": "Utrecht",
    "country": "NL",
    "vat_id": "NL 0000.99.998.B57",  # as people type it
}


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


# --- the check ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vat_id", "country", "stored"),
    [
        ("NL000099998B57", "NL", "NL000099998B57"),
        ("de 136 695 976", "DE", "DE136695976"),
        ("EL094259216", "GR", "EL094259216"),  # Greece's VAT prefix is EL
        ("GR094259216", "GR", "EL094259216"),  # ...also written with its ISO code
        ("FR40303265045", "FR", "FR40303265045"),
        ("ATU13585627", "AT", "ATU13585627"),
        ("BE0203.201.340", "BE", "BE0203201340"),
    ],
)
def test_valid_eu_vat_ids_are_accepted_and_stored_compact(vat_id, country, stored):
    clean, errors = check_billing({**COMPANY, "vat_id": vat_id, "country": country})
    assert errors == {} and clean["vat_id"] == stored


@pytest.mark.parametrize(
    "vat_id",
    ["NL123456789B01", "DE136695977", "XX123456789", "NL", "123456789", "NLX0000999B57"],
)
def test_malformed_vat_ids_or_bad_check_digits_are_refused(vat_id):
    _clean, errors = check_billing({**COMPANY, "vat_id": vat_id})
    assert set(errors) == {"vat_id"} and "not a valid EU VAT id" in errors["vat_id"]


def test_every_problem_is_reported_at_once_by_field():
    _clean, errors = check_billing({"vat_id": "DE136695976", "street": "Main St 1", "country": "NL"})
    assert set(errors) == {"company", "city", "vat_id"}
    assert "another country" in errors["vat_id"]
    _clean, errors = check_billing({"country": "QQ", "name": "x" * 81, "postcode": "1\x00"})
    assert set(errors) == {"country", "name", "postcode", "street", "city"}
    assert check_billing({})[1] == {}  # nothing at all is fine
    assert check_billing({"name": "Ada"})[1] == {}  # just a name is fine


def test_a_vat_id_needs_a_company_and_a_country():
    _clean, errors = check_billing({"vat_id": "NL000099998B57"})
    assert set(errors) == {"company", "country"}


# --- the service ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_replaces_the_details_and_all_empty_removes_them(make_member):
    member = make_member()
    details = billing_details_set(member=member, **COMPANY)
    assert details.vat_id == "NL000099998B57" and details.company == "Visser Software B.V."
    billing_details_set(member=member, name="Ada V.")  # a replacement: the rest is emptied
    assert BillingDetails.objects.get(member=member).company == ""
    assert billing_details_set(member=member) is None and not BillingDetails.objects.exists()
    with pytest.raises(InvalidInput, match=r"city: .*; vat_id: "):
        billing_details_set(member=member, vat_id="NL123", street="x", country="NL", company="c")
    with pytest.raises(InvalidInput, match="unknown billing fields: iban"):
        billing_details_set(member=member, iban="NL91ABNA0417164300")
    assert not BillingDetails.objects.exists()


# --- the pages and the API ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_billing_page_saves_details_and_shows_every_error(make_member):
    member = make_member(display_name="Ada")
    client = logged_in(member)
    page = client.get("/passport/billing")
    assert page.status_code == 200 and 'name="billing-vat_id"' in page.content.decode()
    assert "Add a company, address or VAT id" in client.get("/passport/").content.decode()
    bad = client.post("/passport/billing", {"billing-vat_id": "NL123", "billing-street": "Oudegracht 12"})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "Not a valid EU VAT id" in html and "An address needs a street, a city and a country" in html
    assert not BillingDetails.objects.exists()
    data = {f"billing-{k}": v for k, v in COMPANY.items()}
    assert client.post("/passport/billing", data).status_code == 302
    assert BillingDetails.objects.get(member=member).vat_id == "NL000099998B57"
    passport = client.get("/passport/").content.decode()
    assert "Visser Software B.V." in passport and "NL000099998B57" in passport and "Netherlands" in passport
    assert 'value="NL000099998B57"' in client.get("/passport/billing").content.decode()
    assert Client().get("/passport/billing").status_code == 302  # to the login page


@pytest.mark.django_db
def test_the_api_reads_and_sets_billing_details(make_member, api_as):
    api = api_as(make_member())
    assert api.get("/me/billing").json() == dict.fromkeys(COMPANY, "")
    r = api.put("/me/billing", COMPANY)
    assert r.status_code == 200 and r.json()["vat_id"] == "NL000099998B57"
    bad = api.put("/me/billing", {**COMPANY, "vat_id": "NL000099998B58"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    assert "vat_id" in bad.json()["detail"]
    assert api.get("/me/billing").json()["vat_id"] == "NL000099998B57"  # unchanged
    assert api.put("/me/billing", {"country": "NLD"}).status_code == 422
    assert api.put("/me/billing", {}).json() == dict.fromkeys(COMPANY, "")
