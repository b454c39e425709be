"""Every write path stamps ``updated_at`` and ``change_version`` (the database's triggers,
changes.triggers): a page's form, the API, bulk writes (as imports make them), ``QuerySet.update()``
and the admin; a write that changes nothing stamps nothing."""

from django.forms.models import model_to_dict
from django.urls import reverse

from accountability.models import Metric
from accounts.models import Role
from schools.forms import SchoolForm
from schools.models import School
from tests.factories import MetricFactory
from tests.worlds import membership


def stamps(obj) -> tuple:
    return type(obj)._base_manager.filter(pk=obj.pk).values_list("change_version", "updated_at").get()


def form_data(obj, fields=None, **changes) -> dict:
    return {key: value for key, value in {**model_to_dict(obj, fields=fields), **changes}.items() if value is not None}


def assert_stamped(before: tuple, obj) -> None:
    """Stamped again: a new version (SQLite: one per write; PostgreSQL: the writing transaction's,
    shared by the test's writes) or a later ``updated_at`` (PostgreSQL: the clock at the write)."""
    version, updated_at = stamps(obj)
    assert version >= before[0] and updated_at >= before[1] and (version, updated_at) != before


def test_the_school_page_form_stamps(client, world):
    school = world.schools[0]
    client.force_login(membership(Role.STATE_LEAD, state=world.state).user)
    before = stamps(school)
    url = reverse("schools:school_edit", kwargs={"school_pk": school.pk})
    response = client.post(url, form_data(school, SchoolForm._meta.fields, name="Form Renamed Elementary"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_stamped(before, school)


def test_the_api_stamps_and_shows_the_stamps(clients, world):
    school = world.schools[0]
    before = stamps(school)
    response = clients["state_lead"].patch(f"/api/v1/schools/{school.pk}/", {"name": "Api Renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert_stamped(before, school)
    assert response.json()["change_version"] == stamps(school)[0]


def test_bulk_writes_and_queryset_updates_stamp(world):
    created = Metric.objects.bulk_create([Metric(code="bulk-made", name="Bulk made", unit="percent")])
    assert stamps(created[0])[0] > 0
    metric = world.metric
    before = stamps(metric)
    metric.name = "Bulk updated"
    Metric.objects.bulk_update([metric], ["name"])
    assert_stamped(before, metric)
    before = stamps(metric)
    Metric.objects.filter(pk=metric.pk).update(description="Updated in a queryset")
    assert_stamped(before, metric)


def test_the_admin_stamps(admin_client, world):
    metric = MetricFactory()
    before = stamps(metric)
    url = reverse("admin:accountability_metric_change", args=[metric.pk])
    response = admin_client.post(url, form_data(metric, name="Admin Renamed"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_stamped(before, metric)


def test_a_write_that_changes_nothing_stamps_nothing(world):
    school, metric = world.schools[0], world.metric
    before = stamps(school), stamps(metric)
    School.objects.filter(pk=school.pk).update(name=school.name)
    Metric.objects.bulk_update([Metric.objects.get(pk=metric.pk)], ["name", "unit"])
    assert (stamps(school), stamps(metric)) == before
