"""Who is acting: one context variable read by the domain at every door.

Requests set it in middleware (and the API after token authentication); commands, tests and
the shell use ``with acting_as(user): ...``.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar = ContextVar("sopsite_actor", default=None)


def current_actor():
    """The acting user, or None when nobody authenticated is acting."""
    actor = _actor.get()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


@contextmanager
def acting_as(user):
    token = _actor.set(user)
    try:
        yield user
    finally:
        _actor.reset(token)


def set_actor(user) -> None:
    """Set the actor for the rest of the current context (DRF authenticates inside the view)."""
    _actor.set(user)


class ActingUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _actor.set(request.user)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)
