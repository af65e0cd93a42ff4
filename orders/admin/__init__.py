"""The Django admin for every orders model.

The rules live in the domain (model signals and services), so the admin obeys them by saving
through the models. What the admin adds: it shows a record that the read-only rule protects
as read-only, shows computed fields read-only, and turns a refused save (a ``DomainError``
raised by a signal) into an error message on the page instead of a 500 — the whole save is
rolled back, nothing half-written.

One module per part of the domain: ``catalog``, ``documents`` (headers, lines and their
actions), ``traces`` (audit entries and the integration's rows); ``base`` holds what they share.
"""

from orders.admin import catalog, documents, traces  # noqa: F401 — each registers its models
