import pytest

from tests.orders.views.helpers import HX, build_catalog, build_document

__all__ = ["HX"]


@pytest.fixture
def catalog(db):
    return build_catalog()


@pytest.fixture
def make_document(catalog):
    def make(kind, owner, **kwargs):
        return build_document(catalog, kind, owner, **kwargs)

    return make
