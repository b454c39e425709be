"""Rebuild the progress read model (accountability.progress) from scratch."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from accountability.progress import rebuild
from zones.models import State


class Command(BaseCommand):
    help = "Recompute every school's stored progress from its baselines, targets, measurements and status updates."

    def add_arguments(self, parser):
        parser.add_argument("--state", action="append", help="A state's postal code (repeatable); default every state.")

    @scopes_disabled()  # rebuilds every state's rows: no one user's tenant wall applies
    def handle(self, *args, **options):
        states = None
        if options["state"]:
            codes = {code.upper() for code in options["state"]}
            states = list(State.objects.filter(postal_code__in=codes))
            unknown = codes - {state.postal_code for state in states}
            if unknown:
                raise CommandError(f"No state with postal code {', '.join(sorted(unknown))}.")
        schools = rebuild(states)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the progress of {schools:,} schools."))
