"""Strict list queries (web.filtering): an unknown parameter, a bad filter value, an unknown
ordering field or a bad page size is a 400 naming it; repeated values match any of them; natural
keys (NCES ids, postal codes, metric codes) find records within the reader's reach only."""

import datetime

import pytest

import web.filtering
from tests.api.conftest import build_world_with_records
from tests.factories import ActivityReportFactory, CommentFactory, MetricFactory
from tests.problems import field_errors
from web.rest import PageNumberPages

API = "/api/v1"


@pytest.fixture(scope="module")
def world_builder():
    """Every test here queries the same members and records: made once for the module."""
    return build_world_with_records


def refused_naming(response, name: str) -> str:
    """The message of a 400 problem about query parameter ``name``."""
    messages = field_errors(response).get(name)
    assert response.status_code == 400 and messages, response.content
    return " ".join(messages)


def ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("endpoint", ["schools", "zones", "measurements", "status-updates", "collection"])
def test_unknown_parameter_is_a_400_naming_it(clients, records, endpoint):
    response = clients["admin"].get(f"{API}/{endpoint}/", {"nces_idx": "080000100001"})
    assert "Unknown query parameter" in refused_naming(response, "nces_idx")


def test_unknown_parameters_are_all_named_with_the_known_ones(clients, records):
    response = clients["admin"].get(f"{API}/schools/", {"q": "x", "id": 1, "state": 1})
    message = refused_naming(response, "q")
    refused_naming(response, "id")
    assert "nces_id" in message and "page_size" in message and "ordering" in message
    response = clients["admin"].get(f"{API}/schools/", {"fields": "id", "format": "json"})
    assert response.status_code == 200 and set(response.json()["results"][0]) == {"id"}


def test_detail_reads_fields_and_refuses_unknown_parameters(clients, records, world):
    client, school = clients["state_viewer"], world.schools[0]
    response = client.get(f"{API}/schools/{school.pk}/", {"fields": "id,name"})
    assert response.status_code == 200 and set(response.json()) == {"id", "name"}
    refused_naming(client.get(f"{API}/schools/{school.pk}/", {"page_size": 5}), "page_size")
    refused_naming(client.get(f"{API}/schools/{school.pk}/", {"ordering": "name"}), "ordering")


def test_a_number_beyond_a_bigint_is_a_400_not_a_database_error(clients, records):
    huge = str(-(2**90))
    refused_naming(clients["admin"].get(f"{API}/budgets/", {"fiscal_year": huge}), "fiscal_year")


def test_an_empty_ordering_is_a_400_not_the_default_order(clients, records):
    assert "Name a field" in refused_naming(clients["admin"].get(f"{API}/schools/", {"ordering": ""}), "ordering")


def test_an_empty_format_is_a_400_not_the_default(clients, records):
    assert "json or csv" in refused_naming(clients["admin"].get(f"{API}/schools/", {"format": ""}), "format")
    assert clients["admin"].get(f"{API}/schools/", {"format": "json"}).status_code == 200


@pytest.mark.parametrize("endpoint", ["schools", "zones"])
def test_an_unknown_sparse_field_is_a_400_naming_it_not_a_smaller_object(clients, records, endpoint):
    message = refused_naming(clients["admin"].get(f"{API}/{endpoint}/", {"fields": "id,nmae"}), "fields")
    assert "nmae" in message and "name" in message


def test_bad_filter_values_are_a_400_naming_the_filter_also_among_repeated_ones(clients, records, world):
    refused_naming(clients["admin"].get(f"{API}/schools/", {"state": "abc"}), "state")
    refused_naming(clients["admin"].get(f"{API}/zones/", {"status": "nonsense"}), "status")
    refused_naming(clients["admin"].get(f"{API}/schools/", {"state": ["abc", world.state.pk]}), "state")


@pytest.mark.parametrize("endpoint", ["schools", "measurements"])
@pytest.mark.parametrize("size", ["0", "-1", "abc", "", "null", "1.5", str(PageNumberPages.max_page_size + 1)])
def test_bad_page_size_is_a_400_stating_the_max(clients, records, endpoint, size):
    response = clients["admin"].get(f"{API}/{endpoint}/", {"page_size": size})
    assert str(PageNumberPages.max_page_size) in refused_naming(response, "page_size")


def test_page_size_within_bounds_is_kept_beyond_is_refused(clients, records, world):
    response = clients["admin"].get(f"{API}/schools/", {"page_size": 1})
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    response = clients["admin"].get(f"{API}/schools/", {"page_size": PageNumberPages.max_page_size})
    assert len(response.json()["results"]) == len(world.schools) + len(world.other_schools)
    too_many = PageNumberPages.max_page_size + 1
    refused_naming(clients["admin"].get(f"{API}/schools/", {"page_size": too_many}), "page_size")


def test_page_on_a_cursor_list_and_cursor_on_a_page_list_are_refused(clients, records):
    refused_naming(clients["admin"].get(f"{API}/measurements/", {"page": 2}), "page")
    refused_naming(clients["admin"].get(f"{API}/schools/", {"cursor": "cD0x"}), "cursor")


def test_page_must_be_a_page_number_and_beyond_the_last_is_404(clients, records):
    refused_naming(clients["admin"].get(f"{API}/schools/", {"page": "abc"}), "page")
    refused_naming(clients["admin"].get(f"{API}/schools/", {"page": 0}), "page")
    assert clients["admin"].get(f"{API}/schools/", {"page": 999}).status_code == 404
    assert clients["admin"].get(f"{API}/schools/", {"page": "last"}).status_code == 200


def test_unknown_ordering_field_is_a_400_naming_it(clients, records):
    message = refused_naming(clients["admin"].get(f"{API}/schools/", {"ordering": "-name,secret"}), "ordering")
    assert "secret" in message and "nces_id" in message
    names = [row["name"] for row in clients["admin"].get(f"{API}/schools/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_repeated_values_match_any_of_them(clients, records, world):
    client = clients["admin"]
    both = {school.pk for school in world.schools + world.other_schools}
    assert ids(client.get(f"{API}/schools/", {"state": [world.state.pk, world.other_state.pk]})) == both
    chosen = [world.schools[0], world.other_schools[1]]
    found = ids(client.get(f"{API}/schools/", {"nces_id": [school.nces_id for school in chosen]}))
    assert found == {school.pk for school in chosen}
    own, other = records["measurements"]
    found = ids(client.get(f"{API}/measurements/", {"school": [own.school_id, other.school_id]}))
    assert found == {own.pk, other.pk}


def test_repeated_choice_values_match_any_of_them(clients, records, world):
    zone, other = world.zone, world.other_zone
    other.status = "planning"
    other._change_reason = "Back to planning"
    other.save()
    assert ids(clients["admin"].get(f"{API}/zones/", {"status": [zone.status, "planning"]})) == {zone.pk, other.pk}
    assert ids(clients["admin"].get(f"{API}/zones/", {"status": "planning"})) == {other.pk}


def test_schools_by_nces_id_within_reach_only(clients, records, world):
    client, own, kansas = clients["state_viewer"], world.schools[1], world.other_schools[0]
    assert ids(client.get(f"{API}/schools/", {"nces_id": own.nces_id})) == {own.pk}
    assert ids(client.get(f"{API}/schools/", {"nces_id": kansas.nces_id})) == set()
    assert ids(clients["admin"].get(f"{API}/schools/", {"nces_id": kansas.nces_id})) == {kansas.pk}


def test_districts_states_and_zones_by_natural_key(clients, records, world):
    client = clients["state_viewer"]
    district, other_district = records["districts"]
    assert ids(client.get(f"{API}/districts/", {"nces_lea_id": district.nces_lea_id})) == {district.pk}
    assert ids(client.get(f"{API}/districts/", {"nces_lea_id": other_district.nces_lea_id})) == set()
    assert ids(client.get(f"{API}/states/", {"postal_code": world.state.postal_code})) == {world.state.pk}
    assert ids(client.get(f"{API}/states/", {"postal_code": world.other_state.postal_code})) == set()
    assert ids(client.get(f"{API}/zones/", {"state_postal_code": world.state.postal_code})) == {world.zone.pk}
    found = ids(clients["admin"].get(f"{API}/schools/", {"state_postal_code": world.other_state.postal_code}))
    assert found == {school.pk for school in world.other_schools}


def test_metrics_by_repeated_codes(clients, records, world):
    attendance = MetricFactory(code="attendance", name="Attendance")
    MetricFactory(code="graduation", name="Graduation")
    found = ids(clients["admin"].get(f"{API}/metrics/", {"code": ["reading", "attendance"]}))
    assert found == {world.metric.pk, attendance.pk}


@pytest.mark.parametrize("endpoint", ["measurements", "baselines", "targets"])
def test_school_records_by_school_nces_id_and_metric_code(clients, records, world, endpoint):
    own, other = records[endpoint]
    client = clients["state_viewer"]
    assert ids(client.get(f"{API}/{endpoint}/", {"school_nces_id": own.school.nces_id})) == {own.pk}
    assert ids(client.get(f"{API}/{endpoint}/", {"school_nces_id": other.school.nces_id})) == set()
    assert ids(client.get(f"{API}/{endpoint}/", {"metric_code": world.metric.code})) == {own.pk}
    assert ids(client.get(f"{API}/{endpoint}/", {"metric_code": "no-such-metric"})) == set()


def test_status_updates_by_school_nces_id(clients, records):
    own, other = records["status-updates"]
    client = clients["state_viewer"]
    assert ids(client.get(f"{API}/status-updates/", {"school_nces_id": own.school.nces_id})) == {own.pk}
    assert ids(client.get(f"{API}/status-updates/", {"school_nces_id": other.school.nces_id})) == set()


def test_the_browsable_api_shows_a_form_for_repeated_values(clients, records, world):
    response = clients["admin"].get(f"{API}/metrics/", {"catalog": ["true", "false"]}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert world.metric.code in response.content.decode()


def test_activity_reports_or_repeated_states_and_widen_date_bounds(clients, records, world):
    """The network's filters go through activity.filter_reports: repeated states match any of
    them, with the other filters still applied; repeated date bounds keep the widest range."""
    own = ActivityReportFactory(engagement=records["engagements"][0], date=datetime.date(2011, 3, 1))
    other = ActivityReportFactory(engagement=records["engagements"][1], date=datetime.date(2011, 5, 1))
    client, url = clients["admin"], f"{API}/activity-reports/"
    assert ids(client.get(url, {"state": [world.state.pk, world.other_state.pk]})) == {own.pk, other.pk}
    assert ids(client.get(url, {"state": world.other_state.pk, "service_area": "human_capital"})) == {other.pk}
    dates = {"date_after": ["2011-04-01", "2011-02-01"], "date_before": ["2011-03-15", "2011-06-01"]}
    assert ids(client.get(url, dates)) == {own.pk, other.pk}


def test_repeated_values_of_a_method_filter_match_any_of_them(clients, records, world):
    first, second, third = (CommentFactory(school=school) for school in world.schools)
    client, url = clients["admin"], f"{API}/comments/"
    found = ids(client.get(url, {"subject": "school", "subject_id": [first.school_id, third.school_id]}))
    assert found == {first.pk, third.pk}
    assert ids(client.get(url, {"id": [first.pk, second.pk], "open": ["true", "false"]})) == set()


def test_a_list_filtered_by_its_fields_reads_their_names_once(clients, monkeypatch):
    """A view's ``filterset_fields`` parameter names are read once, not on every request (building
    its filterset's form for them cost each request ~1 ms); its filterset itself is made per request,
    its choices in the request's scope (tests/imports/test_api.py's browsable form)."""
    reads, read = [], web.filtering.filter_parameter_names
    monkeypatch.setattr(web.filtering, "filter_parameter_names", lambda filterset: reads.append(1) or read(filterset))
    for _ in range(3):
        response = clients["admin"].get("/api/v1/notification-preferences/", {"kind": "status_update_posted"})
        assert response.status_code == 200
    assert len(reads) <= 1
