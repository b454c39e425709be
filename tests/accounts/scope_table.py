"""What each role may read, written out by hand (the specification the code is tested against).

Non-admin test users hold their role over tenant A (its state, its zone's Lead Partner, its
engaged collaborator); nobody but the initiative admin reads anything of tenant B."""

from django.apps import apps


def model_named(name: str):
    """The installed model of that (lowercase) name, or None."""
    return next((model for model in apps.get_models() if model._meta.model_name == name), None)


TENANT_MODELS = {
    # model name -> attribute of tests.accounts.conftest.Tenant holding a row of that model
    "state": "state",
    "district": "district",
    "zone": "zone",
    "school": "school",
    "collaboratorengagement": "engagement",
    "commitment": "commitment",
    "expenditure": "expenditure",
    "award": "award",
    "awardamendment": "award_amendment",
    "matchrule": "match_rule",  # the state's own
    "budget": "budget",
    "recurringcost": "recurring_cost",
    "baseline": "baseline",
    "target": "target",
    "measurement": "measurement",
    "statusupdate": "status_update",
    "reportrun": "report_run",  # a zone progress report of the tenant's zone
    "importbatch": "import_batch",  # an import by the tenant's zone's Lead Partner
    "reportingperiod": "reporting_period",
    "periodsubmission": "period_submission",
    "renewaldecision": "renewal_decision",
    "exitcriterion": "exit_criterion",
    "reminderdigest": "reminder_digest",  # written by the reminder task; read by the state's staff
    "performancecontract": "contract",
    "contractdeliverable": "deliverable",
    "contracttarget": "contract_target",
    "annualreview": "annual_review",  # issued (a draft is hidden from the Lead Partner: tests/contracts)
    "reviewevidence": "review_evidence",
    "autonomyterm": "autonomy_term",
    "autonomycheckin": "autonomy_check_in",
    "autonomytermchange": "autonomy_term_change",
    "changeproposal": "change_proposal",
    "comment": "comment",  # visible to everyone; the narrower levels: tests/comments
    "activityreport": "activity_report",
    "meeting": "meeting",  # a state meeting, no zone: not the Lead Partner's
    "meetingdocument": "meeting_document",
    "actionitem": "action_item",  # owned by tenant A's state lead
    "tombstone": "tombstone",  # a deleted status update of the tenant's school: read as the status update was
    "schoolmetricprogress": "metric_progress",  # the progress read model (accountability.progress)
    "schoolprogress": "school_progress",  # it carries the latest rating: not the collaborator's
    "invitation": "invitation",  # pending, to the state: only who manages the state's invitations sees it
}
DIRECTORY_MODELS = {
    # readable by every member; each tenant still has its own row to request
    "leadpartner": "lead_partner",
    "nationalcollaborator": "collaborator",
    "funder": "funder",
    "metric": "metric",
}
OWNED_MODELS = {
    # a user's own rows, whatever their role: tenant A's row is the requester's own, tenant B's
    # another user's (see test_isolation_matrix.requests_for)
    "apitoken": "api_token",
    "notification": "notification",
    "calendarfeed": "calendar_feed",
    "preference": "preference",
    "watch": "watch",
    "webhooksubscription": "webhook_subscription",
    "webhookdelivery": "webhook_delivery",
}

ALL = frozenset(TENANT_MODELS)
READS_OF_TENANT_A = {
    "state_lead": ALL,
    "state_viewer": ALL - {"invitation"},
    "commissioner": ALL - {"invitation"},
    # the zones its Lead Partner leads, their schools and results; no state funding or engagements
    "lead_partner_staff": frozenset(
        {"state", "district", "zone", "school", "baseline", "target", "measurement", "statusupdate"}
        | {"reportrun", "importbatch", "reportingperiod", "periodsubmission", "renewaldecision", "exitcriterion"}
        # its own contracts and issued reviews, its zones' autonomy ledger, proposals and comments
        | {"performancecontract", "contractdeliverable", "contracttarget", "annualreview", "reviewevidence"}
        | {"autonomyterm", "autonomycheckin", "autonomytermchange", "changeproposal", "comment"}
        | {"tombstone", "schoolmetricprogress", "schoolprogress"}
    ),
    # aggregates of the states it is engaged in, without the schools' narratives (which progress
    # reports quote) or the Lead Partners' imports
    # (nor the Lead Partner's contracts, reviews and check-ins)
    "collaborator": ALL
    - {"statusupdate", "tombstone", "schoolprogress", "reportrun", "importbatch", "reminderdigest"}
    - {"performancecontract", "contractdeliverable", "contracttarget", "annualreview", "reviewevidence"}
    - {"autonomycheckin", "invitation"},
}


def reads(role: str, model_name: str, tenant_key: str) -> bool:
    """Whether ``role`` may read tenant ``tenant_key``'s ("a" or "b") row of ``model_name``."""
    if model_name in OWNED_MODELS:
        return tenant_key == "a"
    if role == "initiative_admin" or model_name in DIRECTORY_MODELS:
        return True
    return tenant_key == "a" and model_name in READS_OF_TENANT_A[role]
