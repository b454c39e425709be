"""The leading indicators the federal School Improvement Grants (ESEA section 1003(g)) ask states
to report for each school, preloaded in the initiative's catalog beside the achievement metrics:
every state collects them, none owns them. Codes start with ``sig-`` so they never clash with a deployment's own metric
codes; removing the migration removes exactly these rows."""

from decimal import Decimal

from django.db import migrations

PARTICIPATION = (
    "Share of {who} enrolled in the tested grades who took the state's reading/language arts and "
    "mathematics assessments (regular or alternate), as the state reports participation under ESEA."
)

# code, name, unit, direction, lowest grade, highest grade, max value, description
SIG_INDICATORS = (
    (
        "sig-minutes-school-year",
        "Minutes in the school year",
        "minutes",
        "higher",
        "K",
        "12",
        Decimal("100000"),
        "Number of minutes of instruction scheduled in the school year for students (the school day's "
        "instructional minutes times its days), including extended learning time the school adds.",
    ),
    (
        "sig-participation-all",
        "Assessment participation: all students",
        "percent",
        "higher",
        "3",
        "12",
        None,
        PARTICIPATION.format(who="all students"),
    ),
    (
        "sig-participation-swd",
        "Assessment participation: students with disabilities",
        "percent",
        "higher",
        "3",
        "12",
        None,
        PARTICIPATION.format(who="students with disabilities (IDEA)"),
    ),
    (
        "sig-participation-el",
        "Assessment participation: English learners",
        "percent",
        "higher",
        "3",
        "12",
        None,
        PARTICIPATION.format(who="English learners"),
    ),
    (
        "sig-participation-ed",
        "Assessment participation: economically disadvantaged students",
        "percent",
        "higher",
        "3",
        "12",
        None,
        PARTICIPATION.format(who="economically disadvantaged students"),
    ),
    (
        "sig-dropout-rate",
        "Dropout rate",
        "percent",
        "lower",
        "9",
        "12",
        None,
        "Share of students in grades 9–12 who left school during the school year without graduating "
        "or transferring to another school (the state's event dropout rate).",
    ),
    (
        "sig-student-attendance",
        "Student attendance rate",
        "percent",
        "higher",
        "K",
        "12",
        None,
        "Average daily attendance: the days students attended as a share of the days they were enrolled.",
    ),
    (
        "sig-advanced-coursework",
        "Students completing advanced coursework",
        "percent",
        "higher",
        "9",
        "12",
        None,
        "Share of students in grades 9–12 who completed an advanced course: Advanced Placement, "
        "International Baccalaureate, early-college high school or dual enrollment classes.",
    ),
    (
        "sig-discipline-incidents",
        "Discipline incidents per 100 students",
        "per_100",
        "lower",
        "K",
        "12",
        None,
        "Discipline incidents recorded in the school year (incidents leading to suspension, expulsion or "
        "referral to law enforcement), per 100 students enrolled.",
    ),
    (
        "sig-truancy",
        "Truancy rate",
        "percent",
        "lower",
        "K",
        "12",
        None,
        "Share of students who were truant under the state's definition (unexcused absences above its "
        "threshold) during the school year.",
    ),
    (
        "sig-teacher-effectiveness",
        "Teachers rated effective or better",
        "percent",
        "higher",
        "K",
        "12",
        None,
        "Distribution of teachers by performance level on the district's evaluation system: the share of "
        "the school's teachers rated effective or highly effective.",
    ),
    (
        "sig-teacher-attendance",
        "Teacher attendance rate",
        "percent",
        "higher",
        "K",
        "12",
        None,
        "Days teachers were present as a share of their contracted working days (professional development "
        "days count as present).",
    ),
)

CODES = [row[0] for row in SIG_INDICATORS]


def add_catalog(apps, schema_editor):
    Metric = apps.get_model("accountability", "Metric")
    for code, name, unit, direction, lowest, highest, max_value, description in SIG_INDICATORS:
        Metric.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "min_value": Decimal("0"),
                "max_value": Decimal("100") if unit == "percent" else max_value,
                "lowest_grade": lowest,
                "highest_grade": highest,
                "description": description,
                "kind": "leading",
                "state": None,
            },
        )


def remove_catalog(apps, schema_editor):
    apps.get_model("accountability", "Metric").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0006_accountability_cycle")]

    operations = [migrations.RunPython(add_catalog, remove_catalog)]
