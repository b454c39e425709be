"""The demo's proposed changes: in Colorado, a Lead Partner's pending proposal to mark a school as
exited from improvement status, and an approved one from the zone's launch (recorded as decided:
the school already holds the approved status)."""

import datetime

from accounts.models import User
from proposals.models import ChangeProposal
from schools.models import School

DECIDED_AT = datetime.datetime(2010, 8, 20, 15, 0, tzinfo=datetime.UTC)


def load(loader) -> None:
    """Add the demo's proposals to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import demo_email  # devdata.demo imports this module

    zone, schools = next((zone, schools) for zone, schools in loader.operating_zones if zone.state.postal_code == "CO")
    partner = loader.partner_staff[zone.lead_partner.name]
    lead = User.objects.get(email=demo_email("lead.co"))
    Status = School.TurnaroundStatus
    loader.upsert(
        ChangeProposal,
        {"kind": ChangeProposal.Kind.SCHOOL_STATUS, "school": schools[0], "proposed_by": partner},
        state=zone.state,
        zone=zone,
        before={"turnaround_status": Status.IMPLEMENTING},
        after={"turnaround_status": Status.EXITED},
        reason="Two years above the exit targets in reading and math; the exit review is in the spring submission.",
    )
    loader.upsert(
        ChangeProposal,
        {"kind": ChangeProposal.Kind.SCHOOL_STATUS, "school": schools[1], "status": ChangeProposal.Status.APPROVED},
        state=zone.state,
        zone=zone,
        proposed_by=partner,
        before={"turnaround_status": Status.PLANNING},
        after={"turnaround_status": Status.IMPLEMENTING},
        reason="The turnaround plan was adopted by the board and staffing is complete.",
        decided_by=lead,
        decided_at=DECIDED_AT,
        decision_note="Plan reviewed at the August check-in.",
    )
