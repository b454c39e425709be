"""Shared building blocks of the browser pages (not an app: no models, no URLs)."""
