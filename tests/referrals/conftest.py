"""The regions' fixtures, for the referral figures of a region."""

from tests.regions.conftest import region_of  # noqa: F401
