"""Build the synthetic national data set used by the benchmarks (see devdata.scale_data)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_scopes import scopes_disabled

from devdata.scale_data import ScaleDataError, ScaleDataGenerator, clear_scale_data


class Command(BaseCommand):
    help = (
        "Generate a synthetic national data set (default: 50 states, 2,000 zones, 10,000 schools, "
        "~2M measurements) beside any demo data. Deterministic for a seed; --clear replaces earlier scale data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--states", type=int, default=50)
        parser.add_argument("--zones-per-state", type=int, default=40)
        parser.add_argument("--schools-per-zone", type=int, default=5, help="3 to 5.")
        parser.add_argument("--years", type=int, default=5, help="School years of measurements from 2010-11.")
        parser.add_argument("--seed", type=int, default=2010)
        parser.add_argument(
            "--partner-schools",
            type=int,
            default=None,
            help="National Partner 1 leads this many schools (the first zones of every state in turn).",
        )
        parser.add_argument("--clear", action="store_true", help="Delete earlier scale data first.")

    @scopes_disabled()  # builds data for every state: no one user's tenant wall applies
    def handle(self, *args, **options):
        if options["clear"]:
            deleted = clear_scale_data()
            self.stdout.write(f"Cleared {sum(deleted.values()):,} rows of earlier scale data.")
        names = ("states", "zones_per_state", "schools_per_zone", "years", "seed", "partner_schools")
        generator_options = {name: options[name] for name in names}
        self.stdout.write(f"Generating scale data on {connection.vendor}: {generator_options}")
        try:
            report = ScaleDataGenerator(**generator_options, stdout=self.stdout).generate()
        except ScaleDataError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {report.total_rows:,} rows in {report.total_seconds:.1f} s of inserts.")
        )
