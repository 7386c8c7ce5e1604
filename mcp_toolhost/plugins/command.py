"""Running a manifest's program: argv from the template, and a sandbox around the child.

- Arguments become argv elements, never shell text: no shell runs, so `; rm -rf /`,
  `$(...)` and backticks are just characters. An argument that starts with `-` after
  substitution would be read as an option by most programs, so it is refused unless
  the manifest's own text put the `-` there, it is a flag's value, or the template
  puts `--` before it (`Template.check`).
- A `path` parameter's value is resolved and confined to the roots exactly as the
  file tools' paths are (`_paths.confine`); the program gets the real absolute path.
- The environment is scrubbed: only the variables a manifest sets (`env`) or names
  (`pass_env`) reach the program, plus `PATH` (`os.defpath` unless the manifest gives one).
- The program runs through `mcp_toolhost._subprocess.run_program`, sandboxed: resource
  limits (CPU seconds, address space, open files, no core dumps), a process group of its
  own that is killed on timeout, cancellation, an output overflow and after it exits,
  and stdout capped (the program is stopped there) with stderr kept up to 64 KiB.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .._paths import Roots, confine, roots_for_call, roots_in_force
from .._redact import redact_values, secret_values
from .._subprocess import Completed, Limits, run_program
from .._toml import did_you_mean
from .._tools.tool import Tool, ToolOptions
from ..errors import ArgumentsError, ConfigError, ToolError

if TYPE_CHECKING:
    from .._tools.signature import FunctionSchema
    from ..config import Settings
    from .manifest import Parameter, ToolSpec

__all__ = ["CommandTool", "Template", "TemplateError"]

_PLACEHOLDER: Final = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STDERR_CAP: Final = 64 * 1024
_SHOWN_STDERR: Final = 4000


# --- The argv template -----------------------------------------------------------------


class TemplateError(ValueError):
    """The template cannot work with its parameters; `problems` says each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True, slots=True)
class _Element:
    """One item of the template: literal text, a whole `{param}`, or text with `{param}`s inside."""

    pieces: tuple[tuple[bool, str], ...]
    """(is_parameter, text) in order."""
    text: str
    """The item as the manifest writes it."""

    @property
    def whole(self) -> str | None:
        if len(self.pieces) == 1 and self.pieces[0][0]:
            return self.pieces[0][1]
        return None

    @property
    def params(self) -> list[str]:
        return [text for is_param, text in self.pieces if is_param]

    @property
    def option(self) -> bool:
        """Whether the manifest's own text starts the item with '-' (`--count={n}`): an option it chose."""
        is_param, text = self.pieces[0]
        return not is_param and text.startswith("-")


def _parse_element(item: str) -> _Element:
    pieces: list[tuple[bool, str]] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(item):
        literal += item[position : match.start()]
        position = match.end()
        if match.group(1) is None:
            literal += match.group(0)[0]  # "{{" or "}}"
            continue
        if literal:
            pieces.append((False, literal))
            literal = ""
        pieces.append((True, match.group(1)))
    literal += item[position:]
    if literal or not pieces:
        pieces.append((False, literal))
    return _Element(tuple(pieces), item)


@dataclass(frozen=True, slots=True)
class Template:
    """A checked argv template; `argv(arguments)` builds the command line."""

    elements: tuple[_Element, ...]
    parameters: Mapping[str, Parameter]
    operands: int
    """Index of the first element after a literal '--': from there on nothing is read as an option."""

    @classmethod
    def parse(cls, command: tuple[str, ...], parameters: Mapping[str, Parameter], stdin: str | None) -> Template:
        """The template of `command`; raises TemplateError listing every problem."""
        elements = tuple(_parse_element(item) for item in command)
        problems: list[str] = []
        if elements[0].params:
            problems.append("the program (first item) cannot be a parameter: the client would choose what runs")
        uses: dict[str, int] = {}
        operands = len(elements)
        for number, element in enumerate(elements):
            if element.pieces == ((False, "--"),):
                operands = min(operands, number + 1)
            for name in element.params:
                if name not in parameters:
                    problems.append(
                        f"item {number} ({command[number]!r}) names no parameter {name!r}"
                        f"{did_you_mean(name, parameters)}; write '{{{{' and '}}}}' for literal braces"
                    )
                    continue
                uses[name] = uses.get(name, 0) + 1
                param = parameters[name]
                if element.whole is None and (param.flag is not None or param.schema["type"] in ("array", "boolean")):
                    problems.append(
                        f"item {number} ({command[number]!r}): {name!r} can only be inside text if it is a "
                        "string or number without a flag; give it an item of its own: '{" + name + "}'"
                    )
        for name in parameters:
            count = uses.get(name, 0)
            if name == stdin:
                if count:
                    problems.append(f"parameter {name!r} is the program's stdin; it cannot also be in the command")
            elif count == 0:
                problems.append(f"parameter {name!r} is not used: put '{{{name}}}' in the command")
            elif count > 1:
                problems.append(f"parameter {name!r} appears {count} times; use it once")
        if problems:
            raise TemplateError(problems)
        return cls(elements, parameters, operands)

    def check(self, arguments: Mapping[str, Any], given: Collection[str]) -> list[dict[str, str]]:
        """Problems with values that the JSON Schema cannot see: NUL bytes, arguments read as options.

        `arguments` are the values the program gets (defaults included); `given` names the
        ones the client chose. Each argument is checked as the program will see it, after
        substitution, whatever the type: `-1` from a number, or `-la` from `{folder}{name}`
        with an empty folder, would be read as an option. Exempt are items the manifest
        itself starts with '-' (`--count={n}`), a flag's value (the flag takes it), and
        anything after a literal '--' (POSIX utility syntax guideline 10).
        """
        problems = []
        for name, value in arguments.items():
            for i, item in enumerate(_items(value)):
                if isinstance(item, str) and "\0" in item:
                    path = f"{name}[{i}]" if isinstance(value, list) else name
                    problems.append({"path": path, "message": "must not contain NUL characters"})
        for element in self.elements[1 : self.operands]:
            whole = element.whole
            if element.option:
                continue
            if whole is not None:
                param = self.parameters[whole]
                value = arguments.get(whole)
                if param.flag is not None or whole not in given or value is None:
                    continue
                for i, item in enumerate(_items(value)):
                    text = _text(item)
                    if text.startswith("-"):
                        path = f"{whole}[{i}]" if isinstance(value, list) else whole
                        problems.append({"path": path, "message": _option_like(text)})
                continue
            if any(arguments.get(name) is None for name in element.params):
                continue  # the item is left out
            text = "".join(_text(arguments[t]) if is_param else t for is_param, t in element.pieces)
            if not text.startswith("-"):
                continue
            # The parameters up to the first one that put text there made the '-' lead.
            leading = []
            for is_param, piece in element.pieces:
                if not is_param:
                    break
                leading.append(piece)
                if _text(arguments[piece]):
                    break
            chosen = [name for name in leading if name in given]
            if chosen:
                problems.append({"path": chosen[-1], "message": _option_like(text, element.text)})
        return problems

    def argv(self, arguments: Mapping[str, Any]) -> list[str]:
        """The command line for validated `arguments`; a parameter left out contributes nothing."""
        argv: list[str] = []
        for element in self.elements:
            whole = element.whole
            if whole is not None:
                argv += self._expand(self.parameters[whole], arguments.get(whole))
            elif any(arguments.get(name) is None for name in element.params):
                continue  # an optional value inside text: the whole item goes
            else:
                argv.append("".join(_text(arguments[t]) if is_param else t for is_param, t in element.pieces))
        return argv

    @staticmethod
    def _expand(param: Parameter, value: Any) -> list[str]:
        if value is None:
            return []
        flag = param.flag
        if param.schema["type"] == "boolean":
            return [flag] if value and flag else []
        values = _items(value)
        if flag is None:
            return [_text(item) for item in values]
        if flag.endswith("="):
            return [flag + _text(item) for item in values]
        return [part for item in values for part in (flag, _text(item))]


def _option_like(argument: str, item: str | None = None) -> str:
    if item is None:
        problem = f"must not start with '-': the program would read {argument!r} as an option"
    else:
        problem = f"makes the argument {argument!r} (from {item!r}) start with '-': the program would read it"
        problem += " as an option"
    return problem + "; give a value that does not start with '-' (a file: './-name')"


def _items(value: Any) -> list[Any]:
    """An array's items, or a single value as the one item."""
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)  # true/false, 3, 0.5


# --- The tool ------------------------------------------------------------------------


def _describe_exit(code: int) -> str:
    if code >= 0:
        return f"exited with status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    if name == "SIGXCPU":
        return "was stopped: it used up its CPU time limit (SIGXCPU)"
    return f"was killed by {name}"


class CommandTool(Tool):
    """A manifest's `[[tool]]`: validates arguments against its JSON Schema, runs the program.

    An ordinary `Tool` to the rest of the server; only its schema comes from the
    manifest instead of a function's signature.
    """

    def __init__(self, spec: ToolSpec, settings: Settings) -> None:
        self.spec = spec
        self.template = Template.parse(spec.command, spec.parameters, spec.stdin)
        self.program = _resolve_program(spec)
        # Resolved once, like the file tools' roots; only path parameters need them.
        wants_roots = any(param.path for param in spec.parameters.values())
        self.roots = roots_in_force(settings.roots) if wants_roots else Roots(())
        self.run_timeout = spec.timeout or settings.command_timeout
        self.max_output = spec.output.max_bytes or settings.command_max_output_bytes
        self._output_validator: Any = None
        self.limits = Limits(
            cpu_seconds=spec.cpu_seconds or settings.command_cpu_seconds,
            memory_bytes=spec.memory_bytes or settings.command_memory_bytes,
            open_files=spec.open_files or settings.command_open_files,
        )
        hints = spec.hints
        options = ToolOptions(
            name=spec.name,
            title=spec.title,
            description=spec.description,
            read_only_hint=hints.get("read_only_hint"),
            destructive_hint=hints.get("destructive_hint"),
            idempotent_hint=hints.get("idempotent_hint"),
            open_world_hint=hints.get("open_world_hint"),
            # The program's own timeout answers first, with its partial output; the server's
            # per-call timeout is a backstop a second later.
            timeout=self.run_timeout + 1,
        )
        super().__init__(self._call, options)

    def _build_schema(self) -> FunctionSchema:
        import jsonschema

        from .._tools.given_schema import problems
        from .._tools.signature import FunctionSchema

        spec = self.spec
        properties = {name: dict(param.schema) for name, param in spec.parameters.items()}
        required = [name for name, param in spec.parameters.items() if param.required]
        input_schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            input_schema["required"] = required
        input_schema["additionalProperties"] = False
        validator = jsonschema.Draft202012Validator(input_schema)
        defaults = {name: p.schema["default"] for name, p in spec.parameters.items() if "default" in p.schema}

        def validate(arguments: dict[str, Any]) -> dict[str, Any]:
            found = problems(validator, arguments)
            if found:
                raise ArgumentsError(found)
            values, found = self._confine_paths({**defaults, **arguments})
            found += self.template.check(values, arguments.keys())
            if found:
                raise ArgumentsError(found)
            return {"arguments": values}

        declared = spec.output.schema
        self._output_validator = jsonschema.Draft202012Validator(declared) if declared is not None else None
        output_schema = None
        wraps = False
        if spec.output.format == "json":
            output_schema = spec.output.schema or {"type": "object"}
            if output_schema.get("type") != "object":
                wraps = True
                output_schema = {"type": "object", "properties": {"result": output_schema}, "required": ["result"]}
        return FunctionSchema(
            input_schema=input_schema,
            output_schema=output_schema,
            wraps_result=wraps,
            context_parameter=None,
            _validate=validate,
            _serialize=_same if output_schema is not None else None,
        )

    def _confine_paths(self, arguments: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """`arguments` with each path parameter's value resolved inside the roots, as the file tools do."""
        values = dict(arguments)
        problems = []
        for name, param in self.spec.parameters.items():
            value = arguments.get(name)
            if not param.path or value is None:
                continue
            items, resolved, roots = _items(value), [], roots_for_call(self.roots)
            for i, item in enumerate(items):
                try:
                    resolved.append(str(confine(item, roots)))
                except ToolError as exc:
                    problems.append({"path": f"{name}[{i}]" if isinstance(value, list) else name, "message": str(exc)})
            if len(resolved) == len(items):
                values[name] = resolved if isinstance(value, list) else resolved[0]
        return values, problems

    def environment(self) -> dict[str, str]:
        env = {"PATH": os.defpath}
        env.update({name: os.environ[name] for name in self.spec.pass_env if name in os.environ})
        env.update(self.spec.env)
        return env

    async def _call(self, arguments: dict[str, Any]) -> Any:
        spec = self.spec
        argv = [self.program, *self.template.argv(arguments)[1:]]
        stdin = None
        if spec.stdin is not None:
            value = arguments.get(spec.stdin)
            stdin = b"" if value is None else _text(value).encode()
        try:
            done = await run_program(
                argv,
                cwd=spec.cwd,
                env=self.environment(),
                stdin=stdin,
                timeout=self.run_timeout,
                max_output=self.max_output,
                max_stderr=_STDERR_CAP,
                limits=self.limits,
                stop_at_cap=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:  # the latter: a limit could not be set
            raise ToolError(f"Could not start {spec.command[0]!r}: {getattr(exc, 'strerror', None) or exc}") from None
        return self._result(done)

    def _result(self, done: Completed) -> Any:
        program = self.spec.command[0]
        # The secrets the manifest hands the program (`pass_env`, `env`) are masked in what it
        # prints, as run_command masks the server's: a verbose program would show the model them.
        secrets = secret_values(self.environment())
        stdout = redact_values(done.stdout.decode("utf-8", errors="replace"), secrets)
        if done.timed_out:
            raise ToolError(
                f"{program!r} did not finish within {self.run_timeout:g} second{'s' * (self.run_timeout != 1)};"
                " it was stopped"
                f" (process group killed).{_tail('Output so far', stdout)}{_tail('Errors', _stderr(done, secrets))}"
            )
        if not done.stdout_truncated and done.exit_code not in self.spec.output.exit_codes:
            assert done.exit_code is not None
            ended = _describe_exit(done.exit_code)
            raise ToolError(f"{program!r} {ended}.{_tail('Errors', _stderr(done, secrets))}{_tail('Output', stdout)}")
        if self.spec.output.format == "json":
            if done.stdout_truncated:
                raise ToolError(
                    f"{program!r} printed more than {self.max_output} bytes; the output was cut and cannot be"
                    " parsed as JSON."
                )
            try:
                value = json.loads(stdout)
            except ValueError as exc:
                raise ToolError(f"{program!r} did not print valid JSON: {exc}.{_tail('Output', stdout)}") from None
            _ = self.schema  # builds the output validator
            if self._output_validator is not None:
                # server/tools, "Output Schema": structured results MUST conform to it.
                from .._tools.given_schema import mismatch

                wrong = mismatch(self._output_validator, value)
                if wrong is not None:
                    raise ToolError(f"{program!r} printed JSON that does not match its output schema: {wrong}")
            if self.schema.wraps_result:
                return {"result": value}
            return value if isinstance(value, dict) else {"result": value}
        from .._tools.content import Text

        if done.stdout_truncated:
            note = (
                f"[output truncated: only the first {self.max_output} bytes are shown; the program was stopped there]"
            )
            return [Text(stdout), Text(note)]
        # Like a shell's $(...): the conventional final newline is not part of the answer.
        return stdout.removesuffix("\n") or "(no output)"


def _same(value: Any) -> Any:
    return value  # parsed JSON is JSON-compatible already


def _stderr(done: Completed, secrets: list[str]) -> str:
    text = redact_values(done.stderr.decode("utf-8", errors="replace"), secrets)
    return text + ("\n[stderr truncated]" if done.stderr_truncated else "")


def _tail(label: str, text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if len(text) > _SHOWN_STDERR:
        text = "..." + text[-_SHOWN_STDERR:]
    return f"\n{label}:\n{text}"


def _resolve_program(spec: ToolSpec) -> str:
    """The program's absolute path: relative to the manifest if it has a '/', else on PATH."""
    program = spec.command[0]
    if "/" in program:
        path = (spec.manifest.parent / program).resolve()
        if not os.access(path, os.X_OK) or path.is_dir():
            raise ConfigError(f"tool {spec.name!r}: program {program!r} is not an executable file ({path})")
        return str(path)
    search = spec.env.get("PATH") or os.environ.get("PATH", os.defpath)
    found = shutil.which(program, path=search)
    if found is None:
        raise ConfigError(f"tool {spec.name!r}: program {program!r} not found on PATH")
    return os.path.abspath(found)
