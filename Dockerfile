# One image for the web server (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

# System libraries WeasyPrint needs to render PDF briefs (the same list as the Makefile's WEASYPRINT_LIBS).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# Static files are collected at build time; the placeholder key only serves this step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 zone \
    && mkdir -p /app/media /app/private \
    && chown -R zone /app/media /app/private
USER zone

EXPOSE 8000
# Timeout, workers and their recycling: config/gunicorn.conf.py (says why the numbers).
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
