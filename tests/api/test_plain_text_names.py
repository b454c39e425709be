"""Names are single-line plain text through the API: a line break, a control character or a
markup/CSS character in a name is a 400 on its field and nothing is written."""

import pytest

from schools.models import School
from tests.problems import field_errors
from zones.models import State, Zone

CSS_INJECTION = "Colorado\n}}*{background:url(http://127.0.0.1:9111/x)}"


def test_a_state_name_that_would_break_out_of_a_stylesheet_is_refused(clients, world):
    response = clients["admin"].patch(f"/api/v1/states/{world.state.pk}/", {"name": CSS_INJECTION}, format="json")

    assert response.status_code == 400
    assert "single line of plain text" in field_errors(response)["name"][0]
    assert State.objects.get(pk=world.state.pk).name == "Colorado"


@pytest.mark.parametrize("name", ["North\nZone", "North Zone}", "<script>North</script>", "North\x07Zone"])
def test_a_state_lead_cannot_give_a_zone_such_a_name(clients, world, name):
    response = clients["state_lead"].patch(f"/api/v1/zones/{world.zone.pk}/", {"name": name}, format="json")

    assert response.status_code == 400
    assert "name" in field_errors(response)
    assert Zone.objects.get(pk=world.zone.pk).name == world.zone.name


def test_a_new_school_with_a_two_line_name_is_refused(clients, world):
    district = world.zone.districts.get()
    body = {
        "district": district.pk,
        "name": "Sunrise Academy\r\nops.hidden{display:none}",
        "nces_id": f"{district.nces_lea_id}99999",
        "lowest_grade": "9",
        "highest_grade": "12",
        "enrollment": 600,
    }

    response = clients["state_lead"].post("/api/v1/schools/", body, format="json")

    assert response.status_code == 400
    assert list(field_errors(response)) == ["name"]
    assert not School.objects.filter(nces_id=body["nces_id"]).exists()
