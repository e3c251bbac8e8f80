"""Conference tests keep uploaded documents in a temporary folder."""

from __future__ import annotations

import pytest

from tests.conftest import make_config


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))
