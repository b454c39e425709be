"""The Celery worker itself under broker faults (issue #13, finding 6): a real worker subprocess whose
broker connection goes through a FaultProxy the test controls."""

import time

import pytest

from reports.models import ReportRun

from .workers import finished, needs_redis, request_brief, running, through

pytestmark = [needs_redis]

DROP_SECONDS = 5


@pytest.mark.parametrize("into_render", [0.5, 3.0])
def test_a_broker_drop_during_a_task_leaves_a_working_worker(big_state, redis_proxy, workers, into_render):
    """Redis drops for 5 s (connections reset, new ones refused) while the worker renders a brief."""
    worker = workers("broker-drop", broker_url=through(redis_proxy))
    run = request_brief(big_state)
    running(run)
    time.sleep(into_render)  # the fault's timing within the render, not a wait for an event
    redis_proxy.set_mode("drop")
    time.sleep(DROP_SECONDS)  # the outage itself lasts 5 s
    redis_proxy.set_mode("pass")

    assert finished(run, 60).status == ReportRun.Status.DONE
    assert worker.alive(), worker.log()[-3000:]
    later = request_brief(big_state, period="2012-02")
    assert finished(later, 60).status == ReportRun.Status.DONE, "the worker runs a later task"
    assert worker.alive()
