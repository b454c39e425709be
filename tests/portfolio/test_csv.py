import csv
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import Role
from portfolio import views
from tests.worlds import member
from web.csv_export import neutralise


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Aspen Ridge", "Aspen Ridge"),
        ("a=b", "a=b"),
        (None, ""),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
    ],
)
def test_neutralise_quotes_text_that_a_spreadsheet_would_evaluate(value, cell):
    assert neutralise(value) == cell


@pytest.mark.django_db
def test_state_export_neutralises_cells_and_lists_all_rows(tenant, login):
    school = tenant.schools[0]
    school.name = "=cmd|' /C calc'!A0"
    school.save()
    client = login(member(Role.STATE_VIEWER, tenant))
    response = client.get(
        reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}), {"export": "schools"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="colorado-schools.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["School", "NCES id", "District"]
    names = {row[0] for row in rows[1:]}
    assert names == {"'=cmd|' /C calc'!A0", *(s.name for s in tenant.schools[1:])}


@pytest.mark.django_db
def test_every_table_on_the_state_page_exports(tenant, login):
    client = login(member(Role.STATE_LEAD, tenant))
    url = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    expected = {
        "zones": tenant.zone.name,
        "districts": tenant.schools[0].district.name,
        "engagements": tenant.engagement.collaborator.name,
        "commitments": tenant.commitment.funder.name,
        "expenditures": "Teacher compensation — extended learning time",
    }
    for table, text in expected.items():
        response = client.get(url, {"export": table})
        assert response["Content-Type"].startswith("text/csv"), table
        assert text in response.content.decode(), table


@pytest.mark.django_db
def test_export_file_names_say_each_table_once(tenant, login):
    client = login(member(Role.INITIATIVE_ADMIN))
    names = {
        reverse("portfolio:portfolio") + "?export=portfolio": "portfolio.csv",
        reverse("portfolio:school_list") + "?export=schools": "schools.csv",
        reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}) + "?export=zones": "colorado-zones.csv",
        reverse("portfolio:state_history", kwargs={"state_pk": tenant.state.pk}) + "?export=csv": (
            "colorado-audit-trail.csv"
        ),
    }
    for url, name in names.items():
        assert client.get(url)["Content-Disposition"] == f'attachment; filename="{name}"', url


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["districts", "engagements", "commitments", "expenditures"])
def test_a_state_export_without_standings_computes_none(tenant, login, table):
    client = login(member(Role.STATE_LEAD, tenant))
    url = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    with (
        mock.patch.object(views, "school_standings", wraps=views.school_standings) as standings,
        mock.patch.object(views, "state_rollup", wraps=views.state_rollup) as rollup,
    ):
        response = client.get(url, {"export": table})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert standings.call_count == 0 and rollup.call_count == 0
