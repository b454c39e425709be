from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from devdata.demo import DEMO_PASSWORD, load_demo
from funding.services import funding_totals
from schools.models import School
from zones.models import State, Zone


class Command(BaseCommand):
    help = "Load the demo Partnership Zone initiative and its demo logins (idempotent)."

    @scopes_disabled()  # builds data for every state: no one user's tenant wall applies
    def handle(self, *args, **options):
        loader = load_demo()
        counts = loader.counts
        totals = funding_totals(loader.initiative.commitments.all())
        initiative = loader.initiative
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo initiative '{initiative}': {State.objects.filter(initiative=initiative).count()} states, "
                f"{Zone.objects.filter(state__initiative=initiative).count()} zones, "
                f"{School.objects.filter(zone__state__initiative=initiative).count()} schools; "
                f"pledged ${totals.pledged_public:,.0f} public of a ${initiative.public_funding_target:,.0f} target "
                f"and ${totals.pledged_private:,.0f} private of ${initiative.private_funding_target:,.0f}."
            )
        )
        self.stdout.write(
            f"Rows created: {counts['created']}, updated: {counts['updated']}, unchanged: {counts['unchanged']}."
        )
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        width = max(len(user.email) for user, _role, _scope in loader.logins)
        for user, role, scope in loader.logins:
            self.stdout.write(f"  {user.email:<{width}}  {role.label} — {scope}")
        self.stdout.write("Initiative admins set up an authenticator app (TOTP) at their first login.")
