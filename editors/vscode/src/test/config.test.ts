/** The settings mapping: what VS Code settings the server receives under "apimig". */
import { strict as assert } from "node:assert";
import { test } from "node:test";

import { serverCommand, SettingsReader, toServerSettings } from "../config";

function reader(values: Record<string, unknown>): SettingsReader {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test("maps every server key with the CLI meaning", () => {
  const settings = toServerSettings(
    reader({
      targets: { numpy: "2.0", pandas: 2 },
      select: ["numpy", "pandas-dataframe-append"],
      ignore: ["numpy-trapz"],
      unsafeFixes: true,
      "severity.removed": "error",
      "severity.deprecated": "hint",
      model: " /models/qwen-coder ",
      modelStrategy: "cot",
    }),
  );
  assert.deepEqual(settings, {
    targets: { numpy: "2.0", pandas: "2" },
    select: ["numpy", "pandas-dataframe-append"],
    ignore: ["numpy-trapz"],
    unsafeFixes: true,
    severity: { removed: "error", deprecated: "hint" },
    model: "/models/qwen-coder",
    modelStrategy: "cot",
  });
});

test("defaults leave [tool.apimig] in charge", () => {
  assert.deepEqual(toServerSettings(reader({ "severity.removed": "default" })), {
    targets: {},
    select: [],
    ignore: [],
    unsafeFixes: null,
    severity: {},
    model: null,
    modelStrategy: "with_rules",
  });
});

test("drops values the server would reject", () => {
  const settings = toServerSettings(
    reader({
      targets: { numpy: "", torch: null },
      select: ["numpy", 3, ""],
      ignore: "numpy-trapz, pandas",
      "severity.removed": "fatal",
    }),
  );
  assert.deepEqual(settings.targets, {});
  assert.deepEqual(settings.select, ["numpy"]);
  assert.deepEqual(settings.ignore, ["numpy-trapz", "pandas"]);
  assert.deepEqual(settings.severity, {});
});

test("server command: explicit path, then interpreter, then apimig-lsp", () => {
  assert.deepEqual(serverCommand(reader({ path: ["/venv/bin/apimig-lsp", "--log-level", "INFO"] })), {
    command: "/venv/bin/apimig-lsp",
    args: ["--log-level", "INFO"],
  });
  assert.deepEqual(serverCommand(reader({ interpreter: "/venv/bin/python" })), {
    command: "/venv/bin/python",
    args: ["-m", "apimig.server"],
  });
  assert.deepEqual(serverCommand(reader({})), { command: "apimig-lsp", args: [] });
});

test("the Python extension's interpreter comes after the apimig settings and before PATH", () => {
  const selected = "/project/.venv/bin/python";
  assert.deepEqual(serverCommand(reader({}), selected), { command: selected, args: ["-m", "apimig.server"] });
  assert.deepEqual(serverCommand(reader({ interpreter: "/other/python" }), selected), {
    command: "/other/python",
    args: ["-m", "apimig.server"],
  });
  assert.deepEqual(serverCommand(reader({ path: ["/bin/apimig-lsp"] }), selected), {
    command: "/bin/apimig-lsp",
    args: [],
  });
  assert.deepEqual(serverCommand(reader({}), " "), { command: "apimig-lsp", args: [] });
});
