"""The generated half of the hostile-input corpus: large files, systematic families, seeded noise.

    python tests/lint/hostile/generate.py OUT_DIR     # writes OUT_DIR/<kind>/<name>, prints the count

Written at test time into a tmp dir (tests/lint/test_hostile_corpus.py), never committed: some
are 10 MB. Everything is deterministic (fixed seeds, sorted catalog keys), and every input is
hostile by construction, so `flink-lint` must say something about each one (exit 1 or 2):
a truncation cuts inside an open quote, bracket or value; a wrong type is one Flink's parser
rejects; a valid-but-monstrous Python file ends with a blocking call in an operator.

The directory is the kind the test passes with `--kind` (as the handwritten files next to this
script): config-yaml, flink-conf, kubernetes, job-config, detect (no --kind), python.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
MB = 1024 * 1024
HEAD = "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: generated\n"
# A valid module must still give a finding: a blocking call once per record (FL706).
BLOCKING_TAIL = ("\n\nimport time\nfrom pyflink.datastream import StreamExecutionEnvironment\n\n\n"
                 "def slow(x):\n    time.sleep(1)\n    return x\n\n\n"
                 "env = StreamExecutionEnvironment.get_execution_environment()\n"
                 "env.from_collection([1]).map(slow)\n")


def _big(out: dict) -> None:
    out["config-yaml/ten-megabytes-of-comments.yaml"] = b"parallelism.default: 1\n" + b"# padding\n" * (MB + 1)
    out["config-yaml/ten-megabytes-one-line.yaml"] = b"rest.address: " + b"a" * (10 * MB) + b"\n"
    out["config-yaml/just-over-two-mebibytes.yaml"] = b"parallelism.default: 1\n" + b"#" * (2 * MB) + b"\n"
    # just under the size limit: 150,000 keys, over the node budget of one document
    out["config-yaml/150k-keys.yaml"] = "".join(f"pipeline.k{i}: v\n" for i in range(150_000)).encode()
    out["config-yaml/megabyte-integer.yaml"] = b'parallelism.default: "' + b"1" * 1_900_000 + b'"\n'
    out["config-yaml/megabyte-duration.yaml"] = b"execution.checkpointing.interval: " + b"9" * 1_900_000 + b" ms\n"
    out["config-yaml/megabyte-legacy-list.yaml"] = b"pipeline.jars: \"" + b"a.jar;" * 300_000 + b"\"\nrest.port: x\n"
    out["config-yaml/long-flow-sequence-unclosed.yaml"] = ("pipeline.jars: [" + ", ".join(
        f"j{i}.jar" for i in range(50_000)) + "\n").encode()
    out["config-yaml/huge-value-line.yaml"] = ("rest.address: " + "a" * 500_000 + "\nparallelism.default: x\n").encode()
    out["flink-conf/ten-megabytes.flink-conf.yaml"] = b"parallelism.default: 1\n" + b"rest.port: 8081\n" * (10 * MB // 16)
    out["flink-conf/huge-value.flink-conf.yaml"] = ("rest.address: " + "x" * 1_000_000 + "\nparallelism.default: x\n").encode()
    out["flink-conf/100k-lines.flink-conf.yaml"] = "".join(f"pipeline.k{i}:v{i}\n" for i in range(100_000)).encode()
    out["kubernetes/ten-megabytes.yaml"] = (HEAD + "spec:\n  flinkConfiguration:\n    parallelism.default: x\n").encode() \
        + b"# padding\n" * (MB + 1)
    out["python/ten-megabytes.py"] = b"from pyflink.datastream import StreamExecutionEnvironment\n" + b"x = 1\n" * (10 * MB // 6)
    out["python/huge-string-literal-unterminated.py"] = b"x = '" + b"a" * (MB + 1) + b"\n"
    out["python/100k-lines.py"] = ("".join(f"v{i} = {i}\n" for i in range(100_000)) + BLOCKING_TAIL).encode()


def _nesting(out: dict) -> None:
    for depth in (63, 64, 65, 100, 1000):
        out[f"config-yaml/block-mappings-{depth}-deep.yaml"] = (
            "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "leaf: 1\n").encode()
    for depth in (65, 1000):
        out[f"config-yaml/block-sequences-{depth}-deep.yaml"] = (
            "pipeline.jars:\n" + "".join(f"{'  ' * i}-\n" for i in range(1, depth)) + "  " * depth + "- x\n").encode()
    for depth in (64, 65, 1000, 100_000):
        out[f"config-yaml/flow-{depth}-deep.yaml"] = ("parallelism.default: " + "[" * depth + "]" * depth + "\n").encode()
    out["config-yaml/flow-100000-unbalanced.yaml"] = ("pipeline.jars: " + "[{" * 50_000 + "\n").encode()
    out["kubernetes/flinkconfiguration-100-deep.yaml"] = (HEAD + "spec:\n  flinkConfiguration:\n" + "".join(
        f"{'  ' * (i + 2)}k{i}:\n" for i in range(100)) + "  " * 102 + "leaf: x\n").encode()
    out["job-config/job-100-deep.yaml"] = ("job:\n" + "".join(
        f"{'  ' * (i + 1)}k{i}:\n" for i in range(100)) + "  " * 101 + "leaf: 1\n").encode()
    python = {
        "parentheses-150": "x = " + "(" * 150 + "1" + ")" * 150,  # parses: visitors must not recurse too deep
        "parentheses-201": "x = " + "(" * 201 + "1" + ")" * 201,
        "lists-100000": "x = " + "[" * 100_000 + "]" * 100_000,
        "unary-minus-1000": "x = " + "-" * 1000 + "1",  # parses; compile() would hit the recursion limit
        "unary-minus-100000": "x = " + "-" * 100_000 + "1",  # the parser runs out of memory (MemoryError)
        "not-50000": "x = " + "not " * 50_000 + "True",
        "binop-chain-100000": "x = " + "1 + " * 100_000 + "1",  # RecursionError while building the ast
        "binop-chain-2000": "x = " + "1 + " * 2000 + "1",
        "string-concatenation-5000": "sql = " + " + ".join(["'SELECT 1 '"] * 5000),
        "attribute-chain-50000": "x = env" + ".a" * 50_000,
        "attribute-chain-2000": "x = env" + ".a" * 2000,
        "call-chain-50000": "x = env" + "()" * 50_000,
        "call-chain-2000": "x = env" + ".map(f)" * 2000,
        "subscript-chain-50000": "x = a" + "[0]" * 50_000,
        "lambda-5000": "f = " + "lambda: " * 5000 + "1",
        "lambda-150": "f = " + "lambda: " * 150 + "1",
        "functions-99": "".join(f"{' ' * i}def f{i}():\n" for i in range(99)) + " " * 99 + "pass",
        "functions-101": "".join(f"{' ' * i}def f{i}():\n" for i in range(101)) + " " * 101 + "pass",
        "classes-90": "".join(f"{' ' * i}class C{i}:\n" for i in range(90)) + " " * 90 + "pass",
        "comprehensions-150": "x = " + "[" * 150 + "y" + " for y in z]" * 150,
        "fstring-nested": "x = f'{" * 3 + "1" + "}'" * 3,
        "dict-literal-100000": "x = {" + ", ".join(f"{i}: {i}" for i in range(100_000)) + "}",
        "call-with-50000-arguments": "env.set_parallelism(" + ", ".join("1" for _ in range(50_000)) + ")",
        "if-elif-5000": "if x:\n    pass\n" + "".join(f"elif x == {i}:\n    pass\n" for i in range(5000)),
    }
    for name, source in python.items():
        out[f"python/deep-{name}.py"] = (source + BLOCKING_TAIL).encode()


def _alias_bombs(out: dict) -> None:
    for fanout, depth in ((2, 18), (3, 12), (4, 9), (9, 6), (10, 5), (50, 3), (400, 2)):
        for shape in ("seq", "map"):
            lines = []
            for level in range(depth + 1):
                name = f"l{level}"
                if level == 0:
                    items = ["x"] * fanout
                else:
                    items = [f"*l{level - 1}"] * fanout
                if shape == "seq":
                    body = "[" + ", ".join(items) + "]"
                else:
                    body = "{" + ", ".join(f"k{i}: {item}" for i, item in enumerate(items)) + "}"
                lines.append(f"pipeline.{name}: &{name} {body}")
            lines.append(f"pipeline.jars: *l{depth}")
            out[f"config-yaml/alias-bomb-{shape}-{fanout}x{depth}.yaml"] = ("\n".join(lines) + "\n").encode()
    bomb = "".join(f"    x{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else "x"] * 10) + "]\n" for i in range(6))
    out["kubernetes/alias-bomb-in-flinkconfiguration.yaml"] = (HEAD + "spec:\n  flinkConfiguration:\n" + bomb).encode()
    out["kubernetes/alias-bomb-in-configmap.yaml"] = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  config.yaml: |\n" + bomb).encode()
    out["job-config/alias-bomb-in-flink.yaml"] = ("job:\n  name: demo\nflink:\n" + bomb.replace("    ", "  ")).encode()


def _options_by_type() -> dict:
    from flink_lint.catalog import load_catalog

    catalog = load_catalog()
    found: dict = {}
    for key in sorted(catalog.options):
        option = catalog.options[key]
        if option["scope"] != "config" or option.get("list") and option["type"] != "String":
            continue
        kind = "List" if option.get("list") else option["type"]
        found.setdefault(kind, [])
        if len(found[kind]) < 2:
            found[kind].append(key)
    return found


# Values Flink's parser for the type rejects (YAML-typed: lists, maps, booleans, floats, garbage).
WRONG = {
    "Integer": ["[1, 2]", "true", "4.0", "'0x10'", "eighty", "99999999999999999999", "1_000", ".inf"],
    "Long": ["[1]", "false", "1.5", "9223372036854775808", "10L"],
    "Double": ["[0.1]", "'0,1'", "nan", "true"],
    "Float": ["[0.1]", "'1,5'", "abc"],
    "Boolean": ["yes", "on", "1", "[true]", "'true '"],
    "Duration": ["[10 s]", "true", "1.5 s", "-10 s", "10 fortnights", "PT-1S", "99999999999999999999999 d"],
    "MemorySize": ["[4g]", "1.5g", "4 GiB", "-1m", "9223372036854775807t", "true"],
    "Enum": ["[A, B]", "NOT_A_CONSTANT", "42", "true"],
    "Map": ["[a, b]", "'k1=v1'", "'k:v,k:w'"],
    "List": ["\"'unclosed;quote\""],
}


def _wrong_types(out: dict) -> None:
    options = _options_by_type()
    for kind, values in WRONG.items():
        for index, value in enumerate(values):
            key = options[kind][index % len(options[kind])]
            out[f"config-yaml/wrong-{kind.lower()}-{index}.yaml"] = f"{key}: {value}\n".encode()
    first = {kind: keys[0] for kind, keys in options.items()}
    everything = "".join(f"    {first[kind]}: {json.dumps(values[0])}\n" for kind, values in WRONG.items())
    out["kubernetes/wrong-types-everywhere.yaml"] = (HEAD + "spec:\n  flinkConfiguration:\n" + everything).encode()
    out["job-config/wrong-types-everywhere.yaml"] = ("job:\n  name: demo\nflink:\n"
                                                     + everything.replace("    ", "  ")).encode()
    out["flink-conf/wrong-types-everywhere.flink-conf.yaml"] = "".join(
        f"{first[kind]}: {values[-1]}\n" for kind, values in WRONG.items()).encode()


UNSAFE_TAGS = ["!!python/object/apply:os.system ['id']", "!!python/object/new:subprocess.Popen [['id']]",
               "!!python/object:os.PathLike {}", "!!python/name:os.system ''", "!!python/module:os ''",
               "!!python/tuple [a, b]", "!!python/bytes aGk=", "!!python/unicode x", "!!binary aGk=",
               "!!set {a, b}", "!!omap [a: 1]", "!!timestamp 2001-12-14", "!!pairs [a: 1]", "!Ref x",
               "!<tag:example.com,2000:x> 4", "!!int four", "!!bool yes", "!!float x", "!!map [a]", "!!seq {a: 1}"]


def _unsafe_tags(out: dict) -> None:
    for index, tag in enumerate(UNSAFE_TAGS):
        out[f"config-yaml/tag-{index:02d}-value.yaml"] = f"parallelism.default: {tag}\n".encode()
        out[f"config-yaml/tag-{index:02d}-nested.yaml"] = f"taskmanager:\n  memory:\n    size: {tag}\n".encode()
    for index, tag in enumerate(UNSAFE_TAGS[:6]):
        out[f"kubernetes/tag-{index:02d}.yaml"] = (HEAD + f"spec:\n  flinkConfiguration:\n    rest.port: {tag}\n").encode()
        out[f"job-config/tag-{index:02d}.yaml"] = f"job:\n  name: {tag}\n".encode()


def _encodings(out: dict) -> None:
    seeds = {
        "config-yaml": ("config", "# café\nparallelism.default: 4\nrest.address: münchen\n"),
        "flink-conf": ("legacy.flink-conf", "# café\nparallelism.default: 4\n"),
        "kubernetes": ("manifest", HEAD + "spec:\n  flinkConfiguration:\n    rest.address: münchen\n"),
        "python": ("job", "# café\nx = 1\n"),
    }
    encodings = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "latin-1", "cp1252", "mac-roman"]
    for kind, (stem, text) in seeds.items():
        suffix = ".py" if kind == "python" else ".yaml"
        for encoding in encodings:
            if kind == "python" and encoding in ("latin-1", "cp1252", "mac-roman"):
                text_bytes = text.encode(encoding) + b"y = (\n"  # with no coding cookie: not UTF-8
            else:
                text_bytes = text.encode(encoding)
            out[f"{kind}/{stem}-{encoding}{suffix}"] = text_bytes
    for encoding, sample in (("shift_jis", "日本"), ("euc-jp", "日本"), ("gb18030", "日本"), ("koi8-r", "Привет")):
        out[f"config-yaml/config-{encoding}.yaml"] = f"rest.address: {sample}\n".encode(encoding)


def _truncations(out: dict) -> None:
    """Rule fixtures (config.yaml cases) cut right after a key's colon: a null value Flink refuses;
    and cut inside an open quote or bracket: a syntax error."""
    import yaml

    count = 0
    for fixture in sorted((FIXTURES / "config").glob("*.yaml")):
        cases = yaml.safe_load(fixture.read_text(encoding="utf-8"))["cases"]
        for number, case in enumerate(cases):
            if case["kind"] != "config-yaml" or count >= 40:
                continue
            text = case["input"]
            lines = text.splitlines(keepends=True)
            keyed = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
            if keyed:
                i = keyed[len(keyed) // 2]
                cut = "".join(lines[:i]) + lines[i][:lines[i].index(": ") + 1]
                out[f"config-yaml/cut-after-colon-{fixture.stem}-{number}.yaml"] = cut.encode()
                count += 1
            opener = next((p for p in range(len(text)) if text[p] in "'\"[{" and text[p - 1:p] == " "), None)
            if opener is not None:
                out[f"config-yaml/cut-inside-{fixture.stem}-{number}.yaml"] = text[:opener + 2].encode()
                count += 1
    out["config-yaml/cut-inside-utf8.yaml"] = "parallelism.default: 4\nrest.address: mü".encode()[:-1]
    out["flink-conf/cut-mid-line.flink-conf.yaml"] = b"parallelism.default: 4\ntaskmanager.numberOfTaskSl"
    out["kubernetes/cut-inside-quote.yaml"] = (HEAD + "spec:\n  flinkConfiguration:\n    rest.port: \"80").encode()


def _code_truncations(out: dict) -> None:
    """PyFlink fixtures cut inside their last call: '(' was never closed."""
    import yaml

    for fixture in sorted((FIXTURES / "code").glob("*.yaml")):
        cases = yaml.safe_load(fixture.read_text(encoding="utf-8"))["cases"]
        text = cases[0]["input"]
        cut = text.rfind("(")
        if cut > 0:
            out[f"python/cut-{fixture.stem}.py"] = text[:cut + 1].encode()


def _controls(out: dict) -> None:
    characters = [c for c in range(1, 32) if c not in (9, 10, 13)] + [0x7F, 0x80, 0x91, 0x9F, 0xFFFE]
    for code in characters:
        out[f"config-yaml/control-{code:04x}.yaml"] = f"rest.address: a{chr(code)}b\n".encode()
    for code in (0x0B, 0x0C, 0x1B, 0x7F):
        out[f"python/control-{code:04x}.py"] = f"x = 1{chr(code)}\ny = (\n".encode()


def _noise(out: dict) -> None:
    rng = random.Random(20261128)
    for index in range(6):
        data = bytearray(rng.randbytes(rng.randint(1, 4096)))
        data[rng.randrange(len(data))] = 0xFF  # never UTF-8, whatever else it is
        out[f"config-yaml/random-bytes-{index}.yaml"] = bytes(data)
        out[f"python/random-bytes-{index}.py"] = bytes(data)
    alphabet = ":-[]&*!|>'\"%@`#,? \t\n."  # no braces: `{{ }}` would make it a Helm template
    for index in range(6):
        out[f"detect/flink-random-yaml-{index}.yaml"] = ("parallelism.default: [" + "".join(
            rng.choice(alphabet) for _ in range(rng.randint(10, 400)))).encode()


FAMILIES = (_big, _nesting, _alias_bombs, _wrong_types, _unsafe_tags, _encodings, _truncations, _code_truncations,
            _controls, _noise)


def inputs() -> dict:
    """{relative path: bytes} of every generated input."""
    out: dict = {}
    for family in FAMILIES:
        family(out)
    return out


def generate(directory) -> list:
    """Write every generated input under `directory`; returns their paths."""
    paths = []
    for relative, data in inputs().items():
        path = Path(directory) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    print(len(generate(sys.argv[1] if len(sys.argv) > 1 else "hostile-generated")))
