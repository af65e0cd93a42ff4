"""ETags and ``If-Match``: a document's ETag is its ``version``; a record without one (catalog
rows, the organization) has the digest of its representation."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from orders.api.errors import PreconditionFailed


def etag(version: int) -> str:
    return f'W/"{version}"'


def _parse_tag(tag: str) -> int | None:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    return int(tag) if tag.isascii() and tag.isdigit() and len(tag) < 19 else None


def expected_version(request, current: int | None = None) -> int | None:
    """The version the client says it has (``If-Match``), or None when it does not say.

    ``W/"3"``, ``"3"`` and ``3`` all mean version 3; ``*`` means any. A list matches when any
    of its tags is the current version. A header naming no version we could ever have is a
    mismatch (412) at once; a well-formed one is handed to the service, which compares it with
    the row it has locked, so a concurrent change cannot slip in between.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    versions = [v for v in (_parse_tag(part) for part in header.split(",")) if v is not None]
    if not versions:
        raise PreconditionFailed()
    if current is not None and current in versions:
        return current
    return versions[0]


def representation_etag(data) -> str:
    """The ETag of a record without a version (catalog rows, the organization): a digest of
    what GET shows, so any change to the record changes it."""
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return f'W/"{hashlib.sha256(text.encode()).hexdigest()[:20]}"'


def check_representation(request, data) -> None:
    """412 unless ``If-Match`` is absent, ``*``, or names the ETag of ``data`` (the record as
    read under the caller's row lock)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return
    current = representation_etag(data).removeprefix("W/")
    tags = [part.strip().removeprefix("W/") for part in header.split(",")]
    if current not in tags:
        raise PreconditionFailed()
