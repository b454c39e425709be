"""Done when: a state lead imports a fixed spreadsheet and the state's audit trail page shows the change."""

from django.urls import reverse

from imports.services import apply_import


def test_an_applied_import_shows_in_the_states_audit_trail(client, world, preview):
    apply_import(preview("measurements_valid.csv"), world.users.lead)
    apply_import(preview("measurements_valid_update.csv"), world.users.lead)
    client.force_login(world.users.lead)

    page = client.get(reverse("portfolio:state_history", args=[world.colorado.pk])).content.decode()

    assert "Front Range School 3" in page and "Corrected state assessment" in page and "33.50" in page
    assert str(world.users.lead) in page
