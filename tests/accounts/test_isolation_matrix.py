"""The isolation matrix: every URL of the URLconf, requested as every role.

URLs are read from ``config.urls`` (resolvers walked recursively, so pages, DRF routers and
allauth are all included). Object kwargs follow the project convention: ``<model>_pk`` in pages,
``pk`` in DRF routes (the model is the viewset's queryset's). Each URL is requested with the
objects of tenant A (where every non-admin role belongs) and of tenant B, and:

- a role reads a URL whose objects it may read (scope_table.reads) -> 200, or 403 when the role
  may not change the object (a write page), or 405 (a POST-only endpoint); a member of tenant A
  requesting tenant B's objects -> 404 (or 405 from a POST-only endpoint, which answers so for
  any object); anonymous -> the login page (pages) or 401/403/405 (API, POST-only);
- no page shown to a role contains the marker text of a row it may not read;
- a POST that is not the role's to make (anonymous; another tenant's objects; a role without the
  change permission on the object; a read-only role on a URL without objects) leaves the database
  unchanged (row count and checksum of every project table, history tables included) and answers
  401/403/404/405 or the login redirect; on objects the role may read, or without objects, a page
  that ignores the POST (200, 302) or rejects its data (400) is tolerated, since nothing was written.

A URL the matrix cannot classify (an unnamed route, an unknown kwarg, a model without tenant rows
here) fails the test, so new URLs must be brought under the matrix.
"""

import contextlib
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.urls import URLResolver, get_resolver, reverse

from core.permissions import permission_name
from schools.models import School
from tests.project import rows_fingerprint, rows_written

from .conftest import ROLES
from .scope_table import DIRECTORY_MODELS, OWNED_MODELS, TENANT_MODELS, model_named, reads

# --- The allow-list: URLs the matrix does not request, each with where it is covered. ---
SKIPPED_NAMESPACES = {
    # Django admin: staff only; scoped querysets, 404s and the permission table are tested in
    # tests/accounts/test_admin.py (requesting every admin URL here would only re-test Django).
    "admin",
}
# allauth's pages act on the requester's own account (or are the public sign-in steps): the
# matrix only checks they answer every role without an error; their flows (login, MFA, password
# reset, closed sign-up, rate limit) are tested in tests/accounts/test_auth.py.
ACCOUNT_PAGES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_email",
    "account_email_verification_sent",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}
# Open to anonymous visitors: the invitation link is opened by someone who may not have an
# account yet (the token is the credential; tests/accounts/test_invitations.py).
PUBLIC_PAGES = {"accounts:accept_invitation"}
# Opened by calendar clients without a session: the key in the URL is the credential, and an
# unknown key (the matrix's) answers 404 to everyone, signed in or not
# (tests/network/test_calendar_feed.py requests valid, revoked and unknown keys).
KEY_PAGES = {"network:calendar_feed"}
# Any other path under /api/ is the API's JSON 404, to everyone and for every method
# (tests/api/test_problems.py, tests/api/test_slashless.py).
NOT_FOUND_PAGES = {"api-not-found"}
# Pages narrower than the read table, by design: URL name -> roles that get 404 although they
# read the object, and why.
NARROWER_PAGES = {
    "reports:state": (
        {"lead_partner_staff", "collaborator"},
        "a state report covers other zones and quotes narratives",
    ),
    "reports:zone": ({"collaborator"}, "a zone report quotes the Lead Partner's narratives"),
    "portfolio:zone_renewal": ({"collaborator"}, "a renewal dossier quotes the Lead Partner's ratings"),
}
# POSTs a reader (a role without the change permission) may make, with the reason.
READER_POSTS = {
    "tokens:revoke": "anyone revokes their own API token",
    "notifications:read": "anyone marks their own notification read",
    "notifications:read_all": "anyone marks their own notifications read",
    "api:notification-read": "anyone marks their own notification read",
    "api:notification-read-all": "anyone marks their own notifications read",
    "network:calendar": "anyone creates a calendar feed of their own",
    "network:calendar_revoke": "anyone revokes their own calendar feed",
    "webhooks:toggle": "anyone disables or enables their own webhook",
    "webhooks:rotate": "anyone replaces their own webhook's secret",
    "webhooks:delete": "anyone deletes their own webhook (once they confirm it)",
    "webhooks:redeliver": "anyone redelivers their own webhook's messages",
    "api:webhooksubscription-rotate-secret": "anyone replaces their own webhook's secret",
    "api:webhookdelivery-redeliver": "anyone redelivers their own webhook's messages",
}
# POSTs decided by a permission other than the object's change permission: URL name -> the action
# asked (``<app>.<action>_<model>``), e.g. a state lead decides a proposal only admins may edit.
ACTION_PERMISSIONS = {
    "api:changeproposal-approve": "decide",
    "api:changeproposal-reject": "decide",
    "api:annualreview-respond": "respond",
    "contracts:review_respond": "respond",
    "api:comment-resolve": "resolve",
    "api:actionitem-close": "close",
    "network:action_item_close": "close",
}
# Documented redirects: URL name -> the path prefixes a GET may redirect to.
DOCUMENTED_REDIRECTS = {
    "portfolio:home": ("/portfolio/", "/states/", "/workspace/"),  # each role's landing page
}
# 405 answers before the object is looked up, alike for every object: it reveals nothing.
REFUSED = {401, 403, 404, 405}
# Values for kwargs that do not identify an object.
PLAIN_KWARGS = {
    "format": "json",  # DRF format-suffix routes
    "key": "not-a-key",  # allauth email-confirmation / password-reset keys
    "uidb36": "0",
    "kind": "budgets",  # an import kind's template file (the same for everyone)
    "feed_key": "not-a-feed-key",  # a calendar feed's secret key (KEY_PAGES)
}
READ_ONLY_ROLES = {"state_viewer", "commissioner", "collaborator"}
ERROR = "\n  - "


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple
    view: object

    @property
    def namespace(self):
        return self.name.rpartition(":")[0]


def endpoints(patterns=None, route="", namespace="", kwargs=()):
    """Every URL pattern of the URLconf with its full route, namespaced name and kwargs."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        groups = kwargs + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from endpoints(pattern.url_patterns, route + str(pattern.pattern), inner, groups)
        else:
            yield Endpoint(f"{namespace}{pattern.name or ''}", route + str(pattern.pattern), groups, pattern.callback)


def viewset_model(view):
    """The model of a DRF viewset (its queryset's, else its serializer's) or of a Django class view."""
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer_meta = getattr(getattr(view_class, "serializer_class", None), "Meta", None)
    return getattr(serializer_meta, "model", None) or getattr(view_class, "model", None)


def kwarg_model(endpoint, kwarg):
    """The model a kwarg identifies, or None for a plain value; AssertionError if unknown."""
    if kwarg in PLAIN_KWARGS or (endpoint.name == "accounts:accept_invitation" and kwarg == "token"):
        return None
    if kwarg.endswith("_pk"):
        model = model_named(kwarg.removesuffix("_pk"))
    elif kwarg == "pk":
        model = viewset_model(endpoint.view)
    else:
        model = None
    assert model is not None, f"{endpoint.route} ({endpoint.name}): cannot tell which model kwarg {kwarg!r} names"
    name = model._meta.model_name
    assert name in TENANT_MODELS or name in DIRECTORY_MODELS or name in OWNED_MODELS, (
        f"{endpoint.route}: no row of model {name!r} per tenant in the matrix; add it to scope_table and the world"
    )
    return model


@dataclass
class Request:
    url: str
    objects: list  # (model name, object) for each object kwarg
    tenant_key: str | None  # "a", "b", or None without objects

    @property
    def primary(self):
        """The object the URL is about: the last (most specific) object kwarg."""
        return self.objects[-1][1] if self.objects else None


def row_for(world, role, tenant_key, name):
    if name in OWNED_MODELS and tenant_key == "a":
        own = world.own_rows[name]
        return own.get(role, own["state_lead"])
    tenant = world.a if tenant_key == "a" else world.b
    return getattr(tenant, TENANT_MODELS.get(name) or DIRECTORY_MODELS.get(name) or OWNED_MODELS[name])


def requests_for(endpoint, world, role):
    """The endpoint with tenant A's objects and with tenant B's (one request without objects)."""
    models = {kwarg: kwarg_model(endpoint, kwarg) for kwarg in endpoint.kwargs}
    if not any(models.values()):
        values = {kwarg: world.invitation_token if kwarg == "token" else PLAIN_KWARGS[kwarg] for kwarg in models}
        return [Request(reverse(endpoint.name, kwargs=values), [], None)]
    found = []
    for key in ("a", "b"):
        values, objects = {}, []
        for kwarg, model in models.items():
            if model is None:
                values[kwarg] = PLAIN_KWARGS[kwarg]
                continue
            name = model._meta.model_name
            row = row_for(world, role, key, name)
            values[kwarg] = row.pk
            objects.append((name, row))
        found.append(Request(reverse(endpoint.name, kwargs=values), objects, key))
    return found


def project_models():
    """Every model of the project's own apps (history tables included)."""
    base = str(settings.BASE_DIR)
    return sorted(
        (
            model
            for config in apps.get_app_configs()
            if config.path.startswith(base) and ".venv" not in config.path
            for model in config.get_models()
        ),
        key=lambda model: model._meta.label,
    )


class DatabaseFingerprint:
    """Row count and checksum of every project table, taken before and after each of hundreds of
    forbidden POSTs. On PostgreSQL it is taken again only once this transaction wrote rows
    (``rows_written``); elsewhere after every POST, and the one taken after a forbidden POST serves
    as the next one's before until an allowed POST (``may_have_changed``)."""

    def __init__(self):
        self.models = project_models()
        self.fingerprint, self.written = None, None

    def written_since(self) -> bool:
        return self.fingerprint is None or rows_written(self.models) != self.written

    def take(self) -> dict:
        self.written = rows_written(self.models)
        self.fingerprint = rows_fingerprint(self.models)
        return self.fingerprint

    def before(self) -> dict:
        return self.take() if self.written_since() else self.fingerprint

    def after(self) -> dict:
        return self.take() if self.written is None or self.written_since() else self.fingerprint

    def may_have_changed(self):
        if self.written is None:
            self.fingerprint = None


def forbidden_markers(role, world):
    """Text that must not appear in any page shown to ``role``: the rows it may not read."""
    if role == "initiative_admin":
        return []
    markers = [world.b.marker]
    hidden_of_a = {name for name in TENANT_MODELS if not reads(role, name, "a")}
    markers += [text for name, text in marker_texts(world.a).items() if name in hidden_of_a]
    # comments: the narrower levels of tenant A's comment (comments.Comment.TenantScope)
    if role in ("lead_partner_staff", "collaborator"):
        markers.append(world.a.state_only_comment.body)
    if role == "collaborator":
        markers.append(world.a.partner_comment.body)
    return markers


def marker_texts(tenant):
    """The marked text of the rows that carry one besides their names (see conftest)."""
    return {
        "collaboratorengagement": tenant.engagement.description,
        "commitment": tenant.commitment.description,
        "expenditure": tenant.expenditure.description,
        "statusupdate": tenant.status_update.narrative,
        "activityreport": tenant.activity_report.outcome,
        "meeting": tenant.meeting.minutes,
        "meetingdocument": tenant.meeting_document.title,
        "actionitem": tenant.action_item.title,
    }


def form_data(obj):
    """The object's own values as form data: a POST a careless view would happily save."""
    if obj is None:
        return {}
    data = {}
    for field, value in model_to_dict(obj).items():
        if value is None or isinstance(value, FieldFile):
            continue
        data[field] = [getattr(item, "pk", item) for item in value] if isinstance(value, list) else value
    return data


def may_change(user, obj, endpoint_name=""):
    action = ACTION_PERMISSIONS.get(endpoint_name, "change")
    return user.has_perm(permission_name(type(obj), action), obj)


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


class Matrix:
    """Requests every endpoint as one role and collects what went wrong."""

    def __init__(self, client, world, role):
        self.client, self.world, self.role = client, world, role
        self.user = world.users.get(role)
        self.failures = []
        self.markers = forbidden_markers(role, world) if self.user else []
        self.fingerprint = DatabaseFingerprint()
        client.raise_request_exception = False  # a server error is one failure among the others
        if self.user:
            client.force_login(self.user)

    def fail(self, request, method, response, expected):
        self.failures.append(f"{method} {request.url} as {self.role}: got {response.status_code}, expected {expected}")

    def readable(self, request):
        return all(reads(self.role, name, request.tenant_key) for name, _ in request.objects)

    def check(self, endpoint, request):
        response = self.client.get(request.url)
        if response.status_code >= 500:
            self.fail(request, "GET", response, "no server error")
        elif endpoint.name in ACCOUNT_PAGES:
            return  # own-account pages: no error is all the matrix asks
        elif endpoint.name in KEY_PAGES:
            if response.status_code != 404:
                self.fail(request, "GET", response, "404 (an unknown key)")
        elif endpoint.name in NOT_FOUND_PAGES:
            if response.status_code != 404:
                self.fail(request, "GET", response, "404 (no such API route)")
        elif self.user is None:
            self.check_anonymous_get(endpoint, request, response)
        else:
            self.check_member_get(endpoint, request, response)
        self.check_post(endpoint, request)

    def check_anonymous_get(self, endpoint, request, response):
        if endpoint.name in PUBLIC_PAGES:
            return
        if not (is_login_redirect(response) or response.status_code in REFUSED - {404}):
            self.fail(request, "GET", response, "the login page, 401, 403 or 405")

    def check_member_get(self, endpoint, request, response):
        status = response.status_code
        if not self.readable(request):
            if status not in (404, 405):
                self.fail(request, "GET", response, "404 (another tenant's object)")
            return
        if self.role in NARROWER_PAGES.get(endpoint.name, ((),))[0]:
            if status != 404:
                self.fail(request, "GET", response, "404 (narrower than the read table)")
            return
        allowed = {200, 405}
        if self.role != "initiative_admin" and (
            request.primary is None or not may_change(self.user, request.primary, endpoint.name)
        ):
            allowed.add(403)
        redirect_to = DOCUMENTED_REDIRECTS.get(endpoint.name)
        if status == 302 and redirect_to and response["Location"].startswith(redirect_to):
            return
        if status not in allowed:
            self.fail(request, "GET", response, " or ".join(map(str, sorted(allowed))))
        elif status == 200:
            content = b"".join(response.streaming_content) if response.streaming else response.content
            body = content.decode(errors="replace")
            leaked = [marker for marker in self.markers if marker in body]
            if leaked:
                self.failures.append(f"GET {request.url} as {self.role}: shows rows out of scope: {leaked}")

    def forbidden_post(self, endpoint, request):
        if endpoint.name in PUBLIC_PAGES or endpoint.name in ACCOUNT_PAGES:
            return False
        if self.user is None or not self.readable(request):
            return True
        if endpoint.name in READER_POSTS:
            return False
        if self.role == "initiative_admin":
            return False
        if request.primary is None:
            return self.role in READ_ONLY_ROLES
        return not may_change(self.user, request.primary, endpoint.name)

    def check_post(self, endpoint, request):
        if endpoint.name in ACCOUNT_PAGES:
            return  # allauth's POSTs change the requester's own account (log out, add an email...)
        forbidden = self.forbidden_post(endpoint, request)
        before = self.fingerprint.before() if forbidden else None
        if request.url.startswith("/api/"):  # the API reads JSON bodies only (a form would be a 415)
            data = json.dumps(form_data(request.primary), cls=DjangoJSONEncoder)
            response = self.client.post(request.url, data, content_type="application/json")
        else:
            response = self.client.post(request.url, form_data(request.primary))
        if response.status_code >= 500:
            self.fail(request, "POST", response, "no server error")
        if not forbidden:
            self.fingerprint.may_have_changed()
            return
        after = self.fingerprint.after()
        changed = [label for label, rows in after.items() if before.get(label) != rows]
        if changed:
            self.failures.append(f"POST {request.url} as {self.role} changed the database: {changed}")
        status = response.status_code
        if status >= 500 or status in REFUSED or (self.user is None and is_login_redirect(response)):
            return  # a server error is reported above
        if self.user is not None and self.readable(request) and status in (200, 302, 400):
            return  # ignored or rejected, and nothing was written (checked above)
        self.fail(request, "POST", response, "401, 403, 404 or 405")


def check_every_url(client, world, role):
    """Request every URL as ``role`` (``world.users[role]``) and fail on any isolation failure."""
    matrix = Matrix(client, world, role)
    checked = 0
    for endpoint in endpoints():
        if endpoint.namespace.split(":")[0] in SKIPPED_NAMESPACES:
            continue
        assert endpoint.name and not endpoint.name.endswith(":"), f"{endpoint.route}: unnamed URL, name it"
        for request in requests_for(endpoint, world, role):
            matrix.check(endpoint, request)
            checked += 1
    assert not matrix.failures, f"{len(matrix.failures)} isolation failures:{ERROR}" + ERROR.join(matrix.failures)
    assert checked > len(ACCOUNT_PAGES)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_url_as_every_role(client, world, role):
    check_every_url(client, world, role)


def test_the_matrix_reaches_every_url_name():
    """Every named URL outside the allow-list is requested (guards the walk itself)."""
    names = {endpoint.name for endpoint in endpoints()}
    assert {"portfolio:home", "accounts:invitation_list", "portfolio:state_history", "account_login"} <= names
    assert names >= ACCOUNT_PAGES, ACCOUNT_PAGES - names


def run_matrix(client, world, role):
    matrix = Matrix(client, world, role)
    for endpoint in endpoints():
        if endpoint.name in {"leaky_school", "careless_school"}:
            for request in requests_for(endpoint, world, role):
                matrix.check(endpoint, request)
    return matrix.failures


@pytest.mark.urls("tests.accounts.leaky_urls")
def test_the_matrix_catches_a_view_that_forgets_the_scope_or_the_permission(client, world):
    school_a, school_b = world.a.school.pk, world.b.school.pk
    failures = run_matrix(client, world, "state_viewer")
    assert f"GET /leaky/{school_b}/ as state_viewer: got 200, expected 404 (another tenant's object)" in failures
    assert any(f"POST /careless/{school_a}/ as state_viewer changed the database" in failure for failure in failures)


def test_the_matrix_refuses_a_url_it_cannot_classify(world):
    endpoint = Endpoint("colors", "colors/<slug:color>/", ("color",), view=None)
    with pytest.raises(AssertionError, match="cannot tell which model kwarg 'color' names"):
        requests_for(endpoint, world, "state_viewer")


def test_the_fingerprint_is_taken_again_once_rows_are_written(world):
    """A row written, even in a savepoint rolled back since, makes the next fingerprint a fresh one."""
    fingerprint = DatabaseFingerprint()
    before = fingerprint.before()
    assert fingerprint.after() == before
    School.objects.filter(pk=world.a.school.pk).update(name="Renamed")
    renamed = fingerprint.after()
    assert renamed != before
    counted = fingerprint.written
    with contextlib.suppress(RuntimeError), transaction.atomic():
        School.objects.filter(pk=world.a.school.pk).update(name="Renamed again")
        raise RuntimeError("rolled back")
    assert fingerprint.before() == renamed
    if counted is not None:  # PostgreSQL counted the rolled-back write
        assert fingerprint.written == counted + 1
