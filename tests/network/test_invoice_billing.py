"""Invoices name the customer by the member's billing details as they were at issue (issue 15,
item 8): later changes touch no issued invoice; credit notes name the original's customer; old
invoices show what they had; the PDF carries the same customer block."""

import pytest

from serendip.network.models import Invoice
from serendip.network.services import booking_cancel
from serendip.passport.services import billing_details_set
from tests.passport.test_billing import COMPANY

from .conftest import book, days_ahead, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(open_space):
    return open_space(slug="utrecht-cs", name="Utrecht CS", seats=5)


def test_an_invoice_keeps_the_billing_details_it_was_issued_with(make_member, space, room):
    member = make_member(display_name="Ada")
    old = book(member, room, days_ahead(space, 2), 9, 10)  # before she gave any details
    billing_details_set(member=member, **COMPANY)
    first = book(member, room, days_ahead(space, 3), 10, 11)
    billing_details_set(member=member, **{**COMPANY, "company": "Visser Holding B.V."})
    second = book(member, room, days_ahead(space, 4), 10, 11)
    inv = Invoice.objects.get(booking=first)
    assert inv.buyer_name == "Ada Visser" and inv.buyer_company == "Visser Software B.V."
    assert inv.buyer_address == "Oudegracht 12\n3511 AR Utrecht\nNetherlands"
    assert inv.buyer_vat_id == "NL000099998B57"
    assert Invoice.objects.get(booking=second).buyer_company == "Visser Holding B.V."
    assert Invoice.objects.get(booking=old).buyer_company == ""
    assert Invoice.objects.get(booking=old).buyer_name == "Ada"  # her display name then
    client = logged_in(member)
    html = client.get(f"/invoices/{first.payment_reference}").content.decode()
    assert "Visser Software B.V." in html and "Visser Holding" not in html
    assert "Oudegracht 12<br>3511 AR Utrecht<br>Netherlands" in html and "VAT id NL000099998B57" in html
    old_html = client.get(f"/invoices/{old.payment_reference}").content.decode()
    assert "Add your billing details" in old_html and "3511 AR" not in old_html
    # A credit note names the customer of the invoice it cancels, whatever changed since.
    booking_cancel(member=member, booking_id=first.pk)
    credit = Invoice.objects.get(booking=first, kind="credit_note")
    assert (credit.buyer_company, credit.buyer_vat_id) == ("Visser Software B.V.", "NL000099998B57")


def test_the_invoice_pdf_has_the_customer_block(make_member, space, room, monkeypatch):
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot load here: {exc}")
    from serendip.network import views

    member = make_member()
    billing_details_set(member=member, **COMPANY)
    b = book(member, room, days_ahead(space, 3), 10, 11)
    seen = []
    real = views.render_pdf
    monkeypatch.setattr(views, "render_pdf", lambda html: seen.append(html) or real(html))
    r = logged_in(member).get(f"/invoices/{b.payment_reference}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "Visser Software B.V." in seen[0] and "VAT id NL000099998B57" in seen[0]
    assert "Add your billing details" not in seen[0]


def test_erasure_removes_the_billing_details_but_issued_invoices_keep_their_copy(make_member, space, room):
    from serendip.passport.models import BillingDetails
    from serendip.rights.export import export_sections
    from serendip.rights.services import member_erase
    from tests.conftest import PASSWORD

    member = make_member()
    billing_details_set(member=member, **COMPANY)
    b = book(member, room, days_ahead(space, 3), 10, 11)
    files, _manifest = export_sections(member)
    assert files["passport.json"]["billing"]["vat_id"] == "NL000099998B57"
    assert files["invoices.json"][0]["buyer_vat_id"] == "NL000099998B57"
    member_erase(member=member, password=PASSWORD)
    assert not BillingDetails.objects.exists()
    assert Invoice.objects.get(booking=b, kind="invoice").buyer_company == "Visser Software B.V."
