import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz!",
    "ALLOWED_HOSTS": "sop.example.com",
    "SOP_HTTPS": "",
}


def run_manage(*args, env_overrides):
    test_only = {
        "SECRET_KEY",
        "SOP_HTTPS",
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
        "CONN_MAX_AGE",
    }
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update({k: v for k, v in env_overrides.items() if v != ""})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", env_overrides={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_turn_on_https_protections():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)",
        env_overrides=PRODUCTION_ENV,
    )
    assert result.stdout.split() == ["True", "True", "True", "31536000", "False"]


def test_database_url_selects_the_database():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'])",
        env_overrides={**PRODUCTION_ENV, "DATABASE_URL": "postgres://u@db.example:5432/sales"},
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "sales"]


def test_production_keeps_database_connections_open_with_health_checks():
    show = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    url = {"DATABASE_URL": "postgres://u@db.example:5432/sales"}
    for overrides, expected in [
        ({**PRODUCTION_ENV, **url}, ["60", "True"]),
        ({**PRODUCTION_ENV, **url, "CONN_MAX_AGE": "300"}, ["300", "True"]),
        ({"DEBUG": "true", **url}, ["0", "True"]),
    ]:
        result = run_manage("shell", "--no-imports", "-c", show, env_overrides=overrides)
        assert result.stdout.split() == expected, result.stderr


def test_csp_uses_nonces_and_no_unsafe_inline():
    script_src = [str(v) for v in settings.SECURE_CSP["script-src"]]
    assert "'unsafe-inline'" not in script_src
    assert any("NONCE" in v for v in script_src)
