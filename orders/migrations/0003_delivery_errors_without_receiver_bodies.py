"""Attempts recorded before this kept up to 300 characters of the receiver's answer
("HTTP 500: <body>"); keep only the status code and its standard reason phrase."""

import http

from django.db import migrations


def short_reason(status_code: int) -> str:
    try:
        return f"HTTP {status_code} {http.HTTPStatus(status_code).phrase}"
    except ValueError:
        return f"HTTP {status_code}"


def forget_receiver_bodies(apps, schema_editor):
    for model, error_field, code_field in [
        ("DeliveryAttempt", "error", "status_code"),
        ("Delivery", "last_error", "last_status_code"),
    ]:
        rows = apps.get_model("orders", model).objects
        codes = (
            rows.filter(**{f"{error_field}__startswith": "HTTP "})
            .exclude(**{f"{code_field}__isnull": True})
            .values_list(code_field, flat=True)
            .distinct()
        )
        for code in list(codes):
            rows.filter(
                **{code_field: code, f"{error_field}__startswith": f"HTTP {code}: "}
            ).update(**{error_field: short_reason(code)})


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_roles")]

    operations = [migrations.RunPython(forget_receiver_bodies, migrations.RunPython.noop)]
