"""History rows for the writes that bypass ``save()``: bulk creates, bulk updates, and the
header's ``QuerySet.update()`` after a roll-up.

django-simple-history records a row on each ``save()`` and ``delete()``; bulk writes send no
signals, so the code that makes them calls ``record_history`` in the same transaction. The
rows are copied from the stored ones by one ``INSERT … SELECT``, whatever their number: the
history holds exactly what is stored, including values only the database knew (a version
raised with ``F("version") + 1``).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

CREATED = "+"
CHANGED = "~"
# The columns simple-history adds to the copy of the tracked fields (history_id is generated).
_HISTORY_COLUMNS = ("history_date", "history_user", "history_type", "history_change_reason")


def record_history(model, pks, *, actor, history_type: str = CHANGED) -> None:
    """Add one history row per ``pks`` row of ``model``, equal to the stored row, by ``actor``."""
    pks = list(pks)
    if not pks:
        return
    historical = model.history.model
    stored = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    targets, sources, params = [], [], []
    for field in historical._meta.concrete_fields:
        if field.attname in stored:
            targets.append(quote(field.column))
            sources.append(quote(stored[field.attname].column))
        elif field.name in _HISTORY_COLUMNS:
            value = {
                "history_date": timezone.now(),
                "history_user": actor.pk if actor is not None and actor.is_authenticated else None,
                "history_type": history_type,
                "history_change_reason": None,
            }[field.name]
            targets.append(quote(field.column))
            sources.append("%s")
            params.append(field.get_db_prep_save(value, connection))
        elif not field.primary_key:
            raise ImproperlyConfigured(f"{historical.__name__}.{field.name} is not a copied field.")
    placeholders = ", ".join(["%s"] * len(pks))
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    insert = f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(targets)})"
    select = f"SELECT {', '.join(sources)} FROM {quote(model._meta.db_table)}"  # noqa: S608  # nosec B608  # quoted identifiers
    where = f"WHERE {quote(model._meta.pk.column)} IN ({placeholders})"
    with connection.cursor() as cursor:
        cursor.execute(f"{insert} {select} {where}", [*params, *pks])
