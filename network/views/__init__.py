"""The network's pages, one module per part: ``activity`` (activity reports), ``meetings``
(meetings, documents and action items), ``calendar`` (calendar feeds)."""
