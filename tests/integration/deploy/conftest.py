from tests.integration.db.conftest import db_url  # noqa: F401  (fixture)
