"""Every event payload, built here and nowhere else: what a back office receives, by webhook
(the ``data`` of the request) and from the events feed.

Each payload states its ``schema_version``, and docs/schemas/webhooks/<type>.json pins the
shape of that version (tests/orders/integration/test_payloads.py), so a change to the REST API
cannot change a webhook by accident, and a change here is a new version on purpose. Field names
and value formats are ``orders.representation``'s, the same as the API's.
"""

from orders import representation

SALESORDER_SUBMITTED = "salesorder.submitted"
SALESORDER_CANCELED = "salesorder.canceled"
SALESORDER_CHANGE_REQUESTED = "salesorder.change_requested"
ORGANIZATION_SOP_INTEGRATION_CHANGED = "organization.sop_integration_changed"

# The version of each event type's payload; bump it with the schema when the shape changes.
SCHEMA_VERSIONS = {
    SALESORDER_SUBMITTED: 1,
    SALESORDER_CANCELED: 1,
    SALESORDER_CHANGE_REQUESTED: 1,
    ORGANIZATION_SOP_INTEGRATION_CHANGED: 1,
}


def salesorder_submitted(order) -> dict:
    """The whole order with its lines (one query for the lines)."""
    return {"schema_version": SCHEMA_VERSIONS[SALESORDER_SUBMITTED], **_document(order)}


def salesorder_canceled(order, *, previous_state: str) -> dict:
    """The whole order as it is now (canceled), and the state it left."""
    return {
        "schema_version": SCHEMA_VERSIONS[SALESORDER_CANCELED],
        **_document(order),
        "previous_state": previous_state,
    }


def salesorder_change_requested(order, change_request, *, previous_state: str) -> dict:
    """The whole order (still submitted), the state it was in, and what is asked of it."""
    requester = change_request.requested_by
    return {
        "schema_version": SCHEMA_VERSIONS[SALESORDER_CHANGE_REQUESTED],
        **_document(order),
        "previous_state": previous_state,
        "change_request": {
            "id": change_request.pk,
            "note": change_request.note,
            "requested_by": requester.get_username() if requester is not None else None,
            "requested_on": representation.datetime_string(change_request.requested_on),
        },
    }


def organization_sop_integration_changed(change, actor) -> dict:
    """The switch's move: where it points now and before, who moved it, by which door, when."""
    return {
        "schema_version": SCHEMA_VERSIONS[ORGANIZATION_SOP_INTEGRATION_CHANGED],
        "enabled": change.new_value,
        "old_value": change.old_value,
        "changed_by": actor.get_username() if actor is not None else None,
        "door": change.door,
        "changed_on": representation.datetime_string(change.changed_on),
    }


def _document(document) -> dict:
    fields = representation.document_fields(document.KIND)
    return {
        **{name: representation.value_of(document, name) for name in fields},
        "lines": [
            {name: representation.value_of(line, name) for name in representation.LINE_FIELDS}
            for line in document.lines.all()
        ],
    }
