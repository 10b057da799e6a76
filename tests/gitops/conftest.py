# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the GitOps tests; the helpers are in gitops_lib.py."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gitops_lib import Workspace  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return Workspace(str(tmp_path))


@pytest.fixture(scope="module")
def module_workspace(tmp_path_factory) -> Workspace:
    return Workspace(str(tmp_path_factory.mktemp("gitops")))
