"""Forms of the App Settings pages (the services validate again and write), and the mixin
that makes every form of the site speak to screen readers."""

from django import forms
from django.forms.utils import pretty_name

from settings_app.models import Organization
from settings_app.services import ORGANIZATION_SETTINGS


class DescribedFormMixin:
    """Tie each field's help text and errors to its input with aria-describedby."""

    def describe_fields(self):
        # the messages first: reading self.errors below cleans the form
        for name, field in self.fields.items():
            self._plain_messages(field, name)
        for name, field in self.fields.items():
            ids = []
            auto_id = self[name].auto_id or name
            if field.help_text:
                ids.append(f"{auto_id}_help")
            if self.is_bound and name in self.errors:
                ids.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    @staticmethod
    def _plain_messages(field, name: str) -> None:
        """Say Django's stock messages in the page's own words."""
        label = str(field.label or pretty_name(name)).lower()
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
        wording = {
            "required": f"{'Choose' if choosing else 'Enter'} {label}.",
            "invalid_choice": f"Choose {label} from the list.",
            "invalid": f"Enter {label} as a number."
            if isinstance(field, forms.DecimalField | forms.IntegerField)
            else field.error_messages.get("invalid"),
            "max_digits": "This number is too long.",
            "max_decimal_places": "This number has too many decimals.",
            "max_whole_digits": "This number is too large.",
        }
        for key, text in wording.items():
            if key in field.error_messages and text:
                field.error_messages[key] = text

    def full_clean(self):
        super().full_clean()
        self.describe_fields()


class OrganizationSettingsForm(DescribedFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_SETTINGS
        labels = {"name": "Organization name"}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
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
