"""Names of the enums in the OpenAPI schema (``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]``).

Every document has a ``state`` and a ``status_reason`` with its own choices; without names,
drf-spectacular would call them ``State5afEnum`` and warn, and a field called ``status`` or
``type`` would be a ``StatusEnum`` that says nothing. The choices are the models' own.
"""

from orders import lifecycle
from orders.models import DiscountList, Product

OPPORTUNITY_STATES = lifecycle.state_choices(lifecycle.OPPORTUNITY)
QUOTE_STATES = lifecycle.state_choices(lifecycle.QUOTE)
SALES_ORDER_STATES = lifecycle.state_choices(lifecycle.SALES_ORDER)
INVOICE_STATES = lifecycle.state_choices(lifecycle.INVOICE)
OPPORTUNITY_STATUS_REASONS = lifecycle.status_reason_choices(lifecycle.OPPORTUNITY)
QUOTE_STATUS_REASONS = lifecycle.status_reason_choices(lifecycle.QUOTE)
SALES_ORDER_STATUS_REASONS = lifecycle.status_reason_choices(lifecycle.SALES_ORDER)
INVOICE_STATUS_REASONS = lifecycle.status_reason_choices(lifecycle.INVOICE)
PRODUCT_STATUSES = Product.Status.choices
DISCOUNT_LIST_TYPES = DiscountList.Type.choices
