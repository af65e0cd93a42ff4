from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from settings_app.errors import PermissionRefused


class User(AbstractUser):
    is_integration_user = models.BooleanField(
        "Integration user mode",
        default=False,
        help_text="The back office's account: its writes to submitted orders are kept as given.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        # People by name wherever a user is shown (admin columns, choices, history).
        return self.get_full_name() or self.username

    @property
    def role_name(self) -> str:
        """The role to greet the user with: the most powerful one they hold."""
        if self.is_superuser:
            return "System administrator"
        if self.is_integration_user:
            return "Integration user"
        names = {group.name for group in self.groups.all()}
        for role in ("System Customizer", "Sales Manager", "Salesperson"):
            if role in names:
                return role
        return "No role"


# Set only by settings_app.services while it moves the switch: every other save that would
# change it (the shell, a stray form) is refused, so the switch has exactly its guarded doors.
_moving_switch: ContextVar[bool] = ContextVar("sopsite_moving_switch", default=False)


@contextmanager
def switch_move_allowed():
    token = _moving_switch.set(True)
    try:
        yield
    finally:
        _moving_switch.reset(token)


class DiscountCalculationMethod(models.TextChoices):
    LINE_ITEM = "line_item", "Line item (discount applies once per line)"
    PER_UNIT = "per_unit", "Per unit (discount × quantity)"


class Organization(models.Model):
    """The single organization row (pk 1), created by migration; holds every setting of
    docs/rules.md#organization."""

    SINGLETON_PK = 1

    name = models.CharField(max_length=200, default="sopsite")
    # What printed quotes, orders and invoices say about the company that sends them.
    address = models.TextField(
        blank=True, help_text="Printed at the top of quotes, orders and invoices."
    )
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    is_sop_integration_enabled = models.BooleanField(
        "Back office order processing integration",
        default=False,
        help_text="While on, orders are submitted to the back office instead of invoiced here.",
    )
    use_system_pricing = models.BooleanField(default=True)
    pricing_decimal_precision = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    discount_calculation_method = models.CharField(
        max_length=20,
        choices=DiscountCalculationMethod.choices,
        default=DiscountCalculationMethod.LINE_ITEM,
    )
    is_price_list_mandatory = models.BooleanField("Price list mandatory", default=True)
    is_write_in_products_allowed = models.BooleanField("Write-in products allowed", default=True)
    modified_on = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("change_sop_integration", "Can turn the back-office integration on or off")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pricing_decimal_precision__lte=10),
                name="organization_pricing_precision_0_10",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        if not _moving_switch.get():
            stored = (
                Organization.objects.filter(pk=self.pk)
                .values_list("is_sop_integration_enabled", flat=True)
                .first()
            )
            if stored is not None and stored != self.is_sop_integration_enabled:
                raise PermissionRefused(
                    "The integration switch moves only through its guarded doors "
                    "(admin Organization page, App Settings, the API, `manage.py sop_integration`)."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The organization cannot be deleted.")

    @classmethod
    def load(cls) -> "Organization":
        obj, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return obj

    @classmethod
    def of_request(cls, request) -> "Organization":
        """The organization as this request first read it: a page and its layout (the
        context processor) share one read."""
        if not hasattr(request, "_organization"):
            request._organization = cls.load()
        return request._organization


class SwitchDoor(models.TextChoices):
    ADMIN = "admin", "Django admin"
    COMMAND = "command", "Command line"
    API = "api", "REST API"
    APP_SETTINGS = "app_settings", "App Settings"


class SwitchChange(models.Model):
    """One move of the integration switch: who, when, through which door, from what to what."""

    changed_on = models.DateTimeField(auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        "settings_app.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    door = models.CharField(max_length=20, choices=SwitchDoor.choices)
    old_value = models.BooleanField()
    new_value = models.BooleanField()

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        state = "on" if self.new_value else "off"
        return f"Integration turned {state} via {self.get_door_display()}"
