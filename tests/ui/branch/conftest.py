"""Fixtures the tester panel's tests share with tests/ui/test_branch_tab.py."""
from tests.branch.fake_endpoint import fake_endpoint  # noqa: F401 - fixture
from tests.ui.test_branch_tab import tab  # noqa: F401 - fixture
