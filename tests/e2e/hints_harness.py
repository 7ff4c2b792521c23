"""Every hint sbzoom prints ("run 'sbzoom ...'") is a step that works: the finder and the runner.

``hint_templates()`` reads the whole ``src/sbzoom`` tree (wherever files move) and returns each
command sbzoom suggests, as written in the source: f-string parts become ``{placeholders}``,
module-level string constants are inlined. ``NOT_HINTS`` lists, with the reason, the strings that
look like commands but tell nobody to run anything.

A scenario in test_hints.py declares the templates it covers (``@covers(...)``) and uses a
``HintRunner``: it takes a command out of sbzoom's output (never hard-coded), fills the
placeholders a person would fill (ZOOM_USER, <IANA zone>...), runs it through the real CLI and
records which templates that command was. The runner fails a scenario that did not run every
template it declared; the coverage test fails a template no scenario declares.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
from typer.testing import CliRunner

import sbzoom
from sbzoom.cli.main import app
from tests.conftest import Home, Result, ScriptedPrompter

SOURCE = Path(sbzoom.__file__).parent

# Strings in src/sbzoom that look like a suggested command but are not a hint to run one.
NOT_HINTS: dict[str, str] = {
    "sbzoom Demo Studio": "the sandbox's demo company name",
    "sbzoom {__version__}\n": "the --version line",
    "sbzoom does not know the SimplyBook company to listen for.": "a sentence, not a command",
    "sbzoom held no Zoom sign-in for this profile.": "a sentence, not a command",
    "sbzoom received the sign-in. You can close this tab and return to the terminal.": (
        "the browser page after the Zoom sign-in, a sentence"
    ),
    "sbzoom no longer keeps it right": "a sentence, not a command",
    "sbzoom bookings link --cancel-orphans": "online.cancel_orphans_command's stem: every caller "
    "prints it with a booking id or --to, which are the hints (run below)",
    "sbzoom keeps only bookings that start in the window, but may miss others: report this "
    "SimplyBook behaviour, and link by booking id meanwhile.": "a sentence, not a command",
    "sbzoom sandbox": "help of `sandbox mail --url` and how to start the emulator, not a fix",
    "sbzoom listen": "names the listener (doctor's listener check, config help), or how to "
    "start a long-running server: no step a test can finish",
}

# 'sbzoom ...' or a pipe into it: 'printf %s "$X" | sbzoom auth login ...'
_INLINE = re.compile(r"'((?:[^'|]*\| )?sbzoom [^']*)'")
_PAREN = re.compile(r"\((sbzoom [a-z][^)]*)\)")
_FORMATTED = re.compile(r"\{[^{}]*\}")


def _module_constants(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            value = _text(node.value, found)
            if value is not None:
                found[node.targets[0].id] = value
    return found


def _text(node: ast.AST, constants: Mapping[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                inner = value.value
                if isinstance(inner, ast.Name) and inner.id in constants:
                    parts.append(constants[inner.id])
                else:
                    parts.append("{" + ast.unparse(inner) + "}")
        return "".join(parts)
    return None


def _docstrings(tree: ast.Module) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _commands_in(text: str) -> list[str]:
    found = [m.group(1) for m in _INLINE.finditer(text)] + _PAREN.findall(text)
    if text.startswith("sbzoom ") and "'" not in text:
        found.append(text)  # a command kept bare and quoted where it is shown
    # "printf ... | sbzoom auth login ..." suggests the sbzoom part
    return [c[c.index("sbzoom ") :] for c in found if "sbzoom " in c]


@functools.cache
def hint_templates() -> dict[str, list[str]]:
    """Each command sbzoom suggests in its source, with where (file:line) it is written."""
    found: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        docs = _docstrings(tree)
        inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if id(node) in docs or id(node) in inner:
                continue
            text = _text(node, constants)
            if text is None:
                continue
            for command in _commands_in(text):
                where = f"{path.relative_to(SOURCE)}:{getattr(node, 'lineno', 0)}"
                found.setdefault(command, []).append(where)
    return found


def pattern(template: str) -> re.Pattern[str]:
    """The commands a template prints: each ``{expression}`` is one word."""
    parts = _FORMATTED.split(template)
    return re.compile(r"(?:\S+|<[^<>]+>)".join(re.escape(p) for p in parts))


def matching(command: str, templates: list[str]) -> set[str]:
    return {t for t in templates if pattern(t).fullmatch(command)}


def suggested(text: str) -> list[str]:
    """The commands in sbzoom's output, in order, as a person would copy them."""
    return _commands_in(text)


class Browser:
    """Plays the person at the browser for `auth login zoom`: opens the URL sbzoom gives, which
    the sandbox approves and redirects to sbzoom's loopback listener."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        thread = threading.Thread(
            target=lambda: httpx.get(url, follow_redirects=True, timeout=30), daemon=True
        )
        thread.start()
        self.threads.append(thread)
        return True

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)


class LabelPrompter(ScriptedPrompter):
    """Answers each prompt by the first key its label contains (case-insensitive)."""

    def __init__(self, answers: Mapping[str, str]) -> None:
        super().__init__()
        self.by_label = dict(answers)

    def text(self, label: str, *, secret: bool = False, flag: str = "") -> str:
        self.asked.append(label)
        for key, value in self.by_label.items():
            if key.lower() in label.lower():
                return value
        raise AssertionError(f"unexpected prompt: {label}")


class HintRunner:
    """Runs the commands sbzoom suggests, and records which source templates they were."""

    def __init__(self, home: Home, env: Mapping[str, str], declared: frozenset[str]) -> None:
        self.home = home
        self.env = dict(env)
        self.declared = declared
        self.templates = list(hint_templates())
        self.ran: set[str] = set()

    def sbzoom(
        self,
        *args: str,
        stdin: str = "",
        answers: list[str] | Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        browser: Callable[[str], bool] | None = None,
    ) -> Result:
        """sbzoom in-process, as a person types it (answers: what they type at the prompts)."""
        env = {**self.env, **(extra_env or {})}
        prompter: ScriptedPrompter | None = None
        if isinstance(answers, Mapping):
            prompter = LabelPrompter(answers)
        elif answers is not None:
            prompter = ScriptedPrompter(answers)
        ctx = self.home.context(interactive=answers is not None, stdin=stdin, extra_env=env)
        factory = self.home.factory(ctx, prompter=prompter, open_browser=browser)
        result = CliRunner().invoke(app, list(args), obj=factory, input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(
            result.exit_code,
            self.home.out.getvalue() + result.stdout,
            self.home.err.getvalue() + result.stderr,
        )

    def pick(self, output: str, template: str) -> str:
        """The command in ``output`` that ``template`` prints (the first, if several)."""
        commands = suggested(output)
        for command in commands:
            if pattern(template).fullmatch(command):
                return command
        raise AssertionError(
            f"no hint {template!r} in the output; it suggests {commands}:\n{output}"
        )

    def run(
        self,
        output: str,
        template: str,
        fill: Mapping[str, str] | None = None,
        *,
        expect: int = 0,
        **how: object,
    ) -> Result:
        """Take the hint ``template`` out of ``output``, fill its placeholders, run it, and
        check it exits ``expect`` (0: it worked)."""
        command = self.pick(output, template)
        assert template in self.declared, f"{template!r} is not declared by this scenario"
        filled = command
        for placeholder, value in (fill or {}).items():
            assert placeholder in filled, (placeholder, command)
            filled = filled.replace(placeholder, value, 1)
        words = shlex.split(filled)
        assert words[0] == "sbzoom", command
        if "<" in words:  # a shell redirect: '... < token.txt' reads that file
            at = words.index("<")
            how["stdin"] = Path(words[at + 1]).read_text(encoding="utf-8")
            words = words[:at]
        result = self.sbzoom(*words[1:], **how)  # type: ignore[arg-type]
        assert result.exit_code == expect, (filled, result.stdout, result.stderr)
        self.ran |= matching(command, self.templates)
        return result

    def check_all_ran(self) -> None:
        missed = self.declared - self.ran
        assert not missed, f"declared but never run: {sorted(missed)}"
