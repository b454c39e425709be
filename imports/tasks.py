"""Applying an import outside the web request: a 50,000-row file takes longer than a request may
(the server's timeout, config/gunicorn.conf.py), so the page and the API claim the batch and a
worker applies it (``apply_import_batch``), counting the rows it has checked on the batch.

The task is idempotent: it applies only a batch still ``applying`` and writes the rows together
with the final status in one transaction, so a redelivered message (``acks_late``) or a second
dispatch after a lost claim writes nothing twice. Lost database connections are retried; a final
failure (or a time limit) fails the batch with its reason, never leaving it applying.

Without a broker (Celery eager: ``REDIS_URL`` unset, and the tests) the apply runs inline in the
request, as it did before there was a task."""

import logging
from functools import partial

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

from . import services
from .models import ImportBatch

logger = logging.getLogger(__name__)


class ApplyTask(Task):
    """Records the final failure of an apply (after retries, or a time limit) on its batch."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Import #%s failed: %s", args[0], exc)
        services.finish_apply(args[0], None, f"The import stopped ({type(exc).__name__}); nothing was written.")


@shared_task(
    base=ApplyTask,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
    # 50,000 rows take about 15 s on an idle machine and a few times that under load.
    soft_time_limit=540,
    time_limit=600,
)
def apply_import_batch(batch_pk: int) -> str:
    return services.run_apply(batch_pk).status


def dispatch_apply(batch: ImportBatch) -> ImportBatch:
    """Have a claimed batch applied: inline when Celery is eager, else by a worker once the claim
    commits (the worker must see the batch applying)."""
    if apply_import_batch.app.conf.task_always_eager:
        return services.run_apply(batch.pk)
    transaction.on_commit(partial(send_apply, batch.pk))
    return batch


def send_apply(batch_pk: int) -> None:
    """Send the task. Without a reachable broker the claim is given back (the batch is a dry run
    again, to be applied later) rather than left applying with no task to finish it."""
    try:
        apply_import_batch.delay(batch_pk)
    except (BrokerError, OSError) as error:
        logger.error("Import #%s: the task could not be sent (%s); the batch is a dry run again", batch_pk, error)
        services.release_claim(batch_pk)
