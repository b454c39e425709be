"""Reading the API's problem details (web.problems) in tests."""

PROBLEM = "application/problem+json"


def field_errors(response) -> dict[str, list[str]]:
    """A 400 problem's messages by field ("" for the whole object; "values.reading" when nested)."""
    assert response["Content-Type"] == PROBLEM, response.content
    by_field = {}
    for error in response.json()["errors"]:
        by_field.setdefault(error["field"], []).append(error["message"])
    return by_field


def comparable(response) -> bytes:
    """The body without a problem's correlation id (each request has its own), to compare answers."""
    if response["Content-Type"] != PROBLEM:
        return response.content
    return response.content.replace(response.json()["correlation_id"].encode(), b"")
