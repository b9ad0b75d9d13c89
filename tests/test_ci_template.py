"""The candidate's workflow template is valid and cannot run on the kit itself."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "ci-templates" / "candidate-check.yml"


def test_template_runs_make_check():
    workflow = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]

    assert [step.get("run") for step in steps][-3:] == [
        "make install",
        "make data",
        "make check",
    ]


def test_template_not_among_the_kits_workflows():
    workflows = ROOT / ".github" / "workflows"

    assert not workflows.exists() or not list(workflows.glob("*.yml"))
