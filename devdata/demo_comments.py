"""The demo's comment threads: on a Colorado school (a conversation, and a needs-action comment
waiting for the Lead Partner's staff), on its zone (a state-only note), on a status update and,
when the contracts demo made one, on the zone's annual review.

Rows are upserted by subject and body (``loader.upsert``), placed on their subject by
``comments.subjects.placement`` like the use case does; the demo sends no mail."""

from accounts.models import User
from comments.models import Comment
from comments.subjects import SUBJECTS, placement
from contracts.models import AnnualReview

V = Comment.Visibility


def load(loader) -> None:
    """Add the demo's comments to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import LEAD_PARTNER_OF_COLORADO, demo_email  # the demo module imports this one

    lead = User.objects.get(email=demo_email("lead.co"))
    viewer = User.objects.get(email=demo_email("viewer.co"))
    partner = User.objects.get(email=demo_email("partner"))
    zone, schools = next(
        (zone, schools)
        for zone, schools in loader.operating_zones
        if zone.lead_partner.name == LEAD_PARTNER_OF_COLORADO and zone.state.postal_code == "CO"
    )
    school = schools[0]

    def comment(subject, body, author, visibility, **values):
        place = placement(subject)
        field = SUBJECTS[place["subject"]].field
        lookup = {"subject": place.pop("subject"), field: place.pop(field), "body": body}
        return loader.upsert(Comment, lookup, author=author, visibility=visibility, **place, **values)

    opened = comment(
        school,
        "The spring attendance push worked: chronic absence is down to 14%. What changed at the front office?",
        lead,
        V.EVERYONE,
    )
    comment(
        school,
        "Two attendance clerks now call every absent family by 10 a.m.; we will share the script with the zone.",
        partner,
        V.EVERYONE,
        parent=opened,
    )
    comment(
        school,
        "Please send the revised staffing plan for the two open math positions before the March review.",
        lead,
        V.PARTNER_AND_STATE,
        needs_action=True,
        owner=partner,
    )
    comment(
        zone,
        "Budget office flags the zone's Title I carryover; raise it with the district before the renewal vote.",
        viewer,
        V.STATE_STAFF,
    )
    update = school.status_updates.order_by("-reported_on", "-pk").first()
    if update is not None:
        asked = comment(
            update,
            "The narrative mentions a schedule change: is extended learning time still 60 minutes?",
            lead,
            V.PARTNER_AND_STATE,
        )
        comment(
            update,
            "Yes, 60 minutes four days a week; Fridays are tutoring only.",
            partner,
            V.PARTNER_AND_STATE,
            parent=asked,
        )
    review = AnnualReview.objects.filter(contract__zone=zone).order_by("-school_year").first()
    if review is not None:
        comment(
            review,
            "The operational rating reflects two returned periods; the financial part is on track.",
            lead,
            V.PARTNER_AND_STATE if review.status == review.Status.ISSUED else V.STATE_STAFF,
        )
