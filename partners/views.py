"""The directory's Lead Partners and national collaborators (initiative admins): list, add, edit,
delete where nothing depends."""

from web.pages import DirectoryPages
from web.tables import Column, Table

from .forms import LeadPartnerForm, NationalCollaboratorForm
from .models import LeadPartner, NationalCollaborator

LEAD_PARTNER_PAGES = DirectoryPages(
    namespace="partners",
    name="lead_partner",
    segment="lead-partners",
    model=LeadPartner,
    form=LeadPartnerForm,
    table=Table(
        "lead-partners",
        (
            Column.of("Lead Partner", "name"),
            Column.of("Kind", "get_kind_display"),
            Column.of("District", "district.name"),
            Column.of("Contact", "contact_name"),
            Column.of("Email", "contact_email"),
        ),
    ),
    title="Lead Partners",
    lede="The organizations and district autonomous units that run zones. A Lead Partner that zones, contracts "
    "or memberships name cannot be deleted.",
    objects=lambda: LeadPartner.objects.select_related("district"),
)

COLLABORATOR_PAGES = DirectoryPages(
    namespace="partners",
    name="collaborator",
    segment="collaborators",
    model=NationalCollaborator,
    form=NationalCollaboratorForm,
    table=Table(
        "collaborators",
        (Column.of("Collaborator", "name"), Column.of("Website", "website"), Column.of("Email", "contact_email")),
    ),
    title="National collaborators",
    lede="The organizations that help states (engagements on the state pages). A collaborator that engagements "
    "or memberships name cannot be deleted.",
)
