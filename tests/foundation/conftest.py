import pytest
from django.core.exceptions import ValidationError


@pytest.fixture
def invalid():
    """Assert that full_clean() refuses an object for exactly the given fields; returns the messages."""

    def check(obj, *fields):
        with pytest.raises(ValidationError) as caught:
            obj.full_clean()
        errors = caught.value.message_dict
        assert set(errors) == set(fields), errors
        return errors

    return check
