"""The demo initiative: the real facts of the Partnership Zone Initiative (six states, the
$75M three-year plan with its extension, funders and national collaborators) with fictional
districts, schools, Lead Partners and results, marked ``is_demo``.

``load_demo()`` is idempotent: every row is found by its natural key and saved only when it is
new or changed, always after full model validation, so the demo is valid data.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal
from itertools import cycle
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accountability import cycle as accountability_cycle
from accountability import progress
from accountability.models import (
    Baseline,
    ExitCriterion,
    Measurement,
    Metric,
    PeriodSubmission,
    RenewalDecision,
    ReportingPeriod,
    StatusUpdate,
    Target,
)
from accounts.models import Membership, Role, User
from core.validators import school_year_from_start
from funding.models import Commitment, Expenditure, Funder
from partners.models import CollaboratorEngagement, LeadPartner, NationalCollaborator, ServiceArea
from schools.models import School
from zones.models import CriterionRating, District, Initiative, State, Zone

from . import demo_autonomy, demo_comments, demo_contracts, demo_money, demo_network, demo_proposals

D = datetime.date
MET, PARTIAL = CriterionRating.MET, CriterionRating.PARTIAL
DEMO_PASSWORD = "zone-demo-2010"
DEMO_DOMAIN = "demo.zoneportfolio.org"
DEMO_REASON = "Demo data"  # the reason of each status the demo sets

INITIATIVE = {
    "name": "Partnership Zone Initiative",
    "description": (
        "A three-year, $75 million initiative ($45M public school-level funds, $30M private match) in which "
        "six states turn around clusters of their lowest-performing schools: zones of 3-5 schools, each "
        "supported by one Lead Partner with autonomy over staffing, scheduling, curriculum and budget."
    ),
    "initial_term_start": D(2010, 7, 1),
    "initial_term_end": D(2013, 6, 30),
    "extension_term_end": D(2015, 6, 30),
    "public_funding_target": Decimal("45000000.00"),
    "private_funding_target": Decimal("30000000.00"),
    "is_demo": True,
}

# The six states. Commissioner names are fictional; the policy facts are public record.
STATES = [
    {
        "name": "Colorado",
        "postal_code": "CO",
        "fips_code": "08",
        "network_status": State.NetworkStatus.ACTIVE,
        "planned_launch_school_year": "2010-11",
        "commissioner_name": "Dana Whitfield",
        "framework_commitment": MET,
        "framework_commitment_evidence": "State board resolution endorsing a Partnership Zone in two districts.",
        "resource_commitment": MET,
        "resource_commitment_evidence": "1003(g) SIG funds prioritized for zone schools; a state turnaround office.",
        "leadership_alignment": MET,
        "leadership_alignment_evidence": "Commissioner and state board chair co-signed the zone proposal.",
        "policy_environment_notes": "The Innovation Schools Act (2008) lets zone schools waive district policies.",
    },
    {
        "name": "Delaware",
        "postal_code": "DE",
        "fips_code": "10",
        "network_status": State.NetworkStatus.ACTIVE,
        "planned_launch_school_year": "2010-11",
        "commissioner_name": "Marcus Ellery",
        "framework_commitment": MET,
        "framework_commitment_evidence": "The state's Race to the Top plan creates a Partnership Zone.",
        "resource_commitment": MET,
        "resource_commitment_evidence": "Race to the Top (Round 1, March 2010) and SIG funds budgeted for the zone.",
        "leadership_alignment": MET,
        "leadership_alignment_evidence": "The Governor and the Secretary of Education champion the zone.",
        "policy_environment_notes": "Zone schools negotiate memoranda of understanding with the local union.",
    },
    {
        "name": "Illinois",
        "postal_code": "IL",
        "fips_code": "17",
        "network_status": State.NetworkStatus.SELECTED,
        "planned_launch_school_year": "2011-12",
        "commissioner_name": "Renata Okafor",
        "framework_commitment": MET,
        "framework_commitment_evidence": "A state Partnership Zone with Lead Partners announced with the SIG round.",
        "resource_commitment": PARTIAL,
        "resource_commitment_evidence": "SIG funds committed; the state match awaits appropriation.",
        "leadership_alignment": MET,
        "leadership_alignment_evidence": "State superintendent leads the zone steering committee.",
        "policy_environment_notes": "Lead Partners contract directly with districts for zone schools.",
    },
    {
        "name": "Louisiana",
        "postal_code": "LA",
        "fips_code": "22",
        "network_status": State.NetworkStatus.ACTIVE,
        "planned_launch_school_year": "2010-11",
        "commissioner_name": "Everett Fontaine",
        "framework_commitment": MET,
        "framework_commitment_evidence": "The Recovery School District (2003) is a legal model for zone autonomy.",
        "resource_commitment": MET,
        "resource_commitment_evidence": "State and SIG funds pooled for the zone's extended day.",
        "leadership_alignment": MET,
        "leadership_alignment_evidence": "The state superintendent presented the zone plan to the legislature.",
        "policy_environment_notes": "State takeover authority makes the zone agreement enforceable.",
    },
    {
        "name": "Massachusetts",
        "postal_code": "MA",
        "fips_code": "25",
        "network_status": State.NetworkStatus.SELECTED,
        "planned_launch_school_year": "2011-12",
        "commissioner_name": "Helen Marquardt",
        "framework_commitment": MET,
        "framework_commitment_evidence": "The Achievement Gap Act of 2010 mandates Level 4 school turnaround plans.",
        "resource_commitment": PARTIAL,
        "resource_commitment_evidence": "SIG awarded; Race to the Top (Round 2, August 2010) funds are pending.",
        "leadership_alignment": MET,
        "leadership_alignment_evidence": "Commissioner's office staffs the zone planning team.",
        "policy_environment_notes": "Level 4 turnaround plans give staffing and scheduling authority.",
    },
    {
        "name": "New York",
        "postal_code": "NY",
        "fips_code": "36",
        "network_status": State.NetworkStatus.ACTIVE,
        "planned_launch_school_year": "2010-11",
        "commissioner_name": "Samuel Whitaker",
        "framework_commitment": MET,
        "framework_commitment_evidence": "Persistently lowest-achieving schools (2010) adopt an intervention model.",
        "resource_commitment": MET,
        "resource_commitment_evidence": "SIG and Race to the Top (Round 2) funds earmarked for zone schools.",
        "leadership_alignment": PARTIAL,
        "leadership_alignment_evidence": "Leadership transition at the state education department in 2011.",
        "policy_environment_notes": "Zone agreements are written into the districts' SIG applications.",
    },
]

# Fictional districts: (NCES LEA id = state FIPS + 5 digits, name, central office contact).
DISTRICTS = [
    ("0899101", "Front Range Valley School District", "Lena Castillo"),
    ("0899102", "Arkansas Basin School District", "Tom Reyes"),
    ("1099101", "Brandywine Creek School District", "Alice Dunmore"),
    ("1799101", "Prairie River Community Unit School District", "Greg Halvorsen"),
    ("1799102", "Kaskaskia Valley School District", "Monique Banks"),
    ("2299101", "Bayou Teche Parish School District", "Claude Arceneaux"),
    ("2599101", "Merrimack Mills Public Schools", "Joan Sullivan"),
    ("2599102", "Pioneer Valley Regional School District", "Peter Lindqvist"),
    ("3699101", "Hudson Harbor City School District", "Rosa Delgado"),
    ("3699102", "Mohawk Falls City School District", "Kevin Brennan"),
]

# Fictional Lead Partners: (name, district LEA id for a district autonomous unit, services, contact).
LEAD_PARTNERS = [
    ("Summit Turnaround Partners", None, "academic student_support coordination", "Maya Lindgren"),
    ("First State School Partners", None, "academic coordination", "Owen Hartley"),
    ("Prairie Learning Network", None, "academic student_support", "Ines Morales"),
    ("Kaskaskia Valley Office of School Turnaround", "1799102", "academic coordination", "Darnell Price"),
    ("Gulf Coast Achievement Partners", None, "academic student_support coordination", "Celeste Boudreaux"),
    ("Commonwealth Turnaround Collaborative", None, "academic coordination", "Nora Kelleher"),
    ("Hudson Harbor Office of Zone Schools", "3699101", "academic student_support", "Victor Osei"),
    ("Empire Learning Partners", None, "academic", "Priya Raman"),
]

# Fictional zones. Schools: (NCES school id = LEA id + 5 digits, name, grades, enrollment, federal tier).
ZONES = [
    {
        "state": "CO",
        "name": "Front Range Valley Zone",
        "lead_partner": "Summit Turnaround Partners",
        "status": Zone.Status.LAUNCHED,
        "launch": "2010-11",
        "agreement": D(2010, 6, 15),
        "schools": [
            ("089910100011", "Aspen Ridge Elementary", "K-5", 420, "I"),
            ("089910100012", "Cottonwood Middle School", "6-8", 610, "I"),
            ("089910100013", "Foothills Academy", "K-8", 530, "II"),
            ("089910100014", "Front Range High School", "9-12", 980, "II"),
        ],
    },
    {
        "state": "CO",
        "name": "Arkansas Basin Zone",
        "lead_partner": "Summit Turnaround Partners",
        "status": Zone.Status.LAUNCHED,
        "launch": "2010-11",
        "agreement": D(2010, 7, 20),
        "schools": [
            ("089910200021", "Canyon Elementary", "K-5", 380, "I"),
            ("089910200022", "Riverbend Middle School", "6-8", 540, "I"),
            ("089910200023", "Basin High School", "9-12", 870, "II"),
        ],
    },
    {
        "state": "DE",
        "name": "Brandywine Creek Partnership Zone",
        "lead_partner": "First State School Partners",
        "status": Zone.Status.LAUNCHED,
        "launch": "2010-11",
        "agreement": D(2010, 8, 2),
        "schools": [
            ("109910100031", "Millrace Elementary", "K-5", 450, "I"),
            ("109910100032", "Quarry Hill Middle School", "6-8", 590, "I"),
            ("109910100033", "Creekside Elementary", "PK-5", 360, "III"),
            ("109910100034", "Brandywine Creek High School", "9-12", 1100, "II"),
        ],
    },
    {
        "state": "IL",
        "name": "Prairie River Zone",
        "lead_partner": "Prairie Learning Network",
        "status": Zone.Status.LAUNCHED,
        "launch": "2011-12",
        "agreement": D(2011, 6, 1),
        "schools": [
            ("179910100041", "Bluestem Elementary", "K-5", 400, "I"),
            ("179910100042", "Prairie River Middle School", "6-8", 650, "I"),
            ("179910100043", "Prairie River High School", "9-12", 1200, "II"),
        ],
    },
    {
        "state": "IL",
        "name": "Kaskaskia Valley Zone",
        "lead_partner": "Kaskaskia Valley Office of School Turnaround",
        "status": Zone.Status.LAUNCHED,
        "launch": "2011-12",
        "agreement": D(2011, 7, 12),
        "schools": [
            ("179910200051", "Lockmaster Elementary", "K-5", 330, "I"),
            ("179910200052", "Limestone Elementary", "PK-5", 310, "III"),
            ("179910200053", "Kaskaskia Middle School", "6-8", 520, "I"),
            ("179910200054", "Valley Point High School", "9-12", 900, "II"),
        ],
    },
    {
        "state": "LA",
        "name": "Bayou Teche Zone",
        "lead_partner": "Gulf Coast Achievement Partners",
        "status": Zone.Status.EXTENDED,
        "launch": "2010-11",
        "agreement": D(2010, 6, 30),
        "schools": [
            ("229910100061", "Cypress Landing Elementary", "PK-5", 470, "I"),
            ("229910100062", "Magnolia Elementary", "K-5", 390, "I"),
            ("229910100063", "Teche Middle School", "6-8", 560, "I"),
            ("229910100064", "Pelican Bay Middle School", "6-8", 480, "II"),
            ("229910100065", "Bayou Teche High School", "9-12", 1050, "II"),
        ],
    },
    {
        "state": "MA",
        "name": "Merrimack-Pioneer Zone",
        "lead_partner": "Commonwealth Turnaround Collaborative",
        "status": Zone.Status.LAUNCHED,
        "launch": "2011-12",
        "agreement": D(2011, 5, 20),
        "schools": [
            ("259910100071", "Mill Pond Elementary", "K-5", 410, "I"),
            ("259910100072", "Canal Street Middle School", "6-8", 580, "I"),
            ("259910200073", "Pioneer Valley Elementary", "K-5", 350, "II"),
            ("259910200074", "Connecticut River High School", "9-12", 940, "II"),
        ],
    },
    {
        "state": "MA",
        "name": "Merrimack Mills Middle Grades Zone",
        "lead_partner": "Commonwealth Turnaround Collaborative",
        "status": Zone.Status.PLANNING,
        "launch": "2012-13",
        "agreement": None,
        "schools": [
            ("259910100075", "Loom Works Middle School", "6-8", 500, "I"),
            ("259910100076", "Spindle City Academy", "5-8", 430, "II"),
        ],
    },
    {
        "state": "NY",
        "name": "Hudson Harbor Zone",
        "lead_partner": "Hudson Harbor Office of Zone Schools",
        "status": Zone.Status.LAUNCHED,
        "launch": "2010-11",
        "agreement": D(2010, 6, 25),
        "schools": [
            ("369910100081", "Harbor View Elementary", "PK-5", 520, "I"),
            ("369910100082", "Lighthouse Elementary", "K-5", 460, "I"),
            ("369910100083", "Palisades Middle School", "6-8", 700, "I"),
            ("369910100084", "Ferry Street Middle School", "6-8", 640, "II"),
            ("369910100085", "Hudson Harbor High School", "9-12", 1350, "II"),
        ],
    },
    {
        "state": "NY",
        "name": "Mohawk Falls Zone",
        "lead_partner": "Empire Learning Partners",
        "status": Zone.Status.LAUNCHED,
        "launch": "2010-11",
        "agreement": D(2010, 8, 16),
        "schools": [
            ("369910200091", "Erie Canal Elementary", "K-5", 370, "I"),
            ("369910200092", "Mohawk Falls Middle School", "6-8", 510, "I"),
            ("369910200093", "Mohawk Falls High School", "9-12", 880, "III"),
        ],
    },
]

COLLABORATORS = {
    "Education Counsel": "Policy and legal analysis of state turnaround authority.",
    "Education First Consulting": "State planning and strategy for the zone framework.",
    "Education Resource Strategies": "District and school budget audits: how resources reach zone schools.",
    "KSA-Plus Communications": "Communications and community outreach for zone launches.",
    "The New Teacher Project": "Human capital analysis: recruiting, staffing and evaluating zone teachers.",
    "The Parthenon Group": "Planning and analysis of state turnaround strategy.",
    "Turnaround for Children": "Planning for student support services in high-poverty zone schools.",
}

# (collaborator, states, service area, start, end, status)
ENGAGEMENTS = [
    ("Education Counsel", "DE LA NY", ServiceArea.POLICY_ANALYSIS, D(2010, 2, 1), D(2010, 8, 31), "completed"),
    ("Education First Consulting", "CO", ServiceArea.PLANNING, D(2010, 1, 15), D(2010, 12, 31), "completed"),
    ("Education First Consulting", "IL MA", ServiceArea.PLANNING, D(2010, 9, 1), D(2011, 8, 31), "completed"),
    # the demo collaborator login's access to Colorado: only active engagements within their dates grant it
    ("Education Resource Strategies", "CO", ServiceArea.BUDGET_AUDITS, D(2010, 9, 1), None, "active"),
    ("Education Resource Strategies", "NY", ServiceArea.BUDGET_AUDITS, D(2010, 9, 1), D(2011, 6, 30), "completed"),
    ("Education Resource Strategies", "MA", ServiceArea.BUDGET_AUDITS, D(2011, 9, 1), None, "active"),
    ("KSA-Plus Communications", "CO DE LA", ServiceArea.COMMUNICATIONS, D(2010, 5, 1), None, "active"),
    ("The New Teacher Project", "CO LA NY", ServiceArea.HUMAN_CAPITAL, D(2010, 4, 1), D(2011, 6, 30), "completed"),
    ("The New Teacher Project", "IL", ServiceArea.HUMAN_CAPITAL, D(2011, 3, 1), None, "active"),
    ("The Parthenon Group", "DE NY", ServiceArea.PLANNING, D(2010, 1, 15), D(2010, 6, 30), "completed"),
    ("Turnaround for Children", "IL NY", ServiceArea.PLANNING, D(2011, 1, 10), None, "active"),
]

CARNEGIE = "Carnegie Corporation of New York"
GATES = "Bill & Melinda Gates Foundation"
SIG = "School Improvement Grants (ESEA Section 1003(g))"
RTTT = "Race to the Top"
# (name, kind, website, postal code of the state whose own funds they are, or None).
FUNDERS = [
    (CARNEGIE, Funder.Kind.PRIVATE_FOUNDATION, "https://www.carnegie.org", None),
    (GATES, Funder.Kind.PRIVATE_FOUNDATION, "https://www.gatesfoundation.org", None),
    (SIG, Funder.Kind.FEDERAL_FORMULA, "https://www.ed.gov", None),
    (RTTT, Funder.Kind.FEDERAL_COMPETITIVE, "https://www.ed.gov", None),
] + [(f"{state['name']} state funds", Funder.Kind.STATE, "", state["postal_code"]) for state in STATES]

INITIAL_TERM = (INITIATIVE["initial_term_start"], INITIATIVE["initial_term_end"])
PLANNING_GRANT = (D(2010, 7, 1), D(2012, 6, 30))
# (funder, state postal code or None for the initiative, amount, period, status dates, description).
# Status follows the dates given: pledged; + committed; + received.
COMMITMENTS = [
    (CARNEGIE, None, "1500000", PLANNING_GRANT, (D(2010, 3, 1), D(2010, 5, 14), D(2010, 7, 15)), "Planning grant"),
    (GATES, None, "750000", PLANNING_GRANT, (D(2010, 4, 1), D(2010, 9, 1)), "Partial match of the planning grant"),
    (CARNEGIE, None, "10000000", INITIAL_TERM, (D(2011, 2, 1),), "Implementation support (pledge)"),
    (SIG, "CO", "4200000", INITIAL_TERM, (D(2010, 5, 3), D(2010, 7, 1), D(2010, 8, 16)), "1003(g) for zone schools"),
    (SIG, "DE", "3600000", INITIAL_TERM, (D(2010, 5, 3), D(2010, 7, 1), D(2010, 8, 2)), "1003(g) for zone schools"),
    (SIG, "IL", "3900000", INITIAL_TERM, (D(2011, 4, 4), D(2011, 6, 1), D(2011, 8, 1)), "1003(g) for zone schools"),
    (SIG, "LA", "5100000", INITIAL_TERM, (D(2010, 5, 3), D(2010, 7, 1), D(2010, 8, 9)), "1003(g) for zone schools"),
    (SIG, "MA", "3800000", INITIAL_TERM, (D(2011, 4, 4), D(2011, 6, 1), D(2011, 8, 1)), "1003(g) for zone schools"),
    (SIG, "NY", "6200000", INITIAL_TERM, (D(2010, 5, 3), D(2010, 7, 1), D(2010, 8, 23)), "1003(g) for zone schools"),
    (RTTT, "DE", "2500000", INITIAL_TERM, (D(2010, 3, 29), D(2010, 6, 1), D(2010, 9, 1)), "Partnership Zone (Round 1)"),
    (RTTT, "MA", "2000000", INITIAL_TERM, (D(2010, 8, 24), D(2010, 12, 1), D(2011, 3, 1)), "Turnaround (Round 2)"),
    (RTTT, "NY", "2400000", INITIAL_TERM, (D(2010, 8, 24), D(2010, 12, 1), D(2011, 3, 1)), "Turnaround (Round 2)"),
    (RTTT, "CO", "1200000", INITIAL_TERM, (D(2011, 12, 22), D(2012, 4, 2)), "Turnaround (Phase 3)"),
    (RTTT, "IL", "1100000", INITIAL_TERM, (D(2011, 12, 22),), "Turnaround (Phase 3)"),
    (RTTT, "LA", "900000", INITIAL_TERM, (D(2011, 12, 22),), "Turnaround (Phase 3)"),
    ("Colorado state funds", "CO", "800000", INITIAL_TERM, (D(2010, 6, 1), D(2010, 7, 1)), "State turnaround office"),
    ("Delaware state funds", "DE", "600000", INITIAL_TERM, (D(2010, 6, 1), D(2010, 7, 1), D(2010, 9, 15)), "Match"),
    ("Illinois state funds", "IL", "700000", INITIAL_TERM, (D(2011, 5, 2),), "State match (awaiting appropriation)"),
    ("Louisiana state funds", "LA", "1000000", INITIAL_TERM, (D(2010, 6, 1), D(2010, 7, 1), D(2010, 8, 2)), "Match"),
    ("Massachusetts state funds", "MA", "650000", INITIAL_TERM, (D(2011, 5, 2), D(2011, 7, 1)), "Level 4 support"),
    ("New York state funds", "NY", "900000", INITIAL_TERM, (D(2010, 6, 1), D(2010, 7, 1)), "State match"),
]
# Each operating zone also gets a private zone grant; their stages cycle through this list.
ZONE_GRANT_STAGES = [3, 2, 1]  # received, committed, pledged
ZONE_GRANT_AMOUNT = Decimal("400000")


class MetricFacts(NamedTuple):
    code: str
    name: str
    unit: str
    direction: str
    max_value: int | None
    baseline_range: tuple  # where schools start
    gain_range: tuple  # the gain their two-year target asks for
    periods: tuple  # periods of the school year it is measured in
    grades: tuple  # (lowest, highest) grade it measures: schools teaching none of them are not measured
    source: str


ALL_PERIODS = tuple(Measurement.Period.values)
STATE_TEST, SIS = "State assessment", "District student information system"
ALL_GRADES, TESTED_GRADES, GRADE_12 = ("PK", "12"), ("3", "12"), ("12", "12")  # state tests start in grade 3
METRICS = [
    MetricFacts("ela-proficiency", "ELA proficiency", "percent", "higher", 100, (18, 38), (10, 16), ALL_PERIODS,
                TESTED_GRADES, STATE_TEST),
    MetricFacts("math-proficiency", "Math proficiency", "percent", "higher", 100, (14, 34), (10, 16), ALL_PERIODS,
                TESTED_GRADES, STATE_TEST),
    MetricFacts("attendance-rate", "Attendance rate", "percent", "higher", 100, (84, 90), (3, 5), ALL_PERIODS,
                ALL_GRADES, SIS),
    MetricFacts("graduation-rate", "Graduation rate", "percent", "higher", 100, (48, 64), (8, 12), (4,),
                GRADE_12, SIS),
    MetricFacts("chronic-absenteeism", "Chronic absenteeism", "percent", "lower", 100, (24, 40), (8, 12),
                ALL_PERIODS, ALL_GRADES, SIS),
    MetricFacts("suspensions-per-100", "Suspensions per 100 students", "per_100", "lower", None, (14, 32), (6, 10),
                ALL_PERIODS, ALL_GRADES, SIS),
]  # fmt: skip
# How far along the needed gain each kind of school gets by the end of its second year.
TRAJECTORIES = {"on_track": (1.05, 1.3), "at_risk": (0.6, 0.85), "off_track": (0.05, 0.35)}
TRAJECTORY_CYCLE = ["on_track", "at_risk", "on_track", "off_track", "on_track", "at_risk"]
RATING_NARRATIVES = {
    "on_track": "Gains are on pace with the school's two-year targets; extended learning time is in place.",
    "at_risk": "Attendance has improved but proficiency gains lag the targets; coaching is being intensified.",
    "off_track": "Results are flat; staffing vacancies and schedule changes have slowed the turnaround plan.",
}

RETURN_COMMENT = "Attendance looks higher than the district's October count; check it against the SIS export."

LEAD_PARTNER_OF_COLORADO = "Summit Turnaround Partners"
ERS = "Education Resource Strategies"
# (email local part, first name, last name, role, scope kind, scope key)
DEMO_LOGINS = [
    ("admin", "Avery", "Morgan", Role.INITIATIVE_ADMIN, None, None),
    ("lead.co", "Jordan", "Blake", Role.STATE_LEAD, "state", "CO"),
    ("viewer.co", "Sam", "Patel", Role.STATE_VIEWER, "state", "CO"),
    ("commissioner.co", "Dana", "Whitfield", Role.COMMISSIONER, "state", "CO"),
    ("partner", "Maya", "Lindgren", Role.LEAD_PARTNER_STAFF, "lead_partner", LEAD_PARTNER_OF_COLORADO),
    ("collaborator", "Carmen", "Ortiz", Role.COLLABORATOR, "collaborator", ERS),
]

RENEWAL_REASONS = (
    "Three of four schools met their reading and math targets; attendance and discipline improved every "
    "period. Continue with the Lead Partner; revisit Front Range High School's graduation rate next fall."
)


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


class DemoLoader:
    """Loads the demo, counting rows created, updated and left unchanged."""

    def __init__(self):
        self.counts = Counter()
        self.states: dict[str, State] = {}
        self.districts: dict[str, District] = {}
        self.lead_partners: dict[str, LeadPartner] = {}
        self.collaborators: dict[str, NationalCollaborator] = {}
        self.funders: dict[str, Funder] = {}
        self.operating_zones: list[tuple[Zone, list[School]]] = []
        self.partner_staff: dict[str, User] = {}  # Lead Partner name -> a staff member
        self.logins: list[tuple[User, str, str]] = []

    def upsert(self, model, lookup: dict, **values):
        """Find a row by its natural key, set values, validate and save when new or changed."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**{**lookup, **values})
            self.counts["created"] += 1
        else:
            changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
            if not changed:
                self.counts["unchanged"] += 1
                return obj
            for name, value in changed.items():
                setattr(obj, name, value)
            self.counts["updated"] += 1
        obj._change_reason = DEMO_REASON  # a status that changes changes with a reason (core.reasons)
        obj.full_clean()
        obj.save()
        return obj

    def load(self) -> None:
        self.initiative = self.upsert(Initiative, {"name": INITIATIVE["name"]}, **INITIATIVE)
        self.load_states()
        self.load_partners()
        self.load_zones()
        self.load_collaborators()
        self.load_logins()
        self.load_accountability()
        self.load_collection_calendar()
        self.load_funding()
        self.load_renewals()
        # Lead Partners and autonomy, in dependency order (the ledger cites reviews; comments sit
        # on reviews, and proposals on schools and commitments); then the network's reports,
        # meetings, action items and notifications.
        for part in (demo_money, demo_contracts, demo_autonomy, demo_proposals, demo_comments, demo_network):
            part.load(self)

    def load_states(self):
        for facts in STATES:
            email = demo_email(f"commissioner.{facts['postal_code'].lower()}")
            self.states[facts["postal_code"]] = self.upsert(
                State,
                {"postal_code": facts["postal_code"]},
                initiative=self.initiative,
                commissioner_email=email,
                **facts,
            )
        for lea_id, name, contact in DISTRICTS:
            slug = name.split()[0].lower()
            self.districts[lea_id] = self.upsert(
                District,
                {"nces_lea_id": lea_id},
                state=self.state_of_fips(lea_id[:2]),
                name=name,
                central_office_contact_name=contact,
                central_office_contact_email=f"{contact.split()[0].lower()}@{slug}.{DEMO_DOMAIN}",
                is_demo=True,
            )

    def state_of_fips(self, fips_code: str) -> State:
        return next(state for state in self.states.values() if state.fips_code == fips_code)

    def load_partners(self):
        for name, lea_id, services, contact in LEAD_PARTNERS:
            self.lead_partners[name] = self.upsert(
                LeadPartner,
                {"name": name},
                kind=LeadPartner.Kind.DISTRICT_UNIT if lea_id else LeadPartner.Kind.INDEPENDENT,
                district=self.districts[lea_id] if lea_id else None,
                provides_academic_services="academic" in services,
                provides_student_support="student_support" in services,
                provides_coordination="coordination" in services,
                contact_name=contact,
                contact_email=demo_email(contact.split()[0].lower()),
                is_demo=True,
            )

    def load_zones(self):
        """Zones are created in planning, given their districts and schools, then launched."""
        for facts in ZONES:
            state = self.states[facts["state"]]
            slug = facts["name"].lower().replace(" ", "-")
            zone = self.upsert(
                Zone,
                {"state": state, "name": facts["name"]},
                lead_partner=self.lead_partners[facts["lead_partner"]],
                launch_school_year=facts["launch"],
                autonomy_agreement_date=facts["agreement"],
                autonomy_agreement_url=(f"https://{DEMO_DOMAIN}/agreements/{slug}.pdf" if facts["agreement"] else ""),
                is_demo=True,
            )
            school_districts = {self.districts[nces_id[:7]] for nces_id, *_ in facts["schools"]}
            zone.districts.set(school_districts)
            operating = facts["status"] in Zone.OPERATING_STATUSES
            schools = [self.load_school(zone, operating, *school) for school in facts["schools"]]
            if zone.status != facts["status"]:
                zone.status = facts["status"]
                zone._change_reason = DEMO_REASON
                zone.full_clean()
                zone.save()
            if operating:
                self.operating_zones.append((zone, schools))

    def load_school(self, zone, operating, nces_id, name, grades, enrollment, tier):
        lowest, highest = grades.split("-")
        return self.upsert(
            School,
            {"nces_id": nces_id},
            district=self.districts[nces_id[:7]],
            zone=zone,
            name=name,
            lowest_grade=lowest,
            highest_grade=highest,
            enrollment=enrollment,
            improvement_tier=tier,
            turnaround_status=(School.TurnaroundStatus.IMPLEMENTING if operating else School.TurnaroundStatus.PLANNING),
            is_demo=True,
        )

    def load_collaborators(self):
        for name, description in COLLABORATORS.items():
            self.collaborators[name] = self.upsert(NationalCollaborator, {"name": name}, description=description)
        for name, postal_codes, area, start, end, status in ENGAGEMENTS:
            for postal_code in postal_codes.split():
                self.upsert(
                    CollaboratorEngagement,
                    {
                        "collaborator": self.collaborators[name],
                        "state": self.states[postal_code],
                        "service_area": area,
                        "start_date": start,
                    },
                    end_date=end,
                    status=status,
                    description=COLLABORATORS[name],
                )

    def load_logins(self):
        """The demo logins, and a staff account for each other Lead Partner (authors of status updates)."""
        scopes = {"state": self.states, "lead_partner": self.lead_partners, "collaborator": self.collaborators}
        for local_part, first_name, last_name, role, scope_kind, scope_key in DEMO_LOGINS:
            scope = {scope_kind: scopes[scope_kind][scope_key]} if scope_kind else {}
            user = self.load_user(demo_email(local_part), first_name, last_name, role, scope, DEMO_PASSWORD)
            self.logins.append((user, role, str(scope.get(scope_kind, "All states"))))
            if role == Role.LEAD_PARTNER_STAFF:
                self.partner_staff[scope_key] = user
        for name, _lea_id, _services, contact in LEAD_PARTNERS:
            if name not in self.partner_staff:
                first_name, last_name = contact.split()
                email = demo_email(f"{first_name}.{last_name}".lower())
                scope = {"lead_partner": self.lead_partners[name]}
                self.partner_staff[name] = self.load_user(email, first_name, last_name, Role.LEAD_PARTNER_STAFF, scope)

    def load_user(self, email, first_name, last_name, role, scope, password=None):
        """A user with a verified email and one membership; without a password, it cannot log in."""
        user = User.objects.filter(email=email).first()
        is_admin = role == Role.INITIATIVE_ADMIN
        values = {"first_name": first_name, "last_name": last_name, "is_staff": is_admin, "is_superuser": is_admin}
        if user is None or (password and not user.check_password(password)):
            values["password"] = make_password(password)
        user = self.upsert(User, {"email": email}, **values)
        self.upsert(EmailAddress, {"user": user, "email": email}, verified=True, primary=True)
        no_scope = {"state": None, "lead_partner": None, "collaborator": None}
        self.upsert(Membership, {"user": user, "role": role, **no_scope, **scope})
        return user

    def load_accountability(self):
        self.metrics = metrics = {
            facts.code: self.upsert(
                Metric,
                {"code": facts.code},
                name=facts.name,
                unit=facts.unit,
                direction=facts.direction,
                min_value=Decimal(0),
                max_value=None if facts.max_value is None else Decimal(facts.max_value),
                lowest_grade=facts.grades[0],
                highest_grade=facts.grades[1],
            )
            for facts in METRICS
        }
        self.metric_periods = {facts.code: facts.periods for facts in METRICS}
        trajectories = cycle(TRAJECTORY_CYCLE)
        # Each school's progress rows are refreshed once, at the end, not after each of its records.
        with progress.refreshing():
            for zone, schools in self.operating_zones:
                for school in schools:
                    trajectory = next(trajectories)
                    for facts in METRICS:
                        metric = metrics[facts.code]
                        if metric.grade_error(school) is None:
                            self.load_school_metric(zone, school, metric, facts, trajectory)
                    self.load_status_updates(zone, school, trajectory)

    def load_school_metric(self, zone, school, metric, facts, trajectory):
        """Baseline the year before launch, a target for the second year, two years of measurements
        on a trend toward the share of the target gain the school's trajectory reaches.

        Values come from a generator seeded by the school and metric, so every run is the same."""
        rng = random.Random(f"{school.nces_id}:{metric.code}")
        sign = 1 if metric.higher_is_better else -1
        baseline = round(rng.uniform(*facts.baseline_range), 1)
        needed = round(rng.uniform(*facts.gain_range), 1)
        reached = rng.uniform(*TRAJECTORIES[trajectory])
        upper = 100 if facts.max_value is None else facts.max_value
        launch = zone.launch_year_start
        self.upsert(
            Baseline,
            {"school": school, "metric": metric},
            school_year=school_year_from_start(launch - 1),
            value=money(baseline),
            source=facts.source,
        )
        self.upsert(
            Target,
            {"school": school, "metric": metric},
            target_school_year=school_year_from_start(launch + 1),
            value=money(baseline + sign * needed),
        )
        periods = len(Measurement.Period)
        steps = 2 * periods
        for step in range(1, steps + 1):
            year, period = (step - 1) // periods, (step - 1) % periods + 1
            noise = rng.gauss(0, needed * 0.04) if step < steps else 0
            if period not in facts.periods:
                continue
            value = baseline + sign * needed * reached * step / steps + noise
            school_year = school_year_from_start(launch + year)
            self.upsert(
                Measurement,
                {"school": school, "metric": metric, "school_year": school_year, "period": period},
                value=money(round(min(max(value, 0), upper), 1)),
                source=facts.source,
            )

    def load_status_updates(self, zone, school, trajectory):
        """Two reports a year from the Lead Partner's staff, in November and March."""
        launch = zone.launch_year_start
        agreed = demo_autonomy.AGREEMENTS[zone.name]
        notes = {f"{area}_notes": f"Using the zone's {area} autonomy." for area in agreed}
        for reported_on in (D(launch, 11, 15), D(launch + 1, 3, 15), D(launch + 1, 11, 15), D(launch + 2, 3, 15)):
            rating = "on_track" if reported_on.year == launch else trajectory
            self.upsert(
                StatusUpdate,
                {"school": school, "reported_on": reported_on},
                author=self.partner_staff[zone.lead_partner.name],
                rating=rating,
                narrative=RATING_NARRATIVES[rating],
                **notes,
            )

    def load_collection_calendar(self):
        """Each state's reporting periods for its zones' first two school years, each collecting
        the indicators the demo measures in it, and each school's report moved through the cycle
        by the use cases (so the history names who and why): approved, then the last spring
        approved and the last end of year submitted for review; in Colorado one school's last
        spring returned with a comment and another's end of year still in progress (late).
        Submission dates are then set back to the demo's years (every third school a week late)."""
        admin = User.objects.get(email=demo_email("admin"))
        zones_by_state = {}
        for zone, schools in self.operating_zones:
            zones_by_state.setdefault(zone.state, []).append((zone, schools))
        colorado = self.states["CO"]
        for state, zones in zones_by_state.items():
            reviewer = getattr(
                Membership.objects.filter(role=Role.STATE_LEAD, state=state).select_related("user").first(),
                "user",
                admin,
            )
            launch = min(zone.launch_year_start for zone, _schools in zones)
            periods = []
            for year in (launch, launch + 1):
                school_year = school_year_from_start(year)
                created = accountability_cycle.create_school_year_calendar(admin, state, school_year)
                self.counts["created"] += len(created)
                periods += ReportingPeriod.objects.filter(state=state, school_year=school_year).order_by("period")
            for period in periods:
                measured = [
                    metric for metric in self.metrics.values() if period.period in self.metric_periods[metric.code]
                ]
                if set(period.indicators.all()) != set(measured):
                    period.indicators.set(measured)
            schools = [school for _zone, zone_schools in zones for school in zone_schools]
            for index, school in enumerate(schools):
                staff = self.partner_staff[school.zone.lead_partner.name]
                for period in periods:
                    if PeriodSubmission.objects.filter(school=school, reporting_period=period).exists():
                        self.counts["unchanged"] += 1
                        continue
                    self.counts["created"] += 1
                    last_spring = period == periods[-2]
                    last = period == periods[-1]
                    late = state == colorado and last and index == 0
                    returned = state == colorado and last_spring and index == 1
                    submission = accountability_cycle.save_period_values(staff, school, period, {})
                    if late:
                        continue
                    submission = accountability_cycle.submit_period(staff, submission)
                    if returned:
                        submission = accountability_cycle.return_period(reviewer, submission, comment=RETURN_COMMENT)
                    elif not last:
                        submission = accountability_cycle.approve_period(reviewer, submission)
                    self.backdate(submission, period, late_by=7 if index % 3 == 2 else 0)

    def backdate(self, submission, period, *, late_by: int):
        """Dates in the demo's years: submitted two days before the due date (or ``late_by`` days
        after it), reviewed a week after that."""
        submitted = datetime.datetime.combine(
            period.due_on + datetime.timedelta(days=late_by or -2), datetime.time(15), tzinfo=datetime.UTC
        )
        reviewed = submitted + datetime.timedelta(days=7) if submission.reviewed_at else None
        PeriodSubmission.objects.filter(pk=submission.pk).update(
            submitted_at=submitted, first_submitted_at=submitted, reviewed_at=reviewed
        )

    def load_funding(self):
        for name, kind, website, postal_code in FUNDERS:
            state = self.states.get(postal_code)
            self.funders[name] = self.upsert(Funder, {"name": name}, kind=kind, website=website, state=state)
        state_commitments = {}
        for funder, postal_code, amount, period, dates, description in COMMITMENTS:
            commitment = self.load_commitment(
                funder, self.states.get(postal_code), None, amount, period, dates, description
            )
            state_commitments[postal_code, funder] = commitment
        stages = cycle(ZONE_GRANT_STAGES)
        for zone, schools in self.operating_zones:
            launch = zone.launch_year_start
            grant_dates = (D(launch, 5, 1), D(launch, 6, 15), D(launch, 8, 15))[: next(stages)]
            grant = self.load_commitment(
                GATES, None, zone, ZONE_GRANT_AMOUNT, INITIAL_TERM, grant_dates, f"{zone} implementation grant"
            )
            self.load_expenditures(zone, schools, state_commitments[zone.state.postal_code, SIG], grant)

    def load_commitment(self, funder, state, zone, amount, period, dates, description):
        level = Commitment.RecipientLevel
        status = Commitment.STATUS_ORDER[len(dates) - 1]
        pledged_on, committed_on, received_on = (*dates, None, None)[:3]
        return self.upsert(
            Commitment,
            {
                "funder": self.funders[funder],
                "initiative": self.initiative,
                "state": zone.state if zone else state,
                "zone": zone,
                "description": description,
            },
            recipient_level=level.ZONE if zone else (level.STATE if state else level.INITIATIVE),
            amount=money(amount),
            period_start=period[0],
            period_end=period[1],
            status=status,
            pledged_on=pledged_on,
            committed_on=committed_on,
            received_on=received_on,
        )

    def load_expenditures(self, zone, schools, sig, grant):
        """Teacher compensation at each school, incentive pay and partner services for the zone."""
        launch = zone.launch_year_start
        category = Expenditure.Category
        rows = [
            (sig, school, category.ELT_COMPENSATION, money(school.enrollment * 350), D(launch, 10, 31))
            for school in schools
        ]
        rows += [
            (sig, None, category.INCENTIVE_PAY, money(25000 * len(schools)), D(launch + 1, 6, 30)),
            (sig, None, category.PARTNER_SERVICES, money(180000), D(launch, 9, 30)),
        ]
        if grant.status == Commitment.Status.RECEIVED:
            rows.append((grant, None, category.OTHER, money(60000), D(launch + 1, 1, 31)))
        for commitment, school, kind, amount, spent_on in rows:
            self.upsert(
                Expenditure,
                {"commitment": commitment, "zone": zone, "school": school, "category": kind, "spent_on": spent_on},
                amount=amount,
                description=f"{Expenditure.Category(kind).label} — {school or zone}",
            )

    def load_renewals(self):
        """Each operating zone is up for renewal at the end of its second school year (when its
        targets fall due); each state's exit criterion is its schools' targets met two years in a
        row; Colorado's state lead has decided on its first zone."""
        for state in self.states.values():
            self.upsert(ExitCriterion, {"state": state, "kind": ExitCriterion.Kind.TARGETS_MET}, years=2)
        for zone, _schools in self.operating_zones:
            self.upsert(Zone, {"pk": zone.pk}, renewal_on=D(zone.launch_year_start + 2, 6, 30))
        zone, _schools = self.operating_zones[0]
        self.upsert(
            RenewalDecision,
            {"zone": zone, "decided_on": D(zone.launch_year_start + 2, 6, 20)},
            decision=RenewalDecision.Decision.CONTINUE,
            reasons=RENEWAL_REASONS,
            decided_by=User.objects.get(email=demo_email("lead.co")),
        )


@transaction.atomic
def load_demo() -> DemoLoader:
    loader = DemoLoader()
    loader.load()
    return loader
