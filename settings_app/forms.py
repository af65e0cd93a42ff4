"""Forms of the App Settings pages; the services validate again and write."""

from django import forms

from orders.forms import DescribedFormMixin
from settings_app.models import Organization
from settings_app.services import ORGANIZATION_SETTINGS


class OrganizationSettingsForm(DescribedFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_SETTINGS
        help_texts = {
            "use_system_pricing": "Off: the system never computes prices (a custom engine would).",
            "pricing_decimal_precision": "Decimals of the price per unit, 0 to 10.",
            "is_price_list_mandatory": "A document needs a price list before products are added.",
            "is_write_in_products_allowed": "Lines may name a product not in the catalog.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def _post_clean(self):
        # The service runs full_clean on the organization; the form only parses input.
        pass


class SwitchOffForm(forms.Form):
    """The confirmation of turning the integration off."""

    confirm = forms.BooleanField(
        label="I understand: orders will no longer be submitted to the back office",
        required=True,
    )
