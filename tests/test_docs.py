"""The README is the first thing a reader sees: its promises are checked here."""
import re
from pathlib import Path

from rupture_widgets.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_a_pitch_and_the_two_commands():
    lines = [ln for ln in README.splitlines() if ln.strip()]
    assert lines[0].startswith("# ")
    assert len(lines[1]) > 40 and not lines[1].startswith(("#", "`"))
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in first_block.splitlines() if ln.strip()]
    assert commands == ["make serve", "make test"]
    assert README.index("make serve") < README.index("## ")


def _subcommands(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                path = prefix + (name,)
                children = list(_subcommands(sub, path))
                yield from children or [path]


def test_every_cli_command_is_documented_in_the_readme():
    commands = [" ".join(("rupture",) + p) for p in _subcommands(build_parser())]
    assert "rupture clips check" in commands
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "playwright install" not in ci
