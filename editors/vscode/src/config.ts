/**
 * Maps the extension's `apimig.*` settings to the server's "apimig" configuration section.
 *
 * Pure (no `vscode` import) so it runs under plain Node in tests. The server reads the keys
 * `targets`, `select`, `ignore`, `unsafeFixes` and `severity`, with the CLI's meaning, and
 * `model` / `modelStrategy` (the model tier, like `apimig fix --model DIR --strategy S`).
 */

/** The subset of `vscode.WorkspaceConfiguration` the mapping needs. */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

export type Level = "error" | "warning" | "information" | "hint";
const LEVELS: readonly string[] = ["error", "warning", "information", "hint"];

export interface ServerSettings {
  targets: Record<string, string>;
  select: string[];
  ignore: string[];
  unsafeFixes: boolean | null;
  severity: Partial<Record<"removed" | "deprecated", Level>>;
  model: string | null;
  modelStrategy: Strategy;
}

export type Strategy = "basic" | "with_context" | "with_rules" | "cot";
const STRATEGIES: readonly string[] = ["basic", "with_context", "with_rules", "cot"];

function strings(value: unknown): string[] {
  if (typeof value === "string") {
    return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "") : [];
}

function level(value: unknown): Level | undefined {
  return typeof value === "string" && LEVELS.includes(value) ? (value as Level) : undefined;
}

export function toServerSettings(cfg: SettingsReader): ServerSettings {
  const targets: Record<string, string> = {};
  const rawTargets = cfg.get<Record<string, unknown>>("targets") ?? {};
  if (rawTargets && typeof rawTargets === "object") {
    for (const [lib, version] of Object.entries(rawTargets)) {
      if ((typeof version === "string" && version.trim() !== "") || typeof version === "number") {
        targets[lib] = String(version).trim();
      }
    }
  }
  const severity: ServerSettings["severity"] = {};
  for (const state of ["removed", "deprecated"] as const) {
    const chosen = level(cfg.get<string>(`severity.${state}`));
    if (chosen) {
      severity[state] = chosen;
    }
  }
  const unsafe = cfg.get<boolean | null>("unsafeFixes");
  const model = (cfg.get<string>("model") ?? "").trim();
  const strategy = cfg.get<string>("modelStrategy") ?? "";
  return {
    targets,
    select: strings(cfg.get("select")),
    ignore: strings(cfg.get("ignore")),
    unsafeFixes: typeof unsafe === "boolean" ? unsafe : null,
    severity,
    model: model !== "" ? model : null,
    modelStrategy: STRATEGIES.includes(strategy) ? (strategy as Strategy) : "with_rules",
  };
}

/**
 * The command that starts the server, first found of: `apimig.path`; `apimig.interpreter -m apimig.server`;
 * the interpreter selected in the Python extension (`selected`, so the server sees the project's
 * libraries); `apimig-lsp` on PATH.
 */
export function serverCommand(cfg: SettingsReader, selected?: string): { command: string; args: string[] } {
  const path = strings(cfg.get("path"));
  if (path.length > 0) {
    return { command: path[0], args: path.slice(1) };
  }
  const interpreter = [(cfg.get<string>("interpreter") ?? "").trim(), (selected ?? "").trim()].find((p) => p !== "");
  if (interpreter !== undefined) {
    return { command: interpreter, args: ["-m", "apimig.server"] };
  }
  return { command: "apimig-lsp", args: [] };
}

/** Settings whose change needs a server restart rather than a configuration push. */
export const RESTART_KEYS = ["apimig.enable", "apimig.path", "apimig.interpreter"];
