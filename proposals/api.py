"""The ``change-proposals`` API: read a state's proposals (with their before and after in words),
propose (POST), and ``approve``, ``reject``, ``withdraw`` actions; the use cases are
proposals.services. Not pending: 409; a stale ``If-Match``: 412 (problem JSON, web.rest)."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import ANYWHERE
from web.conditional import if_match_version
from web.rest import ScopedReadOnlyViewSet, refused_as_api_error
from web.sync import ChangeStampsMixin

from . import services
from .choices import ProposalKind
from .display import shown_changes
from .models import ChangeProposal


class ShownChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class ChangeProposalSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    changes = serializers.SerializerMethodField(help_text="Each changed field with its values in words.")

    class Meta:
        model = ChangeProposal
        fields = [
            "id",
            "version",
            "state",
            "zone",
            "kind",
            "school",
            "measurement",
            "commitment",
            "before",
            "after",
            "changes",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    @extend_schema(responses=ShownChangeSerializer(many=True))
    def get_changes(self, proposal) -> list:
        return ShownChangeSerializer(shown_changes(proposal), many=True).data


class ProposeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProposalKind.choices)
    target = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the school, measurement or commitment to change."
    )
    after = serializers.DictField(help_text='The proposed values, e.g. {"turnaround_status": "exited"}.')
    reason = serializers.CharField(help_text="Why the change is needed.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeProposalViewSet(ScopedReadOnlyViewSet):
    """Proposed changes a Lead Partner or collaborator may not make directly. Propose: state lead,
    Lead Partner staff of the zone, collaborator engaged in the state (a proposal the proposer
    could make directly is refused); approve or reject: the state lead; withdraw: the proposer."""

    queryset = ChangeProposal.objects.select_related("measurement__metric", "commitment", "school")
    serializer_class = ChangeProposalSerializer
    ordering_fields = ["id", "proposed_at", "status"]
    ordering = ["-proposed_at", "-id"]

    @extend_schema(request=ProposeSerializer, responses={201: ChangeProposalSerializer})
    def create(self, request):
        if not request.user.has_perm("proposals.add_changeproposal", ANYWHERE):  # authorization before validation
            raise exceptions.PermissionDenied("You may not propose changes.")
        given = ProposeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        model = services.TARGET_MODELS[ProposalKind(data["kind"])]
        target = model.objects.filter(pk=data["target"]).first()
        if target is None:
            raise exceptions.ValidationError({"target": [f"No such {model._meta.verbose_name}."]})
        with refused_as_api_error():
            proposal = services.propose(data["kind"], target, data["after"], reason=data["reason"], by=request.user)
        return self._answer(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses={200: ChangeProposalSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        proposal = self.get_object()
        with refused_as_api_error():
            decided = services.approve(proposal, by=request.user, note=self._note(), version=if_match_version(request))
        return self._answer(decided)

    @extend_schema(request=NoteSerializer, responses={200: ChangeProposalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        proposal = self.get_object()
        with refused_as_api_error():
            decided = services.reject(proposal, by=request.user, note=self._note(), version=if_match_version(request))
        return self._answer(decided)

    @extend_schema(request=None, responses={200: ChangeProposalSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        with refused_as_api_error():
            withdrawn = services.withdraw(proposal, by=request.user, version=if_match_version(request))
        return self._answer(withdrawn)

    def _note(self) -> str:
        given = NoteSerializer(data=self.request.data if hasattr(self.request.data, "get") else {})
        given.is_valid(raise_exception=True)
        return given.validated_data["note"]

    def _answer(self, proposal, code=status.HTTP_200_OK) -> Response:
        proposal = self.get_queryset().get(pk=proposal.pk)
        self.etag_object = proposal
        return Response(self.get_serializer(proposal).data, status=code)
