"""ETags and ``If-Match`` on documents: the ETag is the document's ``version``."""

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
