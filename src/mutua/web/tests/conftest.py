from mutua.community.tests.conftest import in_town, other_town, town  # noqa: F401
