"""`serendip check --deploy` is clean under production settings, and settings refuse unsafe input."""

import os
import subprocess
import sys

import pytest


def run_serendip(*args, **env):
    # Production defaults only: drop what the test run itself sets (plain HTTP, a test secret).
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    dropped.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}
    return subprocess.run(
        [sys.executable, "-m", "serendip.manage", *args], env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    r = run_serendip(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "-a-production-like-secret-key-with-enough-entropy-9f8e7d",
        ALLOWED_HOSTS="serendip.example",
        SERENDIP_VAR_DIR=str(tmp_path),
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_settings_refuse_to_start_without_a_secret(tmp_path):
    r = run_serendip("check", SERENDIP_VAR_DIR=str(tmp_path))
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_settings_refuse_a_malformed_boolean(tmp_path, value):
    r = run_serendip("check", SECRET_KEY="x" * 50, DEBUG=value, SERENDIP_VAR_DIR=str(tmp_path))
    assert r.returncode != 0 and "not a boolean" in r.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 50)
    r = run_serendip("check", SECRET_KEY_FILE=str(secret), SERENDIP_VAR_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
