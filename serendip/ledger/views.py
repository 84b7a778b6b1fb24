"""The public log under /ledger/ (C2SP tlog-tiles), and the page on checking it.
(My balance page: serendip/site/views.py.)"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import log, tiles


@require_safe
def verify_howto(request):
    """How a member checks their proofs download and anyone the whole log, with the exact
    commands for this site (public: auditors need no account)."""
    witness_keys = [w["vkey"] for w in settings.LEDGER_WITNESSES]
    log_url = request.build_absolute_uri("/ledger").rstrip("/")
    key = log.log_verifier_key()
    common = f'--url {log_url} --key "{key}"' + "".join(f' --witness-key "{w}"' for w in witness_keys)
    return render(
        request,
        "ledger/verify.html",
        {
            "log_key": key,
            "witness_keys": witness_keys,
            "proofs_command": f"serendip ledger verify {common} --proofs serendip-ledger-proofs.json",
            "log_command": f"serendip ledger verify {common}",
        },
    )


# The public log (C2SP tlog-tiles): no login, plain bytes, cache headers as the spec wants.

IMMUTABLE = "public, max-age=31536000, immutable"


def _not_found(detail: str) -> HttpResponse:
    resp = HttpResponseNotFound(detail + "\n", content_type="text/plain; charset=utf-8")
    resp["Cache-Control"] = "no-cache"
    return resp


@require_safe
def checkpoint(request):
    cp = log.log_checkpoint(max_age=settings.LEDGER_CHECKPOINT_INTERVAL)
    resp = HttpResponse(log.checkpoint_note(cp), content_type="text/plain; charset=utf-8")
    resp["Cache-Control"] = "no-cache"
    return resp


@require_safe
def key(request):
    resp = HttpResponse(log.log_verifier_key() + "\n", content_type="text/plain; charset=utf-8")
    resp["Cache-Control"] = "no-cache"
    return resp


def _serve_tile(request, path: str) -> HttpResponse:
    try:
        wanted = tiles.parse_path(path)
    except tiles.TileError:
        return _not_found("not a tile path")
    if wanted.path != path:  # only the canonical spelling of each tile exists
        return _not_found("not a canonical tile path")
    cp = log.latest_checkpoint()
    published = tiles.tile_for_size(wanted.level, wanted.index, cp.size if cp else 0)
    if published is None or wanted.width > published.width:
        return _not_found("no such tile in the latest checkpoint")
    try:
        (data,) = log.read_tiles([wanted])
    except log.LogError:
        return _not_found("no such tile in the latest checkpoint")
    resp = HttpResponse(data, content_type="application/octet-stream")
    # A tile path's content never changes: a partial tile is a prefix of its full tile.
    resp["Cache-Control"] = IMMUTABLE
    return resp


@require_safe
def tile(request, rest: str):
    return _serve_tile(request, f"tile/{rest}")


@require_safe
@gzip_page  # tlog-tiles: entry bundles SHOULD be compressed at the HTTP layer
def entry_bundle(request, rest: str):
    return _serve_tile(request, f"tile/entries/{rest}")
