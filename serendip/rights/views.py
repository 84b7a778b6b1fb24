"""Pages: my data (export, credentials, delete my passport), the privacy page, the public
credential verifier, and the issuer's published documents (DID document, context, status lists)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serendip.credentials import contexts
from serendip.errors import ServiceError
from serendip.passport.models import Tag
from serendip.passport.selectors import member_for_user

from . import issuer, services
from .export import export_build, export_filename
from .issuing import ACHIEVEMENTS, achievement_definition, credential_verify, status_list_credential
from .selectors import achievements_of, credentials_of, export_of, exports_of

MAX_UPLOAD = 256 * 1024  # a credential is a few kilobytes


def _member_or_redirect(request):
    member = member_for_user(request.user)
    if member is None:
        messages.info(request, _("This account has no passport (it is an admin account)."))
    return member


@login_required
@require_GET
def my_data(request):
    member = _member_or_redirect(request)
    if member is None:
        return redirect("home")
    context = {
        "member": member,
        "achievements": achievements_of(member),
        "credentials": credentials_of(member)[:50],
        "exports": exports_of(member),
    }
    return render(request, "rights/my_data.html", context)


@login_required
@require_GET
def export_download(request):
    member = _member_or_redirect(request)
    if member is None:
        return redirect("home")
    if services.export_needs_background(member=member):
        try:
            services.export_request(member=member)
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.info(
                request, _("Your history is long: your download is being prepared. Come back in a minute.")
            )
        return redirect("my_data")
    return _zip(export_build(member), member)


def _zip(data: bytes, member) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(member)}"'
    return response


@login_required
@require_GET
def export_prepared(request, export_id: int):
    member = _member_or_redirect(request)
    if member is None:
        return redirect("home")
    export = export_of(member, export_id)
    if export is None or not export.ready:
        raise Http404(_("no such download, or it is not ready yet"))
    return _zip(bytes(export.data), member)


@login_required
@require_POST
def credential_download(request, kind: str):
    member = _member_or_redirect(request)
    if member is None:
        return redirect("home")
    try:
        if kind == "passport":
            document = services.credential_issue_passport(member=member)
        elif kind == "achievements":
            document = services.credential_issue_achievements(member=member)
        else:
            raise Http404(_("no such credential"))
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("my_data")
    response = JsonResponse(document, safe=False, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="serendip-{kind}-credential.json"'
    return response


@login_required
@require_POST
def erase(request):
    member = _member_or_redirect(request)
    if member is None:
        return redirect("home")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to delete your passport."))
        return redirect("my_data")
    try:
        services.member_erase(member=member, password=request.POST.get("password", ""))
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("my_data")
    logout(request)
    messages.success(request, _("Your passport was deleted. Thank you for being part of the network."))
    return redirect("home")


def privacy(request):
    return render(request, "rights/privacy.html", {"retention_years": settings.INVOICE_RETENTION_YEARS})


@require_http_methods(["GET", "POST"])
def verify_page(request):
    result, error, text = None, "", ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            raw = upload.read(MAX_UPLOAD + 1)
        else:
            raw = request.POST.get("credential", "").encode("utf-8", "replace")
        text = raw.decode("utf-8", "replace")[:MAX_UPLOAD]
        if len(raw) > MAX_UPLOAD:
            error = _("That file is too large to be a credential.")
        else:
            try:
                document = json.loads(raw)
            except ValueError:
                error = _("That is not JSON: paste or upload the credential file as you downloaded it.")
            else:
                result = credential_verify(document)
    status = 400 if error else 200
    context = {"result": result, "error": error, "text": text, "did": issuer.issuer_did()}
    return render(request, "rights/verify.html", context, status=status)


def _json(data, content_type: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"  # verifiers elsewhere fetch these
    return response


@require_GET
def did_json(request):
    return _json(issuer.did_document(), "application/did+json")


@require_GET
def serendip_context(request):
    return FileResponse(
        (contexts.CONTEXT_DIR / contexts.SERENDIP_FILE).open("rb"), content_type="application/ld+json"
    )


@require_GET
def status_list(request, number: int):
    if number > 10**9:
        raise Http404(_("no such status list"))
    response = _json(status_list_credential(number), "application/vc+ld+json")
    response["Cache-Control"] = "max-age=60"
    return response


@require_GET
def achievement(request, kind: str, tag: str = ""):
    """An Open Badges Achievement's definition, at the id the badges name."""
    if kind not in ACHIEVEMENTS or bool(tag) != (kind == "answers") or len(tag) > 200:
        raise Http404(_("no such achievement"))
    if tag and not Tag.objects.filter(name=tag).exists():
        raise Http404(_("no such tag"))
    return _json(
        {"@context": [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3], **achievement_definition(kind, tag)},
        "application/ld+json",
    )
