"""Plaintext secret: a credential written into the configuration.

**What it does**
Reports keys that hold credentials (`s3.secret-key`, `s3.access-key`, `fs.s3a.secret.key`,
`fs.s3a.access.key`, `*password`, `*secret`, `*token`, `*api-key`) with a literal value. Values
that are placeholders filled at deploy time (`${S3_SECRET_KEY}`, `{{ .Values.key }}`) are fine.
The message never repeats the value.

**Why is this bad**
Configuration files are committed, reviewed, copied into images and ConfigMaps, and logged by
Flink at startup (only some key names are masked): the credential leaks to everyone who can
read any of those.

**Example**
```yaml
s3.access-key: AKIAIOSFODNN7EXAMPLE
s3.secret-key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
```

**Use instead**
```yaml
# credentials from the environment (ENABLE_BUILT_IN_PLUGINS + AWS_* variables) or an IAM role;
# or a placeholder substituted at deploy time:
s3.secret-key: ${S3_SECRET_KEY}
```

**Fix**
none.
"""

from __future__ import annotations

import re
from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL601"
NAME = "plaintext-secret"
SEVERITY = "warning"
FIXABLE = False

_SECRET_KEY = re.compile(
    r"(?:^|[.\-_])(?:password|passwd|secret[.\-_]?key|access[.\-_]?key|secret|session[.\-_]?token|token|"
    r"api[.\-_]?key)$",
    re.IGNORECASE,
)


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    for setting in config.settings:
        if not _SECRET_KEY.search(setting.key):
            continue
        value = (setting.value or "").strip()
        if not value or setting.templated:
            continue
        yield Problem(
            f"'{setting.key}' holds a plaintext credential: anyone who can read this file (or Flink's startup log) "
            "has it",
            setting.value_location,
            hint="inject it at deploy time (environment variable, Kubernetes Secret, ${VAR} placeholder)",
        )
