"""Whatever bytes arrive, reading them gives a table or a clear ImportFileError, never a crash."""

from hypothesis import given, settings
from hypothesis import strategies as st

from imports.reading import LEGACY_XLS_SIGNATURE, XLSX_SIGNATURE, ImportFileError, read_table

prefixes = st.sampled_from([b"", XLSX_SIGNATURE, LEGACY_XLS_SIGNATURE, b"\xff\xfe", b"\xef\xbb\xbf", b"a,b\n"])
texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300).map(str.encode)


@settings(max_examples=300, deadline=None)
@given(prefix=prefixes, body=st.one_of(st.binary(max_size=600), texts))
def test_any_bytes_read_or_fail_clearly(prefix, body):
    try:
        table = read_table(prefix + body)
    except ImportFileError as error:
        assert str(error)
    else:
        assert table.rows and all(number > 1 for number, _cells in table.rows)
