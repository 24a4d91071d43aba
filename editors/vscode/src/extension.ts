/** VS Code entry point: starts `apimig-lsp` over stdio, shows its state, and wires the commands. */
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { RESTART_KEYS, serverCommand, toServerSettings } from "./config";
import { onInterpreterChange, selectedInterpreter } from "./python";
import { ServerStatus } from "./status";

const SELECTOR: DocumentSelector = [
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "python" },
];

let client: LanguageClient | undefined;
let logs: vscode.OutputChannel;
let status: ServerStatus;

function settingsFor(scopeUri?: string) {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  return toServerSettings(vscode.workspace.getConfiguration("apimig", scope));
}

async function makeClient(): Promise<{ client: LanguageClient; started: string }> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const { command, args } = serverCommand(vscode.workspace.getConfiguration("apimig"), await selectedInterpreter(folder));
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: logs, // one channel across restarts, so "Show logs" keeps the history
    initializationOptions: settingsFor(),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/pyproject.toml") },
    middleware: {
      workspace: {
        // Answer the server's pull for the "apimig" section with the mapped settings.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) => (item.section === "apimig" ? settingsFor(item.scopeUri) : result[i]));
        },
      },
    },
  };
  return { client: new LanguageClient("apimig", "apimig", serverOptions, clientOptions), started: [command, ...args].join(" ") };
}

async function start(): Promise<void> {
  if (!vscode.workspace.getConfiguration("apimig").get<boolean>("enable", true)) {
    status.set("disabled", "apimig.enable is off");
    return;
  }
  status.set("starting");
  const made = await makeClient();
  client = made.client;
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      status.set("running", made.started);
    } else if (e.newState === State.Stopped) {
      status.set("stopped", made.started);
    }
  });
  try {
    await client.start();
  } catch (err) {
    status.set("failed", `${made.started}: ${err instanceof Error ? err.message : String(err)}`);
    logs.appendLine(`apimig: could not start \`${made.started}\`: ${String(err)}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function fixWorkspace(): Promise<void> {
  if (!client) {
    void vscode.window.showWarningMessage("apimig: the server is not running");
    return;
  }
  const result = (await client.sendRequest(ExecuteCommandRequest.type, {
    command: "apimig.server.fixWorkspace",
    arguments: [],
  })) as { files?: number; fixes?: number } | null;
  void vscode.window.showInformationMessage(`apimig: ${result?.fixes ?? 0} fixes in ${result?.files ?? 0} files`);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  logs = vscode.window.createOutputChannel("apimig");
  status = new ServerStatus(SELECTOR);
  context.subscriptions.push(
    logs,
    status,
    vscode.commands.registerCommand("apimig.restartServer", restart),
    vscode.commands.registerCommand("apimig.showLogs", () => logs.show(true)),
    vscode.commands.registerCommand("apimig.fixWorkspace", fixWorkspace),
    await onInterpreterChange(() => void restart()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("apimig")) {
        return;
      }
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) {
        await restart();
      } else if (client) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { apimig: settingsFor() },
        });
      }
    }),
    { dispose: () => void stop() },
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
