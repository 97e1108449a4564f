"""Writes to the issue schedule."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from masthead.editions.models import Issue


def cover_dates_for_year(year: int, days_of_month: list[int]) -> list[datetime.date]:
    return [datetime.date(year, month, day) for month in range(1, 13) for day in sorted(days_of_month)]


@transaction.atomic
def create_year_schedule(year: int, days_of_month: list[int] | None = None) -> list[Issue]:
    """Create the year's draft issues, numbered from 1; existing cover dates are kept as they are."""
    days = days_of_month or settings.ISSUE_DAYS_OF_MONTH
    if any(not 1 <= day <= 28 for day in days):
        raise ValueError("Issue days must be between 1 and 28, so every month has them.")
    volume = year - settings.FIRST_VOLUME_YEAR + 1
    created = []
    for number, cover_date in enumerate(cover_dates_for_year(year, days), start=1):
        issue, was_created = Issue.objects.get_or_create(
            cover_date=cover_date,
            defaults={"volume": volume, "number": number, "live": False, "has_unpublished_changes": True},
        )
        if was_created:
            created.append(issue)
    return created
