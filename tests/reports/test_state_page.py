"""The state page is where a commissioner asks for the brief and then downloads the PDF."""

from django.urls import reverse

from reports.models import ReportRun


def brief_form_shown(response) -> bool:
    return 'name="kind" value="commissioner_brief"' in response.content.decode()


def test_commissioner_requests_the_brief_from_the_state_page_and_downloads_it(
    client, people, colorado, django_capture_on_commit_callbacks
):
    client.force_login(people["commissioner"])
    state_page = client.get(reverse("portfolio:state_detail", kwargs={"state_pk": colorado.state.pk}))
    assert state_page.status_code == 200 and brief_form_shown(state_page)

    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post(reverse("reports:request"), {"kind": "commissioner_brief", "state": colorado.state.pk})
    run = ReportRun.objects.get(kind=ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state)
    assert requested.status_code == 302 and run.status == ReportRun.Status.DONE

    download = client.get(reverse("reports:run_download", kwargs={"reportrun_pk": run.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_lead_partner_staff_see_no_state_report_buttons(client, people, colorado):
    client.force_login(people["aurora_partner"])
    state_page = client.get(reverse("portfolio:state_detail", kwargs={"state_pk": colorado.state.pk}))
    assert state_page.status_code == 200 and not brief_form_shown(state_page)
