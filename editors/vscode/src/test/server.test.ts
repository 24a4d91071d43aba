/**
 * Drives the real Python server over stdio with the LSP client libraries VS Code uses:
 * settings from the extension's mapping, diagnostics for a legacy file, a quick fix applied.
 * Needs APIMIG_PYTHON (a Python with apimig installed); defaults to `python3`.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { after, before, test } from "node:test";

import {
  CodeAction,
  CodeActionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
  TextDocumentEdit,
} from "vscode-languageserver-protocol";
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { TextDocument } from "vscode-languageserver-textdocument";

import { SettingsReader, toServerSettings } from "../config";

const PYTHON = process.env.APIMIG_PYTHON ?? "python3";
const URI = "file:///tmp/apimig-vscode-test/legacy.py";
const LEGACY = [
  "import pandas as pd",
  "",
  "df = pd.DataFrame({'a': [1]})",
  "for k, v in df.iteritems():",
  "    print(k, v)",
  "",
].join("\n");

let server: ChildProcess;
let connection: MessageConnection;
let vscodeSettings: Record<string, unknown> = { targets: { pandas: "2.0" } };
const published: PublishDiagnosticsParams[] = [];
const waiters: Array<() => void> = [];

function reader(values: Record<string, unknown>): SettingsReader {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

function nextDiagnostics(predicate: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no diagnostics within 20 s")), 20000);
    const check = () => {
      const hit = published.find(predicate);
      if (hit) {
        clearTimeout(timer);
        resolve(hit);
        return true;
      }
      return false;
    };
    if (!check()) {
      const poll = () => {
        if (!check()) {
          waiters.push(poll);
        }
      };
      waiters.push(poll);
    }
  });
}

before(async () => {
  server = spawn(PYTHON, ["-m", "apimig.server"], { stdio: ["pipe", "pipe", "inherit"] });
  connection = createMessageConnection(
    new StreamMessageReader(server.stdout!),
    new StreamMessageWriter(server.stdin!),
  );
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    waiters.splice(0).forEach((w) => w());
  });
  // Answer the server's configuration pull the way the extension's middleware does.
  connection.onRequest(ConfigurationRequest.type, (params) =>
    params.items.map((item) => (item.section === "apimig" ? toServerSettings(reader(vscodeSettings)) : null)),
  );
  connection.onNotification("window/showMessage", () => undefined);
  connection.onNotification("window/logMessage", () => undefined);
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: "file:///tmp/apimig-vscode-test",
    initializationOptions: toServerSettings(reader(vscodeSettings)),
    capabilities: {
      workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
      textDocument: {
        publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source.fixAll"] } },
          isPreferredSupport: true,
          dataSupport: true,
        },
      },
    },
    workspaceFolders: null,
  });
  await connection.sendNotification(InitializedNotification.type, {});
});

after(async () => {
  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  connection.dispose();
  server.kill();
});

test("diagnostics for a legacy file, then the preferred quick fix applies", async () => {
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri: URI, languageId: "python", version: 1, text: LEGACY },
  });
  const params = await nextDiagnostics((p) => p.uri === URI && p.version === 1 && p.diagnostics.length > 0);
  const diag = params.diagnostics.find((d) => d.code === "pandas-dataframe-iteritems");
  assert.ok(diag, `expected pandas-dataframe-iteritems in ${JSON.stringify(params.diagnostics)}`);
  assert.deepEqual(diag.range, { start: { line: 3, character: 12 }, end: { line: 3, character: 24 } });
  assert.equal(diag.source, "apimig");
  assert.ok(diag.codeDescription?.href.startsWith("http"));

  const actions = (await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: URI },
    range: diag.range,
    context: { diagnostics: [diag], only: ["quickfix"] },
  })) as CodeAction[];
  const fix = actions.find((a) => a.isPreferred);
  assert.ok(fix?.edit?.documentChanges, `no preferred quick fix in ${JSON.stringify(actions)}`);
  const docEdit = fix.edit.documentChanges[0] as TextDocumentEdit;
  assert.equal(docEdit.textDocument.version, 1);
  const fixed = TextDocument.applyEdits(TextDocument.create(URI, "python", 1, LEGACY), docEdit.edits);
  assert.equal(fixed, LEGACY.replace("df.iteritems()", "df.items()"));

  const ignore = actions.find((a) => a.title.startsWith("Ignore pandas-dataframe-iteritems"));
  assert.ok(ignore?.edit?.documentChanges);
  const ignored = TextDocument.applyEdits(
    TextDocument.create(URI, "python", 1, LEGACY),
    (ignore.edit.documentChanges[0] as TextDocumentEdit).edits,
  );
  assert.ok(ignored.includes("for k, v in df.iteritems():  # apimig: ignore[pandas-dataframe-iteritems]\n"));
});

test("a settings change pushed by the extension changes which rules fire", async () => {
  vscodeSettings = { targets: { pandas: "2.0" }, ignore: ["pandas-dataframe-iteritems"] };
  published.length = 0;
  await connection.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { apimig: toServerSettings(reader(vscodeSettings)) },
  });
  const params = await nextDiagnostics((p) => p.uri === URI);
  assert.deepEqual(
    params.diagnostics.filter((d) => d.code === "pandas-dataframe-iteritems"),
    [],
  );
});
