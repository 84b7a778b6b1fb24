"""A secret key kept in a file under VAR_DIR, made on first use: the ledger's note signer and the
credential issuer both keep theirs this way when no environment variable sets one."""

import logging
import os
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger("serendip")


def key_in_file(path: Path, *, generate: Callable[[], tuple[str, str]], warning: str) -> str:
    """The secret in `path`; if there is none, `generate()` -> (secret, public) is written there
    (mode 600, exclusively: a process that loses the race reads the winner's) and `warning` is
    logged with the path and the public key."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    secret, public = generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    logger.warning(warning, path, public)
    return secret
