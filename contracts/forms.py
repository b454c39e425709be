"""The contract and review forms. The rules are the models' (``clean``) and the use cases'
(contracts.services); a form only shapes the input and bounds the uploaded document."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from accountability.models import Metric
from web.forms import DomainForm, DomainModelForm

from .choices import ReviewPart
from .models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract, ReviewEvidence

DOCUMENT_MAX_BYTES = 5 * 1024 * 1024  # a signed contract, scanned (the site takes uploads up to 5 MB)
PDF_MAGIC = b"%PDF-"


def validate_signed_document(document) -> None:
    """A PDF (by name and content) of at most ``DOCUMENT_MAX_BYTES``."""
    if document.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(f"The signed document is larger than {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB.")
    start = document.read(len(PDF_MAGIC))
    document.seek(0)
    if not document.name.lower().endswith(".pdf") or start != PDF_MAGIC:
        raise ValidationError("Upload the signed document as a PDF.")


class ContractForm(DomainModelForm):
    parent_fields = ("zone",)
    fieldsets = (
        ("Term", ("lead_partner", "starts_on", "ends_on", "signed_on")),
        ("Conditions", ("renewal_conditions", "termination_conditions")),
        ("Signed document", ("document",)),
    )

    class Meta:
        model = PerformanceContract
        fields = [
            "lead_partner",
            "starts_on",
            "ends_on",
            "signed_on",
            "renewal_conditions",
            "termination_conditions",
            "document",
        ]
        help_texts = {
            "ends_on": "A term runs one to six years (typically three to five).",
            "document": f"A PDF of at most {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A plain file input: a private file has no URL to show (the contract page downloads it).
        self.fields["document"].widget = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
        if self.instance.document:
            name = PurePath(self.instance.document.name).name
            self.fields["document"].help_text += f" On file: {name}; choose a file only to replace it."
        if self.instance.pk is None and self.instance.zone_id and not self.initial.get("lead_partner"):
            self.initial["lead_partner"] = self.instance.zone.lead_partner_id

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload (not the stored file)
            validate_signed_document(document)
        return document


class DeliverableForm(DomainModelForm):
    parent_fields = ("contract",)

    class Meta:
        model = ContractDeliverable
        fields = ["title", "description", "due_on", "delivered_on", "evidence_url"]


class TargetForm(DomainModelForm):
    parent_fields = ("contract",)

    class Meta:
        model = ContractTarget
        fields = ["metric", "level", "school_year"]
        labels = {"metric": "Indicator"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = self.instance.contract.zone.state_id
        self.fields["metric"].queryset = Metric.objects.for_state(state).order_by("kind", "name")


class StartReviewForm(DomainModelForm):
    parent_fields = ("contract",)

    class Meta:
        model = AnnualReview
        fields = ["school_year"]


class ReviewForm(DomainModelForm):
    """A review's rating and narrative per part; the labels are stable ("Academic rating")."""

    fieldsets = tuple((part.label, (f"{part.value}_rating", f"{part.value}_narrative")) for part in ReviewPart)

    class Meta:
        model = AnnualReview
        fields = [name for part in ReviewPart for name in (f"{part.value}_rating", f"{part.value}_narrative")]
        labels = {
            name: f"{part.label} {kind}"
            for part in ReviewPart
            for kind, name in (("rating", f"{part.value}_rating"), ("narrative", f"{part.value}_narrative"))
        }


class EvidenceForm(DomainModelForm):
    parent_fields = ("review",)

    class Meta:
        model = ReviewEvidence
        fields = ["part", "title", "url"]
        labels = {"title": "Evidence title", "url": "Evidence link"}


class ResponseForm(DomainForm):
    response = forms.CharField(label="Response", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)


class TerminationForm(DomainForm):
    reason = forms.CharField(label="Reason for termination", widget=forms.Textarea(attrs={"rows": 3}))
