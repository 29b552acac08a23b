"""Legacy flink-conf.yaml: a Flink 2.x target reads only config.yaml, so every key of this file is ignored.

**What it does**
Reports a legacy `flink-conf.yaml` (Flink 1.x's line format) linted for a target of Flink 2.0 or
later, on its first line. When a `config.yaml` already sits beside it (the name with
`flink-conf.yaml` replaced by `config.yaml`), the legacy file is only dead weight: a warning.
Also a ConfigMap that embeds a `flink-conf.yaml` key (the conf dir of a standalone Kubernetes
deployment), on that key.

**Why is this bad**
Flink 2.x's GlobalConfiguration loads `config.yaml` (standard YAML) and nothing else. A
configuration directory that holds only `flink-conf.yaml` makes Flink 2.3 refuse to start ("The
Flink config file '.../config.yaml' does not exist"); next to a `config.yaml`, every key in it is
silently ignored.

**Example**
```yaml
# conf/flink-conf.yaml, deployed with Flink 2.3
taskmanager.numberOfTaskSlots: 4
state.backend: rocksdb
```

**Use instead**
```yaml
# conf/config.yaml
taskmanager.numberOfTaskSlots: 4
state.backend: rocksdb   # then renamed by deprecated-key's fix: state.backend.type
```

**Fix**
`--fix` writes the equivalent `config.yaml` beside the legacy file, as Flink's
`bin/migrate-config-file.sh` does: the same keys and values as Flink reads them (quoted where YAML
would type them), flat keys in file order with every comment kept, lines Flink skipped and earlier
values of a key set twice turned into comments. The file's other safe fixes (deprecated keys
renamed) are made first, so the new `config.yaml` migrates the file as fixed and has nothing left
to fix. It never overwrites an existing file; delete the
legacy file once the new one is deployed. Not offered when the target is 1.x, nor for a
ConfigMap (rename its key to `config.yaml` and quote what YAML would type: `flink-lint --fix` on
the extracted file shows how).
"""

from __future__ import annotations

import os
from typing import Iterator

from flink_lint.migration import config_yaml_path
from flink_lint.model import Edit, FlinkConfig, Problem, RuleContext

CODE = "FL110"
NAME = "legacy-flink-conf"
SEVERITY = "error"
FIXABLE = True


def major(version: str) -> int:
    try:
        return int(version.split(".", 1)[0])
    except ValueError:
        return 2


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if major(context.flink_version) < 2:
        return
    if config.kind == "configmap" and config.context.get("embedded_kind") == "flink-conf":
        yield Problem(
            f"data.{config.context.get('embedded', 'flink-conf.yaml')}: Flink {context.flink_version} reads only "
            "config.yaml, so every key in it is ignored (and a conf dir without config.yaml makes Flink refuse "
            "to start)",
            config.location or config.settings[0].key_location,
            hint="rename the key to config.yaml, its text migrated as `flink-lint --fix` migrates a flink-conf.yaml",
        )
        return
    if config.kind != "flink-conf":
        return
    target = config_yaml_path(config.path)
    where = config.location or config.settings[0].key_location
    name = os.path.basename(target)
    if os.path.isfile(target):
        yield Problem(
            f"Flink {context.flink_version} reads only {name} (present beside this file): every key here is ignored",
            where,
            hint=f"move what is still needed into {name}, then delete this file",
            severity="warning",
        )
        return
    yield Problem(
        f"legacy flink-conf.yaml: Flink {context.flink_version} reads only config.yaml and refuses to start "
        "without one; every key in this file is ignored",
        where,
        hint=f"write the equivalent {name} beside it, as Flink's bin/migrate-config-file.sh does",
        fix=Edit("write-config-yaml", target),
    )
