"""Profile pictures: checked by content, resized to a square, EXIF stripped; shown by visibility."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from serendip.errors import InvalidInput
from serendip.passport.models import Photo
from serendip.passport.services import check_photo, member_photo_set
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def picture(fmt="JPEG", size=(800, 600), exif=True) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "SecretCam"  # Make
        e[0x0112] = 6  # Orientation: rotated, so it must be applied before EXIF goes
        kwargs["exif"] = e.tobytes()
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def test_a_picture_becomes_a_small_square_jpeg_without_exif():
    raw = picture()
    assert b"SecretCam" in raw
    out = check_photo(raw)
    img = Image.open(io.BytesIO(out))
    assert img.format == "JPEG" and img.size == (256, 256)
    assert not img.getexif() and b"SecretCam" not in out


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "choose a picture"),
        (b"GIF89a not really a gif at all", "not a picture"),
        (b"%PDF-1.4 a pdf named photo.jpg", "not a picture"),
        (b"\xff" * (5 * 1024 * 1024 + 1), "at most 5 MB"),
    ],
)
def test_anything_else_is_refused(data, message):
    with pytest.raises(InvalidInput, match=message):
        check_photo(data)


def test_a_bmp_is_refused_by_its_content():
    with pytest.raises(InvalidInput, match="JPEG, PNG, WebP or GIF"):
        check_photo(picture("BMP", exif=False))


def test_uploading_on_the_passport_page_shows_it_where_people_are_listed(make_member, make_space):
    space = make_space()
    me = make_member(display_name="Ada Visser")
    other = make_member()
    for m in (me, other):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    client = Client()
    client.force_login(me.user)
    upload = SimpleUploadedFile("me.png", picture("PNG", exif=False), content_type="image/png")
    r = client.post("/passport/photo", {"photo": upload}, follow=True)
    assert "Picture saved" in r.content.decode()
    me.refresh_from_db()
    assert me.photo_version == 1 and Photo.objects.filter(member=me).exists()
    viewer = Client()
    viewer.force_login(other.user)
    assert f'src="/members/{me.pk}/photo?v=1"' in viewer.get(f"/spaces/{space.slug}/").content.decode()
    r = viewer.get(f"/members/{me.pk}/photo?v=1")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert Client().get(f"/members/{me.pk}/photo").status_code == 404  # members-only passport
    r = client.post("/passport/photo", {"remove": "1"}, follow=True)
    me.refresh_from_db()
    assert me.photo_version == 0 and not Photo.objects.filter(member=me).exists()


def test_a_hidden_members_picture_is_only_for_them(make_member):
    hidden = make_member(visibility="hidden")
    member_photo_set(member=hidden, data=picture())
    other = Client()
    other.force_login(make_member().user)
    assert other.get(f"/members/{hidden.pk}/photo").status_code == 404
    own = Client()
    own.force_login(hidden.user)
    assert own.get(f"/members/{hidden.pk}/photo").status_code == 200


def test_a_bad_upload_is_a_message_not_an_error_page(make_member):
    client = Client()
    client.force_login(make_member().user)
    upload = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    r = client.post("/passport/photo", {"photo": upload}, follow=True)
    assert r.status_code == 200 and "not a picture we can read" in r.content.decode().lower()


def test_erasure_removes_the_picture(make_member):
    from serendip.rights.services import member_erase
    from tests.conftest import PASSWORD

    member = make_member()
    member_photo_set(member=member, data=picture())
    member_erase(member=member, password=PASSWORD)
    member.refresh_from_db()
    assert member.photo_version == 0 and not Photo.objects.filter(member=member).exists()
