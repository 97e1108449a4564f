from django.core.management.base import BaseCommand, CommandError

from masthead.editions.services import create_year_schedule


class Command(BaseCommand):
    help = "Create a year's schedule of draft issues (default: the 1st and 15th of each month, 24 issues)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--days", help="Days of the month, comma-separated, e.g. 1,15")

    def handle(self, year, days, **options):
        try:
            day_list = [int(day) for day in days.split(",")] if days else None
            created = create_year_schedule(year, day_list)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created {len(created)} issues for {year}.")
