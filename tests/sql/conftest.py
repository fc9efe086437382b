"""The SQL tests' lakes, `sql_lake` and `retail_lake`, live in tests/conftest.py: the
dashboard tests read them too, and a session fixture defined once is built once."""
