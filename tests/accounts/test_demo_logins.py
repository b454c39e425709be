"""The demo logins seed_demo creates: each signs in and lands on a page of its own scope
(one test, as seeding the demo is the slow part)."""

from django.urls import reverse

from devdata.demo import DEMO_PASSWORD, demo_email
from zones.models import State

COLORADO_LOGINS = ["lead.co", "viewer.co", "commissioner.co"]


def test_each_demo_login_lands_on_its_scope(demo_database, client, db):
    assert demo_email("viewer.co") in demo_database
    other_states = list(State.objects.exclude(postal_code="CO").values_list("name", flat=True))
    assert other_states
    for local_part in [*COLORADO_LOGINS, "partner", "collaborator"]:
        login = client.post(reverse("account_login"), {"login": demo_email(local_part), "password": DEMO_PASSWORD})
        assert login.status_code == 302, local_part
        landing = client.get("/", follow=True)
        body = landing.content.decode()
        assert landing.status_code == 200 and "Colorado" in body, local_part
        if local_part in COLORADO_LOGINS:
            assert not [state for state in other_states if state in body], local_part
        client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": demo_email("admin"), "password": DEMO_PASSWORD})
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")
