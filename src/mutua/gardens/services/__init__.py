"""The gardens app's writers, one module per part of the work; import them from here.

- `gardens`: the garden, its plots on the map, seasons, crops.
- `plots`: applications, offers of a plot, accepting (and paying the fee), declining, withdrawing
  an unanswered offer, returning.
- `workdays`: work days, shared tasks, sign-ups.
- `harvests`: the harvest log, and harvests given to the pantry.
"""

from mutua.gardens.services.gardens import (
    Place,
    crop_create,
    garden_create,
    garden_settings_set,
    plot_create,
    season_create,
    season_on,
)
from mutua.gardens.services.harvests import MAX_GRAMS, HarvestEntry, harvest_log, units_of
from mutua.gardens.services.plots import (
    application_create,
    application_notes_forget,
    application_withdraw,
    offer_accept,
    offer_decline,
    offer_next,
    offer_withdraw,
    plot_offer,
    plot_return,
)
from mutua.gardens.services.workdays import task_create, task_join, task_leave, workday_create

__all__ = [
    "MAX_GRAMS",
    "HarvestEntry",
    "Place",
    "application_create",
    "application_notes_forget",
    "application_withdraw",
    "crop_create",
    "garden_create",
    "garden_settings_set",
    "harvest_log",
    "offer_accept",
    "offer_decline",
    "offer_next",
    "offer_withdraw",
    "plot_create",
    "plot_offer",
    "plot_return",
    "season_create",
    "season_on",
    "task_create",
    "task_join",
    "task_leave",
    "units_of",
    "workday_create",
]
