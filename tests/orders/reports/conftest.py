from tests.orders.views.conftest import catalog, make_document

__all__ = ["catalog", "make_document"]
