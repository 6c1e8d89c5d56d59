"""The appointment flow shipped as the sample project, for the tests."""
from __future__ import annotations

from console.branch.project.model import Project
from console.branch.project.project_file import parse_project_text
from console.resources import read_resource_text

SAMPLE = "branch/projects/appointments.voitexivr"


def sample_project() -> Project:
    return parse_project_text(read_resource_text(SAMPLE)).project
