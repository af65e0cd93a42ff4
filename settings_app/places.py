"""Places on settings_app's pages that the apps above it fill in.

settings_app is the bottom floor: it may not import the sales domain, yet its home page shows a
user's open work and App Settings shows the integration's sections. So, as Django's admin site
takes each app's ModelAdmin, settings_app names the places and an app registers what goes there
(``orders`` does it in ``OrdersConfig.ready()``); ``{% place "name" %}`` renders whatever was
registered, in registration order. With no app above, a page shows only its own parts.
"""

from collections.abc import Callable
from dataclasses import dataclass

PLACES = {
    "home": "the home page, under the greeting: the user's open work",
    "app_settings.nav": "links at the end of App Settings' sub-navigation",
    "app_settings.general": "entries at the end of App Settings' General list",
    "app_settings.end": "sections at the end of App Settings, after the switch history",
    "integration.status": "lines under the integration page's status while the switch is on",
    "integration.main": "sections of the integration page, before the switch history",
    "integration.end": "sections at the end of the integration page",
    "integration_off": "what the Turn off page shows before it asks for confirmation",
}


@dataclass(frozen=True)
class Section:
    """A template rendered into a place, with the page's context and ``context(request)``."""

    template: str
    context: Callable | None = None


_registry: dict[str, dict[str, Section]] = {place: {} for place in PLACES}


def register(place: str, template: str, context: Callable | None = None) -> None:
    """Put ``template`` in ``place`` (registering the same template again replaces it)."""
    if place not in PLACES:
        raise ValueError(f"settings_app has no place {place!r}; its places are {sorted(PLACES)}")
    _registry[place][template] = Section(template, context)


def sections(place: str) -> list[Section]:
    return list(_registry[place].values())
