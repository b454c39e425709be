"""The report queue as Prometheus sees it (``METRICS_COLLECTORS``, read at each scrape of /metrics):
how long the oldest queued run has waited, and how many runs wait or render. A growing age with
workers up means too few workers; with none sending, a broker outage (README, "Reliability")."""

from django.db.models import Count, Min
from django.utils import timezone
from django_scopes import scopes_disabled
from prometheus_client.core import GaugeMetricFamily

from reports.models import ReportRun


class ReportQueueCollector:
    def collect(self):
        with scopes_disabled():  # the whole service's queue, every state's runs
            oldest = ReportRun.objects.filter(status=ReportRun.Status.QUEUED).aggregate(at=Min("requested_at"))["at"]
            counts = dict(
                ReportRun.objects.filter(status__in=ReportRun.UNFINISHED)
                .values_list("status")
                .annotate(n=Count("pk"))
                .order_by()
            )
        age = GaugeMetricFamily(
            "zp_report_queue_oldest_age_seconds", "Seconds the oldest queued report run has waited (0: none waits)."
        )
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
        yield age
        runs = GaugeMetricFamily("zp_report_runs_unfinished", "Report runs queued or rendering.", labels=["status"])
        for status in ReportRun.UNFINISHED:
            runs.add_metric([status], counts.get(status, 0))
        yield runs
