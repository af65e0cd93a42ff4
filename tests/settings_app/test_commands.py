import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from settings_app.models import Organization, SwitchChange


@pytest.mark.django_db
def test_sop_integration_on_off_status_as_customizer(customizer, capsys):
    call_command("sop_integration", "on", "--user", "customizer")
    assert Organization.load().is_sop_integration_enabled
    call_command("sop_integration", "status")
    out = capsys.readouterr().out
    assert "now on" in out
    assert "is on" in out
    assert f"by {customizer.get_full_name()} via Command line" in out  # people by name
    call_command("sop_integration", "off", "--user", "customizer")
    assert not Organization.load().is_sop_integration_enabled
    assert SwitchChange.objects.filter(door="command").count() == 2


@pytest.mark.django_db
def test_sop_integration_defaults_to_the_superuser(admin_user):
    call_command("sop_integration", "on")
    assert SwitchChange.objects.get().changed_by == admin_user


@pytest.mark.django_db
def test_sop_integration_refuses_a_salesperson(salesperson):
    with pytest.raises(CommandError, match="system customizer"):
        call_command("sop_integration", "on", "--user", "sales")
    assert not Organization.load().is_sop_integration_enabled


@pytest.mark.django_db
def test_sop_integration_unknown_user_is_a_clear_error(customizer):
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("sop_integration", "on", "--user", "nobody")


def test_sop_integration_unknown_argument_prints_usage_and_exits_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "sop_integration", "sideways"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "usage: manage.py sop_integration" in result.stderr
    assert "invalid choice: 'sideways'" in result.stderr
