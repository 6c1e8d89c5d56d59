"""The project as the runtime reads it: each reply as the exact JSON text the
endpoint returns, each condition as typed. The offline walk and the exported
endpoint both run on this, so they give the same replies."""
from __future__ import annotations

from typing import Any

from console.branch.project.model import Project
from console.branch.project.runtime import RuntimeProject, load_project, version_of
from console.branch.schema import design_to_json


def runtime_data(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "fallback": design_to_json(project.fallback, compact=True),
        "triggers": [{
            "branch": trigger.branch,
            "name": trigger.name,
            "rules": [{"name": rule.name, "when": rule.when,
                       "reply": design_to_json(rule.reply, compact=True)}
                      for rule in trigger.rules],
            "otherwise": design_to_json(trigger.otherwise, compact=True),
        } for trigger in project.triggers],
    }


def runtime_project(project: Project) -> RuntimeProject:
    return load_project(runtime_data(project))


def project_version(project: Project) -> str:
    """The version hash the exported endpoint prints: it changes with any rule
    or reply, and not with the walks or the project's other settings."""
    return version_of(runtime_data(project))
