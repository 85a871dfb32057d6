"""Deployment files and production settings: compose is valid, `check --deploy` is clean."""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_SECRET = secrets.token_urlsafe(64)


def run(argv: list[str], *, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The argv is built in this file from resolved executables, never from input.
    return subprocess.run(  # noqa: S603
        argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=180
    )


def compose_command() -> list[str] | None:
    """docker-compose (Debian's package), or the `docker compose` plugin, or None."""
    if compose := shutil.which("docker-compose"):
        return [compose]
    docker = shutil.which("docker")
    if docker and run([docker, "compose", "version"], env=dict(os.environ)).returncode == 0:
        return [docker, "compose"]
    return None


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: nothing from the developer's shell leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": LONG_SECRET,
        "ALLOWED_HOSTS": "loopwork.example",
        "DATABASE_URL": "sqlite:////tmp/loopwork-deploy-check.sqlite3",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env=env)


def test_compose_file_is_valid():
    command = compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor `docker compose` is installed")

    result = run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": LONG_SECRET},
    )

    assert result.returncode == 0, result.stderr


def test_compose_file_refuses_to_start_without_a_secret_key():
    command = compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor `docker compose` is installed")
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}

    result = run([*command, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_runs_every_service_of_the_design():
    text = (ROOT / "docker-compose.yml").read_text()

    for service in ("web:", "worker:", "beat:", "postgres:", "redis:", "elasticsearch:"):
        assert f"\n  {service}" in text
    assert "condition: service_healthy" in text
    assert "config.settings.production" in text


def test_check_deploy_has_no_warnings_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_built_in_insecure_secret_key():
    env = production_env(SECRET_KEY=None)

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment for production." in result.stderr


def test_production_refuses_demo_mode():
    result = manage("check", env=production_env(LOOPWORK_DEMO="1"))

    assert result.returncode != 0
    assert "LOOPWORK_DEMO must not be on in production." in result.stderr
