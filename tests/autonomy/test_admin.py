"""The admin writes the ledger through its use cases: a term added there has its first change, its
status is read-only on change, a check-in names who recorded it, changes are not added there."""

import pytest
from django.urls import reverse

from autonomy.models import AutonomyCheckIn, AutonomyTerm
from tests.factories import AutonomyTermFactory, LaunchedZoneFactory

pytestmark = pytest.mark.django_db


def test_a_term_added_in_the_admin_has_its_first_change(admin_client, superuser):
    zone = LaunchedZoneFactory()
    data = {"zone": zone.pk, "area": "money", "power": "budget", "status": "requested"}
    response = admin_client.post(reverse("admin:autonomy_autonomyterm_add"), data)
    assert response.status_code == 302
    change = AutonomyTerm.objects.get(zone=zone).changes.get()
    assert (change.to_status, change.reason, change.changed_by) == ("requested", "Recorded in the admin", superuser)


def test_a_terms_status_is_read_only_in_the_admin(admin_client):
    term = AutonomyTermFactory()
    page = admin_client.get(reverse("admin:autonomy_autonomyterm_change", args=[term.pk]))
    assert "status" not in page.context["adminform"].form.fields


def test_a_check_in_added_in_the_admin_names_who_recorded_it(admin_client, superuser):
    term = AutonomyTermFactory()
    data = {"term": term.pk, "practice": "holds", "note": "Fine.", "observed_on": "2011-09-01"}
    response = admin_client.post(reverse("admin:autonomy_autonomycheckin_add"), data)
    assert response.status_code == 302
    assert AutonomyCheckIn.objects.get(term=term).recorded_by == superuser
    assert admin_client.get(reverse("admin:autonomy_autonomytermchange_add")).status_code == 403
