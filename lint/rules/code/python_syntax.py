"""Python syntax: a job module that Python cannot parse (or that is too large or deep to analyze).

**What it does**
Reports, at the line and column Python gives, a syntax error in a Python file that is about Flink
(it mentions Flink), and files that cannot be analyzed: not decodable, larger than 2 MiB, or
nested so deeply that Python's parser gives up. The file is read with `ast` only: never imported,
never executed.

**Why is this bad**
The job fails at submission with a traceback instead of running, and none of the other code
rules can check the file.

**Example**
```python
ds.key_by(lambda e: e[0]
  .process(Enrich())
```

**Use instead**
```python
ds.key_by(lambda e: e[0]).process(Enrich())
```

**Fix**
None: the intent of broken code cannot be guessed safely.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext

CODE = "FL700"
NAME = "python-syntax"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    """Reported by the reader (lint/documents/python_source.py) as ReadProblems of kind
    "python-syntax", which the engine stamps with this rule; nothing to add here."""
    return iter(())
