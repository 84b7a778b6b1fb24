"""`serendip ledger ...`: keys, integration, witnesses, publishing and auditing the log.

serendip ledger keygen [--name NAME] [--witness] [--out FILE]
serendip ledger key                      # the log's verifier key
serendip ledger integrate                # sign a checkpoint for the entries appended so far
serendip ledger publish                  # integrate, then collect witness cosignatures
serendip ledger witness --key-file F --state-file S --log-key VKEY [--host H] [--port P]
serendip ledger verify [--url URL --key VKEY] [--witness-key VKEY ...] [--state FILE | --no-state]
                       [--proofs FILE]   # a member's proofs download instead of the whole log
"""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from serendip.ledger import audit, log, note, witnessing


class Command(BaseCommand):
    help = "The verifiable social-capital log: keygen, key, integrate, publish, witness, verify."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("keygen", help="make a note signer key (the log's, or a witness's)")
        p.add_argument("--name", help="key name (default: LEDGER_ORIGIN; a witness: e.g. space.example/w1)")
        p.add_argument("--witness", action="store_true", help="a witness cosigner key (type 0x04)")
        p.add_argument("--out", help="write the signer key to this file (mode 600) instead of stdout")

        sub.add_parser("key", help="print the log's verifier key")
        sub.add_parser("integrate", help="integrate appended entries and sign a checkpoint")
        sub.add_parser("publish", help="integrate, sign, and ask LEDGER_WITNESSES to cosign")

        p = sub.add_parser("witness", help="run a C2SP tlog-witness HTTP server")
        p.add_argument("--name", help="the witness name (must match its key's name)")
        p.add_argument("--key-file", required=True, help="file with the witness's signer key")
        p.add_argument("--state-file", required=True, help="JSON file with the last cosigned checkpoints")
        p.add_argument("--log-key", required=True, action="append", help="a trusted log verifier key")
        p.add_argument("--origin", help="the log's origin (default: the log key's name)")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=7380)

        p = sub.add_parser("verify", help="audit the log (and locally, the books)")
        p.add_argument("--url", help="the log's URL prefix, e.g. https://serendip.example/ledger")
        p.add_argument("--key", help="the log's verifier key (default locally: this installation's)")
        p.add_argument(
            "--witness-key",
            action="append",
            default=[],
            help="require this witness's cosignature (remembered in the state for later runs)",
        )
        p.add_argument(
            "--state",
            help="state file: the last checkpoint verified under the key, and the witnesses required"
            " (default: ~/.serendip/ledger-state/<key>.json, or under SERENDIP_LEDGER_STATE_DIR)",
        )
        p.add_argument(
            "--no-state", action="store_true", help="neither read nor write state (no fork/rollback check)"
        )
        p.add_argument(
            "--proofs",
            metavar="FILE",
            help="check a member's proofs download (openings, inclusion, balance) against the published log",
        )

    def handle(self, *args, action: str, **options):
        return getattr(self, "do_" + action)(**options)

    def do_keygen(self, *, name, witness: bool, out, **_):
        name = name or settings.LEDGER_ORIGIN
        try:
            alg = note.ALG_COSIGNATURE_V1 if witness else note.ALG_ED25519
            signer_key, verifier_key = note.generate_key(name, alg)
        except note.NoteError as e:
            raise CommandError(str(e)) from e
        if out:
            try:
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError as e:
                raise CommandError(f"{out} exists; not overwriting a key") from e
            with os.fdopen(fd, "w") as f:
                f.write(signer_key + "\n")
            self.stderr.write(f"signer key written to {out}")
        else:
            self.stdout.write(signer_key)
        self.stdout.write(verifier_key)

    def do_key(self, **_):
        self.stdout.write(log.log_verifier_key())

    def do_integrate(self, **_):
        started = time.perf_counter()
        cp = log.log_integrate()
        self.stdout.write(f"checkpoint at size {cp.size} ({time.perf_counter() - started:.2f} s)")

    def do_publish(self, **_):
        cp, report = log.log_publish()
        self.stdout.write(f"checkpoint at size {cp.size}")
        if not settings.LEDGER_WITNESSES:
            self.stdout.write("no witnesses configured (LEDGER_WITNESSES)")
        for line in report:
            self.stdout.write(line)

    def do_witness(self, *, name, key_file, state_file, log_key, origin, host, port, verbosity, **_):
        try:
            signer_key = Path(key_file).read_text().strip()
            keys = witnessing.log_keys_by_origin(log_key, origin)
            service = witnessing.WitnessService(signer_key, Path(state_file), keys)
        except (OSError, ValueError) as e:
            raise CommandError(f"cannot start the witness: {e}") from e
        if name and name != service.witness.name:
            raise CommandError(f"--name {name} is not the key's name {service.witness.name}")
        server = witnessing.make_server(service, host, port, verbose=verbosity > 1)
        self.stdout.write(
            f"witness {service.witness.name} for {', '.join(keys)} on http://{host}:{server.server_port}/"
            f"add-checkpoint\nverifier key: {service.witness.vkey}"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def do_verify(self, *, url, key, witness_key, state, no_state, proofs, **_):
        started = time.perf_counter()
        if state and no_state:
            raise CommandError("--state and --no-state contradict each other")
        doc = None
        if proofs:
            try:
                doc = json.loads(Path(proofs).read_text())
            except (OSError, ValueError) as e:
                raise CommandError(f"cannot read the proofs file {proofs}: {e}") from e
        if url:
            if not key:
                raise CommandError("--key is required with --url: trust the log's key from elsewhere")
            source = audit.HttpLog(url)
        else:
            log.log_checkpoint()  # so the audit covers every transaction recorded so far
            key = key or log.log_verifier_key()
            source = audit.DatabaseLog()
        try:
            state_path = None if no_state else Path(state) if state else audit.default_state_path(key)
            # Witnesses named once stay required: a fork or rollback signed with the log's key
            # alone lacks their cosignatures.
            witnesses = sorted({*witness_key, *audit.remembered_witnesses(state_path, key)})
            if doc is not None:
                result, checks = audit.verify_proofs(
                    doc, source=source, log_key=key, witness_keys=witnesses, state_path=state_path
                )
            else:
                result = audit.audit_log(source, log_key=key, witness_keys=witnesses, state_path=state_path)
                checks = result.checks
                if not url:
                    checks += audit.audit_database(result, log_key=key)
        except audit.AuditFailure as e:
            raise CommandError(f"ledger verify FAILED: {e}") from e
        if state_path is not None:
            audit.save_state(state_path, result, log_key=key, witness_keys=witnesses)
            checks.append(f"state saved to {state_path}")
        for line in checks:
            self.stdout.write(f"ok: {line}")
        self.stdout.write(f"ledger verify: OK in {time.perf_counter() - started:.1f} s")
