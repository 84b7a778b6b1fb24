"""Witnesses over HTTP (C2SP tlog-witness): the server a space runs, and the log's client.

`WitnessService` wraps the pure `witness.Witness` with a JSON state file (written atomically
before a cosignature is returned, under a lock, as tlog-witness requires);
`make_server` serves it with the standard library's HTTP server (`serendip ledger witness`).
`request_cosignature` is the log's side of add-checkpoint (`serendip ledger publish`).
No Django here: a space can run its witness from this file and the pure cores alone.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import note, tlog, witness

MAX_BODY = note.MAX_NOTE_SIZE + 64 * 64


def write_json_atomically(path: Path, data: object) -> None:
    """Write JSON to a temporary file in the same directory, fsync, then rename over `path`."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class WitnessService:
    """A witness for the logs in `log_keys` (origin -> trusted log verifier keys)."""

    def __init__(self, signer_key: str, state_path: Path, log_keys: Mapping[str, Sequence[str]]) -> None:
        self.state_path = Path(state_path)
        state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        self.witness = witness.Witness(signer_key, state.get("logs", {}))
        self.log_keys = {origin: list(keys) for origin, keys in log_keys.items()}
        self.lock = threading.Lock()

    def add_checkpoint(self, body: bytes) -> tuple[int, str, str]:
        """Handle an add-checkpoint body: (HTTP status, content type, response body)."""
        with self.lock:  # check and persist atomically: no rollback race between requests
            before = copy.deepcopy(self.witness.state)
            try:
                line = self.witness.handle_add_checkpoint(body, self.log_keys)
            except witness.WitnessError as e:
                return e.status, e.content_type, e.body
            try:
                write_json_atomically(self.state_path, {"logs": self.witness.state})
            except OSError:
                self.witness.state = before  # not persisted, so not cosigned
                return 500, "text/plain; charset=utf-8", "could not persist the witness state\n"
        return 200, "text/plain; charset=utf-8", line

    def monitoring_checkpoint(self, origin_hash: str) -> str | None:
        with self.lock:
            for origin in self.witness.state:
                if witness.origin_hash(origin) == origin_hash:
                    return self.witness.checkpoint(origin)
        return None


def make_handler(service: WitnessService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "serendip-witness"
        protocol_version = "HTTP/1.1"  # keep-alive, as tlog-witness recommends

        def _send(self, status: int, content_type: str, body: str) -> None:
            raw = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            if self.path.rstrip("/").rsplit("/", 1)[-1] != "add-checkpoint":
                return self._send(404, "text/plain; charset=utf-8", "not found\n")
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                return self._send(411, "text/plain; charset=utf-8", "Content-Length required\n")
            if not 0 <= length <= MAX_BODY:
                return self._send(413, "text/plain; charset=utf-8", "request body is too large\n")
            self._send(*service.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            found = None
            if len(parts) >= 2 and parts[-1] == "checkpoint":
                found = service.monitoring_checkpoint(parts[-2])
            if found is None:
                return self._send(404, "text/plain; charset=utf-8", "no checkpoint cosigned for that log\n")
            self._send(200, "text/plain; charset=utf-8", found)

        def log_message(self, format: str, *args) -> None:
            if self.server.verbose:  # type: ignore[attr-defined]
                super().log_message(format, *args)

    return Handler


def make_server(
    service: WitnessService, host: str, port: int, *, verbose: bool = False
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(service))
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


# --------------------------------------------------------------------------------------------
# The log's side: ask a witness for a cosignature
# --------------------------------------------------------------------------------------------


class WitnessUnavailable(Exception):
    """The witness could not be reached, refused, or answered with something unusable."""


def _post(url: str, body: str, timeout: float) -> tuple[int, str, str]:
    req = urllib.request.Request(
        url, data=body.encode("utf-8"), method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read(MAX_BODY).decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read(MAX_BODY).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as e:
        raise WitnessUnavailable(f"cannot reach {url}: {getattr(e, 'reason', e)}") from e


def request_cosignature(
    *,
    url: str,
    witness_vkey: str,
    signed_checkpoint: str,
    old_size: int,
    consistency_proof: Callable[[int], list[bytes]],
    timeout: float = 10.0,
) -> str:
    """add-checkpoint: returns the witness's verified cosignature line(s) for the checkpoint.

    `old_size` is the size we believe the witness last cosigned; on 409 the witness says
    its size and we retry once from there. `consistency_proof(old)` proves old -> new."""
    text = note.parse(signed_checkpoint).text
    size = tlog.parse_checkpoint(text).size
    endpoint = url.rstrip("/") + "/add-checkpoint"
    for _attempt in range(2):
        proof = consistency_proof(old_size) if 0 < old_size < size else []
        body = witness.format_add_checkpoint_request(old_size, proof, signed_checkpoint)
        status, content_type, answer = _post(endpoint, body, timeout)
        if status == 409 and content_type.startswith("text/x.tlog.size"):
            try:
                witness_size = tlog._parse_decimal(answer.strip(), "witness size")
            except tlog.CheckpointError as e:
                raise WitnessUnavailable(f"{url} answered 409 with a bad size") from e
            if witness_size > size:
                raise WitnessUnavailable(f"{url} has cosigned size {witness_size}, beyond ours ({size})")
            old_size = witness_size
            continue
        if status != 200:
            raise WitnessUnavailable(f"{url} refused ({status}): {answer.strip()[:200]}")
        lines = _verified_lines(text, answer, witness_vkey)
        if not lines:
            raise WitnessUnavailable(f"{url} returned no valid cosignature from {witness_vkey.split('+')[0]}")
        return lines
    raise WitnessUnavailable(f"{url} keeps disagreeing about the old size")


def _verified_lines(text: str, answer: str, witness_vkey: str) -> str:
    try:
        sigs = note.parse_signature_lines(answer)
    except note.NoteError as e:
        raise WitnessUnavailable(f"bad cosignature lines: {e}") from e
    good = []
    for sig in sigs:
        try:
            witness.verify_cosignature(text, sig.line, witness_vkey)
        except note.UnverifiedNoteError:
            continue  # another key of theirs: ignored, as the spec says
        except note.NoteError as e:
            raise WitnessUnavailable(f"cosignature does not verify: {e}") from e
        good.append(sig.line)
    return "".join(good)


def log_keys_by_origin(vkeys: Iterable[str], origin: str | None = None) -> dict[str, list[str]]:
    """Trusted log keys by origin: the key's name is the log's origin unless `origin` is given."""
    out: dict[str, list[str]] = {}
    for vkey in vkeys:
        verifier = note.new_verifier(vkey)
        out.setdefault(origin or verifier.name, []).append(vkey)
    return out
