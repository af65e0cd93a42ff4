"""The roles (docs/rules.md#roles) as Django groups with model permissions.

``sync_roles`` is run by data migrations (each app that adds models adds one more run), so a
fresh database has every group with its permissions. Permissions of models that do not exist
yet are skipped, which keeps older migrations valid as the catalog of models grows.
"""

SALESPERSON = "Salesperson"
SALES_MANAGER = "Sales Manager"
SYSTEM_CUSTOMIZER = "System Customizer"
BACK_OFFICE = "Back Office Integration"

_DOCUMENTS = ["opportunity", "quote", "salesorder", "invoice"]
_LINES = ["opportunityline", "quoteline", "salesorderline", "invoiceline"]
_CATALOG = [
    "currency",
    "unitgroup",
    "unit",
    "product",
    "pricelist",
    "pricelistitem",
    "discountlist",
    "discountband",
    "account",
]


def _perms(actions: list[str], models: list[str], app: str = "orders") -> list[str]:
    return [f"{app}.{action}_{model}" for model in models for action in actions]


_SALES_WORK = (
    _perms(["view", "add", "change"], _DOCUMENTS)
    + _perms(["view", "add", "change", "delete"], _LINES)
    + _perms(["view"], _CATALOG)
    + _perms(["add", "change"], ["account"])
    + _perms(["view"], ["organization"], app="settings_app")
)

ROLES: dict[str, list[str]] = {
    SALESPERSON: _SALES_WORK,
    SALES_MANAGER: _SALES_WORK
    + _perms(["delete"], _DOCUMENTS)
    + [
        "orders.view_all_documents",
        "orders.fulfill_salesorder",
        "orders.cancel_salesorder",
    ],
    SYSTEM_CUSTOMIZER: _perms(["view", "add", "change", "delete"], _CATALOG)
    + _perms(["view"], _DOCUMENTS + _LINES)
    + [
        "orders.view_all_documents",
        "orders.view_endpoint",
        "orders.add_endpoint",
        "orders.change_endpoint",
        "orders.view_event",
        "orders.change_event",
        "settings_app.view_organization",
        "settings_app.change_organization",
        "settings_app.change_sop_integration",
        "settings_app.view_switchchange",
        "settings_app.view_user",
        "settings_app.change_user",
    ],
    # The back office's account; the flag makes it an integration user (docs/rules.md#roles),
    # this group
    # gives it the model permissions the API checks.
    BACK_OFFICE: _SALES_WORK
    + [
        "orders.view_all_documents",
        "orders.fulfill_salesorder",
        "orders.cancel_salesorder",
        "orders.view_event",
    ],
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the groups and give them exactly the permissions of ROLES that exist."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs carry no models module; create_permissions needs one set.
        original = getattr(app_config, "models_module", None)
        if original is None:
            app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        keys = {tuple(perm.split(".", 1)) for perm in wanted}
        perms = [
            perm
            for perm in Permission.objects.select_related("content_type")
            if (perm.content_type.app_label, perm.codename) in keys
        ]
        group.permissions.set(perms)
