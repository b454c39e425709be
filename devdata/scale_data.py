"""A synthetic national data set for benchmarks: every state of the country runs zones.

``ScaleDataGenerator(states=50, zones_per_state=40, schools_per_zone=5, years=5, seed=N)``
builds, in its own initiative ("Zone Portfolio national scale data"):

- states named "Scale State NN" with fictional postal codes (QA, QB, ... XA, ...: no real
  state's) and FIPS codes that the demo states (CO 08, DE 10, IL 17, LA 22, MA 25, NY 36) do
  not use, so it lives beside ``seed_demo`` data without a clash; NCES ids carry those codes;
- per state, districts and launched or extended zones of ``schools_per_zone`` (3-5) schools in
  one or two districts of the state; half the zones are led by a few national Lead Partners,
  the rest by local partners that lead two zones each (so scopes of very different sizes exist);
  ``partner_schools=N`` makes National Partner 1 lead N schools at any size (the benchmarks'
  workspace of 1,000 schools);
- ten metrics, a baseline (the year before launch) and a target (within two years of launch)
  per school and metric that measures one of its grades (graduation rate: grade 12), and
  measurements in 4 periods of ``years`` school years from 2010-11;
- national funders and each state's own state funds; state- and zone-level commitments (public
  and private, at every stage) and expenditures in every category, collaborator engagements,
  and two status updates per school and year.

It is deterministic for a seed (every value comes from one ``random.Random(seed)`` drawn in a
fixed order; auto-set timestamps aside) and valid: values satisfy every model's ``clean()``,
although rows are written with ``bulk_create`` (or PostgreSQL ``COPY`` for the large tables)
without calling ``full_clean`` per row. Bulk writes skip django-simple-history: synthetic rows
have no audit trail, which is fine for benchmark data.
"""

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.utils.text import slugify

from accountability import progress
from accountability.models import (
    Baseline,
    Measurement,
    Metric,
    SchoolMetricProgress,
    SchoolProgress,
    StatusUpdate,
    Target,
)
from accounts.models import ApiToken, Invitation, Membership, Role, User
from autonomy.choices import LegalSource, Power, TermStatus
from autonomy.models import AutonomyTerm, AutonomyTermChange
from core.validators import school_year_from_start
from funding.models import Commitment, Expenditure, Funder
from partners.models import CollaboratorEngagement, LeadPartner, NationalCollaborator, ServiceArea
from schools.models import School
from zones.models import ZONE_MAX_SCHOOLS, ZONE_MIN_SCHOOLS, CriterionRating, District, Initiative, State, Zone

INITIATIVE_NAME = "Zone Portfolio national scale data"
PREFIX = "Scale"
STAFF_DOMAIN = "partners.scale.invalid"
DEMO_FIPS_CODES = {"08", "10", "17", "22", "25", "36"}
# Two-letter codes no US state or territory uses, so synthetic states never look real.
POSTAL_FIRST_LETTERS = "QXZJBE"
FIPS_CODES = [f"{n:02d}" for n in range(99, 0, -1) if f"{n:02d}" not in DEMO_FIPS_CODES]
MAX_STATES = len(FIPS_CODES)
FIRST_SCHOOL_YEAR = 2010
NATIONAL_PARTNERS = 5
ZONES_PER_LOCAL_PARTNER = 2
BATCH_SIZE = 5000
STATUS_UPDATE_DAYS = ((11, 1), (4, 1))  # (month, day) of the two updates in each school year

# (code, name, unit, direction, max value, baseline range, gain range of the two-year target)
METRICS = [
    ("ela-proficiency", "ELA proficiency", "percent", "higher", 100, (15, 40), (8, 16)),
    ("math-proficiency", "Math proficiency", "percent", "higher", 100, (12, 36), (8, 16)),
    ("science-proficiency", "Science proficiency", "percent", "higher", 100, (10, 35), (6, 12)),
    ("attendance-rate", "Attendance rate", "percent", "higher", 100, (82, 90), (3, 6)),
    ("chronic-absenteeism", "Chronic absenteeism", "percent", "lower", 100, (22, 40), (6, 12)),
    ("graduation-rate", "Graduation rate", "percent", "higher", 100, (45, 65), (8, 12)),
    ("suspensions-per-100", "Suspensions per 100 students", "per_100", "lower", None, (12, 32), (5, 10)),
    ("teacher-retention", "Teacher retention", "percent", "higher", 100, (60, 78), (6, 12)),
    ("on-time-promotion", "On-time promotion", "percent", "higher", 100, (70, 85), (4, 8)),
    ("ela-scale-score", "ELA mean scale score", "scale_score", "higher", 800, (380, 450), (20, 40)),
]
# The grades a metric measures, where not every grade: (lowest, highest).
METRIC_GRADES = {
    "ela-proficiency": ("3", "12"),
    "math-proficiency": ("3", "12"),
    "science-proficiency": ("3", "12"),
    "graduation-rate": ("12", "12"),
    "ela-scale-score": ("3", "12"),
}
ALL_GRADES = ("PK", "12")
# How far along its needed gain a school gets by its target year.
TRAJECTORIES = ((1.15, 1.4), (0.6, 0.85), (0.05, 0.35))
# National funders; each state also has its own "<state> state funds", committed there only.
FUNDERS = [
    ("Scale Federal School Improvement Grants", Funder.Kind.FEDERAL_FORMULA),
    ("Scale Federal Competitive Fund", Funder.Kind.FEDERAL_COMPETITIVE),
    ("Scale Community Foundation", Funder.Kind.PRIVATE_FOUNDATION),
    ("Scale Family Foundation", Funder.Kind.PRIVATE_FOUNDATION),
]
COLLABORATORS = ["Scale Policy Institute", "Scale Talent Project"]
GRADE_SPANS = [("K", "5"), ("6", "8"), ("9", "12"), ("PK", "8")]
NARRATIVES = {
    "on_track": "Gains are on pace with the two-year targets; extended learning time is in place.",
    "at_risk": "Attendance improved but proficiency gains lag the targets; coaching is being intensified.",
    "off_track": "Results are flat; staffing vacancies have slowed the turnaround plan.",
}
TIERS = [School.ImprovementTier.TIER_I, School.ImprovementTier.TIER_II, School.ImprovementTier.TIER_III]


class ScaleDataError(Exception):
    pass


@dataclass
class GeneratedSchool:
    pk: int
    zone_index: int
    author_pk: int
    launch_start: int
    trajectory: int
    grades: tuple  # (lowest, highest)


@dataclass
class ScaleReport:
    """Rows written and seconds taken per table."""

    rows: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def scale_data_present() -> bool:
    return Initiative.objects.filter(name=INITIATIVE_NAME).exists()


def staff_email(partner) -> str:
    return f"staff.{slugify(partner.name)}@{STAFF_DOMAIN}"


def postal_code(index: int) -> str:
    return POSTAL_FIRST_LETTERS[index // 26] + chr(ord("A") + index % 26)


def school_year(start: int) -> str:
    return school_year_from_start(start)


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class ScaleDataGenerator:
    def __init__(
        self, states=50, zones_per_state=40, schools_per_zone=5, years=5, seed=2010, partner_schools=None, stdout=None
    ):
        if not 1 <= states <= MAX_STATES:
            raise ScaleDataError(f"--states must be 1 to {MAX_STATES} (two-digit FIPS codes the demo does not use).")
        if not ZONE_MIN_SCHOOLS <= schools_per_zone <= ZONE_MAX_SCHOOLS:
            raise ScaleDataError(f"--schools-per-zone must be {ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS}.")
        if zones_per_state < 1 or years < 1:
            raise ScaleDataError("--zones-per-state and --years must be at least 1.")
        if partner_schools is not None and not 1 <= partner_schools <= states * zones_per_state * schools_per_zone:
            raise ScaleDataError("--partner-schools must be from 1 to the number of schools generated.")
        self.states, self.zones_per_state, self.schools_per_zone, self.years = (
            states,
            zones_per_state,
            schools_per_zone,
            years,
        )
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.report = ScaleReport()
        self.districts_per_state = max(1, zones_per_state // 4)
        self.partner_zones = self._partner_zones(partner_schools)

    # --- plumbing -------------------------------------------------------------------------
    def _log(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    def _timed(self, label, write):
        started = time.perf_counter()
        result = write()
        elapsed = time.perf_counter() - started
        count = len(result) if isinstance(result, list) else result
        self.report.rows[label] = self.report.rows.get(label, 0) + count
        self.report.seconds[label] = self.report.seconds.get(label, 0.0) + elapsed
        self._log(f"  {label:<24} {count:>10,} rows {elapsed:8.1f} s")
        return result

    def _bulk(self, label, objects):
        """Insert model instances, keeping their primary keys."""
        model = type(objects[0])
        return self._timed(label, lambda: model.objects.bulk_create(objects, batch_size=BATCH_SIZE))

    def _stream(self, label, model, columns, rows):
        """Insert many rows given as tuples of attribute values: COPY on PostgreSQL."""

        def write():
            if connection.vendor == "postgresql":
                return self._copy(model, columns, rows)
            count, batch = 0, []
            for row in rows:
                batch.append(model(**dict(zip(columns, row, strict=True))))
                if len(batch) >= BATCH_SIZE:
                    model.objects.bulk_create(batch)
                    count, batch = count + len(batch), []
            model.objects.bulk_create(batch)
            return count + len(batch)

        return self._timed(label, write)

    @staticmethod
    def _copy(model, columns, rows):
        """COPY the given columns plus every other column at its model default ("" for blank text)."""
        given = [model._meta.get_field(name) for name in columns]
        defaults = [
            f for f in model._meta.concrete_fields if f not in given and not f.primary_key and f.column is not None
        ]
        default_values = tuple(f.get_default() for f in defaults)
        db_columns = ", ".join(f.column for f in given + defaults)
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {model._meta.db_table} ({db_columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row + default_values)
                count += 1
        return count

    # --- the data set ---------------------------------------------------------------------
    def generate(self) -> ScaleReport:
        if scale_data_present():
            raise ScaleDataError("Scale data is already in this database; run with --clear to replace it.")
        with transaction.atomic():
            self._directory()
            self._states_and_districts()
            self._zones()
            self._schools()
            self._accountability()
            self._funding()
        return self.report

    def _directory(self):
        self.initiative = Initiative.objects.create(
            name=INITIATIVE_NAME,
            description="Synthetic national data set for benchmarks (generate_scale_data).",
            initial_term_start=datetime.date(2010, 7, 1),
            initial_term_end=datetime.date(2013, 6, 30),
            extension_term_end=datetime.date(2015, 6, 30),
            public_funding_target=Decimal("45000000.00") * self.states,
            private_funding_target=Decimal("30000000.00") * self.states,
        )
        self.metrics = self._bulk(
            "metrics",
            [
                Metric(
                    code=f"scale-{code}",
                    name=f"{name} (scale)",
                    unit=unit,
                    direction=direction,
                    min_value=Decimal("0"),
                    max_value=None if top is None else Decimal(top),
                    lowest_grade=METRIC_GRADES.get(code, ALL_GRADES)[0],
                    highest_grade=METRIC_GRADES.get(code, ALL_GRADES)[1],
                )
                for code, name, unit, direction, top, _baseline, _gain in METRICS
            ],
        )
        self.funders = self._bulk("funders", [Funder(name=name, kind=kind) for name, kind in FUNDERS])
        self.collaborators = self._bulk("collaborators", [NationalCollaborator(name=name) for name in COLLABORATORS])
        self.national_partners = self._bulk(
            "lead partners (national)",
            [
                LeadPartner(
                    name=f"{PREFIX} National Partner {n + 1}",
                    provides_student_support=True,
                    contact_email=f"partner{n + 1}@national.scale.invalid",
                )
                for n in range(NATIONAL_PARTNERS)
            ],
        )

    def _states_and_districts(self):
        states = []
        for index in range(self.states):
            number = f"{index + 1:02d}"
            states.append(
                State(
                    initiative=self.initiative,
                    name=f"{PREFIX} State {number}",
                    postal_code=postal_code(index),
                    fips_code=FIPS_CODES[index],
                    commissioner_name=f"Commissioner {number}",
                    commissioner_email=f"commissioner{number}@state.scale.invalid",
                    network_status=State.NetworkStatus.ACTIVE,
                    framework_commitment=CriterionRating.MET,
                    resource_commitment=self.rng.choice([CriterionRating.MET, CriterionRating.PARTIAL]),
                    leadership_alignment=CriterionRating.MET,
                    planned_launch_school_year=school_year(FIRST_SCHOOL_YEAR),
                )
            )
        self.state_objects = self._bulk("states", states)
        self.state_funds = {
            funder.state_id: funder
            for funder in self._bulk(
                "funders (state funds)",
                [Funder(name=f"{state.name} state funds", kind=Funder.Kind.STATE, state=state) for state in states],
            )
        }
        districts = [
            District(
                state=state,
                name=f"{PREFIX} District {state.fips_code}-{n + 1:03d}",
                nces_lea_id=f"{state.fips_code}{n + 1:05d}",
                central_office_contact_email=f"office{n + 1}@district{state.fips_code}.scale.invalid",
            )
            for state in self.state_objects
            for n in range(self.districts_per_state)
        ]
        self._bulk("districts", districts)
        self.districts_of = {}
        for district in districts:
            self.districts_of.setdefault(district.state_id, []).append(district)
        engagements = [
            CollaboratorEngagement(
                collaborator=self.collaborators[index % len(self.collaborators)],
                state=state,
                service_area=self.rng.choice(ServiceArea.values),
                start_date=datetime.date(2010, 1, 1) + datetime.timedelta(days=self.rng.randrange(365)),
                status=CollaboratorEngagement.Status.ACTIVE,
            )
            for index, state in enumerate(self.state_objects)
            if index % 3 == 0
        ]
        self._bulk("collaborator engagements", engagements)

    def _partner_zones(self, partner_schools) -> set:
        """(state index, zone index) of the zones National Partner 1 leads when it must lead
        ``partner_schools`` schools: every state's first zones in turn (a workspace of one size at
        every data set size; None: the usual share)."""
        if partner_schools is None:
            return set()
        wanted = -(-partner_schools // self.schools_per_zone)
        order = ((state, zone) for zone in range(self.zones_per_state) for state in range(self.states))
        return {next(order) for _ in range(wanted)}

    def _partner(self, state_index, n, local_partners, state, first):
        """Even zones go to the national partners in turn; odd ones to local partners, two each;
        with ``partner_schools`` National Partner 1 leads its zones and no other."""
        if (state_index, n) in self.partner_zones:
            return self.national_partners[0]
        if n % 2 == 0:
            others = self.national_partners[1:] if self.partner_zones else self.national_partners
            return others[(n // 2) % len(others)]
        key = (state_index, n // 2 // ZONES_PER_LOCAL_PARTNER)
        if key not in local_partners:
            number = len(local_partners) + 1
            district_unit = number % 5 == 0
            local_partners[key] = LeadPartner(
                name=f"{PREFIX} Partner {state.postal_code}-{number:04d}",
                kind=LeadPartner.Kind.DISTRICT_UNIT if district_unit else LeadPartner.Kind.INDEPENDENT,
                district=first if district_unit else None,
                provides_coordination=self.rng.random() < 0.5,
                contact_email=f"partner{number}@local.scale.invalid",
            )
        return local_partners[key]

    def _zones(self):
        local_partners, zones = {}, []
        self.zone_plan = []  # (zone, [district, ...], launch start year)
        granted = []  # (zone, powers its autonomy agreement grants)
        for state_index, state in enumerate(self.state_objects):
            districts = self.districts_of[state.pk]
            for n in range(self.zones_per_state):
                first = districts[n % len(districts)]
                spans_two = len(districts) > 1 and n % 5 == 4
                zone_districts_here = [first, districts[(n + 1) % len(districts)]] if spans_two else [first]
                partner = self._partner(state_index, n, local_partners, state, first)
                launch = FIRST_SCHOOL_YEAR + (0 if self.rng.random() < 0.6 else 1)
                zone = Zone(
                    state=state,
                    name=f"{PREFIX} Zone {state.postal_code}-{n + 1:03d}",
                    lead_partner=partner,
                    status=Zone.Status.EXTENDED if self.rng.random() < 0.2 else Zone.Status.LAUNCHED,
                    launch_school_year=school_year(launch),
                )
                powers = [Power.STAFFING] + [
                    power
                    for power, share in ((Power.SCHEDULE, 0.8), (Power.CURRICULUM, 0.7), (Power.BUDGET, 0.5))
                    if self.rng.random() < share
                ]
                zone.autonomy_agreement_date = datetime.date(launch, 5, 1) + datetime.timedelta(
                    days=self.rng.randrange(60)
                )
                zones.append(zone)
                granted.append((zone, powers))
                self.zone_plan.append((zone, zone_districts_here, launch))
        local_partners = list(local_partners.values())
        if local_partners:
            self._bulk("lead partners (local)", local_partners)
        self._bulk("zones", zones)
        self._partner_staff(self.national_partners + local_partners)
        through = Zone.districts.through
        zone_districts = [
            through(zone_id=zone.pk, district_id=district.pk)
            for zone, districts, _launch in self.zone_plan
            for district in districts
        ]
        self._bulk("zone districts", zone_districts)
        self._autonomy(granted)

    def _autonomy(self, granted):
        """Each zone's autonomy agreement as granted terms of the ledger, each with its first change."""
        terms = self._bulk(
            "autonomy terms",
            [
                AutonomyTerm(
                    zone=zone,
                    area=power.area,
                    power=power,
                    source=LegalSource.MOU_CLAUSE,
                    source_reference="Autonomy agreement",
                    status=TermStatus.GRANTED,
                    effective_from=zone.autonomy_agreement_date,
                )
                for zone, powers in granted
                for power in powers
            ],
        )
        self._bulk(
            "autonomy term changes",
            [
                AutonomyTermChange(
                    term=term,
                    to_status=TermStatus.GRANTED,
                    reason="Granted in the autonomy agreement",
                    effective_on=term.effective_from,
                )
                for term in terms
            ],
        )

    def _partner_staff(self, partners):
        """One staff member per Lead Partner (no usable password): the author of its status updates."""
        users = self._bulk(
            "lead partner staff",
            [
                User(email=staff_email(partner), first_name="Staff", password=UNUSABLE_PASSWORD_PREFIX)
                for partner in partners
            ],
        )
        self._bulk(
            "memberships",
            [
                Membership(user=user, role=Role.LEAD_PARTNER_STAFF, lead_partner=partner)
                for user, partner in zip(users, partners, strict=True)
            ],
        )
        self.staff_of = {partner.pk: user.pk for partner, user in zip(partners, users, strict=True)}

    def _schools(self):
        schools, self.school_plan = [], []
        next_number = {}
        for zone_index, (zone, districts, launch) in enumerate(self.zone_plan):
            trajectory = self.rng.randrange(len(TRAJECTORIES))
            for n in range(self.schools_per_zone):
                district = districts[n % len(districts)]
                number = next_number[district.pk] = next_number.get(district.pk, 0) + 1
                lowest, highest = self.rng.choice(GRADE_SPANS)
                schools.append(
                    School(
                        district=district,
                        zone=zone,
                        name=f"{PREFIX} School {district.nces_lea_id}-{number:03d}",
                        nces_id=f"{district.nces_lea_id}{number:05d}",
                        lowest_grade=lowest,
                        highest_grade=highest,
                        enrollment=self.rng.randrange(250, 1600),
                        improvement_tier=self.rng.choice(TIERS),
                        turnaround_status=School.TurnaroundStatus.IMPLEMENTING,
                    )
                )
                # A school mostly follows its zone's trajectory, sometimes another.
                own = trajectory if self.rng.random() < 0.7 else self.rng.randrange(len(TRAJECTORIES))
                self.school_plan.append((zone_index, launch, own, (lowest, highest)))
        self._bulk("schools", schools)
        self.schools = [
            GeneratedSchool(
                school.pk,
                zone_index,
                self.staff_of[self.zone_plan[zone_index][0].lead_partner_id],
                launch,
                trajectory,
                grades,
            )
            for school, (zone_index, launch, trajectory, grades) in zip(schools, self.school_plan, strict=True)
        ]

    def _accountability(self):
        """Baselines, targets and measurements on one trend per school and metric it measures."""
        baselines, targets, trends = [], [], []
        for school in self.schools:
            for metric, (_code, _name, _unit, direction, top, baseline_range, gain_range) in zip(
                self.metrics, METRICS, strict=True
            ):
                if not metric.applies_to_grades(*school.grades):
                    continue
                sign = 1 if direction == "higher" else -1
                baseline = round(self.rng.uniform(*baseline_range), 2)
                gain = round(self.rng.uniform(*gain_range), 2)
                reach = self.rng.uniform(*TRAJECTORIES[school.trajectory])
                target = round(baseline + sign * gain, 2)
                baselines.append((school.pk, metric.pk, money(baseline), school_year(school.launch_start - 1), "Scale"))
                targets.append((school.pk, metric.pk, money(target), school_year(school.launch_start + 1)))
                trends.append((school, metric, baseline, sign * gain * reach, top))
        self._stream("baselines", Baseline, ["school_id", "metric_id", "value", "school_year", "source"], baselines)
        self._stream("targets", Target, ["school_id", "metric_id", "value", "target_school_year"], targets)
        self._stream(
            "measurements",
            Measurement,
            ["school_id", "metric_id", "value", "school_year", "period", "source", "recorded_at"],
            self._measurements(trends),
        )
        self._stream(
            "status updates",
            StatusUpdate,
            ["school_id", "author_id", "reported_on", "rating", "narrative", "created_at"],
            self._status_updates(),
        )
        # COPY sends no signals: the progress read model is computed once for every school.
        self._timed("progress (schools)", lambda: progress.refresh(school.pk for school in self.schools))

    def _measurements(self, trends):
        """The value moves linearly from the baseline (end of its year) to baseline + change
        at the end of the target year, with noise, and stays in the metric's range."""
        periods = len(Measurement.Period)
        for school, metric, baseline, change, top in trends:
            start = school.launch_start  # the baseline sits at the end of the year before launch
            for year_offset in range(self.years):
                year = FIRST_SCHOOL_YEAR + year_offset
                label = school_year(year)
                for period in Measurement.Period.values:
                    elapsed = year + period / periods - start
                    value = baseline + change * max(elapsed, 0) / 2 + self.rng.uniform(-0.6, 0.6)
                    value = max(value, 0.0) if top is None else min(max(value, 0.0), top)
                    recorded = datetime.datetime(year + (period > 1), (9, 1, 4, 6)[period - 1], 15, tzinfo=datetime.UTC)
                    yield (school.pk, metric.pk, money(value), label, period, "Scale data", recorded)

    def _status_updates(self):
        ratings = list(NARRATIVES)
        for school in self.schools:
            for year_offset in range(self.years):
                year = FIRST_SCHOOL_YEAR + year_offset
                for month, day in STATUS_UPDATE_DAYS:
                    reported = datetime.date(year + (month < 7), month, day)
                    rating = ratings[school.trajectory] if self.rng.random() < 0.8 else self.rng.choice(ratings)
                    created = datetime.datetime.combine(reported, datetime.time(12), tzinfo=datetime.UTC)
                    yield (school.pk, school.author_pk, reported, rating, NARRATIVES[rating], created)

    def _funding(self):
        """Per state a public and a private state-level commitment; per zone a public grant already
        received (so every zone spends money) and a private one at any stage; expenditures from the
        received zone grants (money is spent once it has arrived), after it arrived. Public money is
        national or the state's own funds (never another state's)."""
        national_public = [f for f in self.funders if not f.is_private]
        private_funders = [f for f in self.funders if f.is_private]
        public_in = {state.pk: [*national_public, self.state_funds[state.pk]] for state in self.state_objects}
        commitments = []
        for state in self.state_objects:
            for funders in (public_in[state.pk], private_funders):
                commitments.append(self._commitment(self.rng.choice(funders), state=state))
        flowing = [Commitment.Status.RECEIVED]
        for zone, _districts, _launch in self.zone_plan:
            public_funders = public_in[zone.state_id]
            for funders, statuses in ((public_funders, flowing), (private_funders, Commitment.STATUS_ORDER)):
                commitments.append(
                    self._commitment(self.rng.choice(funders), state=zone.state, zone=zone, statuses=statuses)
                )
        self._bulk("commitments", commitments)
        schools_of_zone = {}
        for school in self.schools:
            schools_of_zone.setdefault(self.zone_plan[school.zone_index][0].pk, []).append(school.pk)
        expenditures = []
        for commitment in commitments:
            if commitment.zone_id is None or commitment.status != Commitment.Status.RECEIVED:
                continue
            left = commitment.amount
            for category in Expenditure.Category.values:
                amount = money(float(commitment.amount) * self.rng.uniform(0.05, 0.2))
                if amount > left:
                    break
                left -= amount
                at_school = self.rng.random() < 0.5
                expenditures.append(
                    Expenditure(
                        commitment=commitment,
                        state_id=commitment.state_id,
                        zone_id=commitment.zone_id,
                        school_id=self.rng.choice(schools_of_zone[commitment.zone_id]) if at_school else None,
                        category=category,
                        amount=amount,
                        spent_on=commitment.received_on + datetime.timedelta(days=self.rng.randrange(0, 600)),
                    )
                )
        self._bulk("expenditures", expenditures)

    def _commitment(self, funder, state, zone=None, statuses=Commitment.STATUS_ORDER):
        pledged = datetime.date(2010, 1, 1) + datetime.timedelta(days=self.rng.randrange(540))
        status = self.rng.choice(statuses)
        committed = pledged + datetime.timedelta(days=self.rng.randrange(10, 120)) if status != "pledged" else None
        received = committed + datetime.timedelta(days=self.rng.randrange(10, 120)) if status == "received" else None
        scale = 2_000_000 if zone is None else 400_000
        return Commitment(
            funder=funder,
            initiative=self.initiative,
            recipient_level=Commitment.RecipientLevel.ZONE if zone else Commitment.RecipientLevel.STATE,
            state=state,
            zone=zone,
            description="Zone grant" if zone else "State match",
            amount=money(scale * self.rng.uniform(0.5, 1.5)),
            source=funder.source,
            period_start=datetime.date(2010, 7, 1),
            period_end=datetime.date(2013, 6, 30),
            status=status,
            pledged_on=pledged,
            committed_on=committed,
            received_on=received,
            expected_by=pledged + datetime.timedelta(days=365),
        )


def clear_scale_data() -> dict:
    """Delete the synthetic data set (and memberships held over it) with set-based deletes:
    QuerySet.delete() would load millions of rows to write their history."""
    initiative = Initiative.objects.filter(name=INITIATIVE_NAME).first()
    if initiative is None:
        return {}
    states = State.objects.filter(initiative=initiative)
    schools = School.objects.filter(district__state__in=states)
    partners = LeadPartner.objects.filter(name__startswith=f"{PREFIX} ")
    collaborators = NationalCollaborator.objects.filter(name__in=COLLABORATORS)
    memberships = (
        Membership.objects.filter(state__in=states)
        | Membership.objects.filter(lead_partner__in=partners)
        | Membership.objects.filter(collaborator__in=collaborators)
    )
    steps = [
        ApiToken.objects.filter(membership__in=memberships),
        memberships,
        Invitation.objects.filter(state__in=states),
        Invitation.objects.filter(lead_partner__in=partners),
        Invitation.objects.filter(collaborator__in=collaborators),
        Expenditure.objects.filter(commitment__initiative=initiative),
        Commitment.objects.filter(initiative=initiative),
        SchoolMetricProgress.objects.filter(school__in=schools),
        SchoolProgress.objects.filter(school__in=schools),
        Measurement.objects.filter(school__in=schools),
        Target.objects.filter(school__in=schools),
        Baseline.objects.filter(school__in=schools),
        StatusUpdate.objects.filter(school__in=schools),
        schools,
        AutonomyTermChange.objects.filter(term__zone__state__in=states),
        AutonomyTerm.objects.filter(zone__state__in=states),
        Zone.districts.through.objects.filter(zone__state__in=states),
        Zone.objects.filter(state__in=states),
        partners,
        District.objects.filter(state__in=states),
        CollaboratorEngagement.objects.filter(state__in=states),
        collaborators,
        Funder.objects.filter(state__in=states),
        states,
        Funder.objects.filter(name__in=[name for name, _kind in FUNDERS]),
        Metric.objects.filter(code__startswith="scale-"),
        Initiative.objects.filter(pk=initiative.pk),
        User.objects.filter(email__endswith=f"@{STAFF_DOMAIN}"),
    ]
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for queryset in steps:
            model = queryset.model
            sql, params = queryset.values("pk").query.sql_with_params()
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {model._meta.pk.column} IN ({sql})",
                params,
            )
            deleted[model._meta.label] = deleted.get(model._meta.label, 0) + cursor.rowcount
    return deleted
