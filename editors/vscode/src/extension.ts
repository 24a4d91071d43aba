/** VS Code entry point: starts `apimig-lsp` over stdio and wires the two commands. */
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { RESTART_KEYS, serverCommand, toServerSettings } from "./config";

let client: LanguageClient | undefined;

function settingsFor(scopeUri?: string) {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  return toServerSettings(vscode.workspace.getConfiguration("apimig", scope));
}

function makeClient(): LanguageClient {
  const { command, args } = serverCommand(vscode.workspace.getConfiguration("apimig"));
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
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
  return new LanguageClient("apimig", "apimig", serverOptions, clientOptions);
}

async function start(): Promise<void> {
  if (!vscode.workspace.getConfiguration("apimig").get<boolean>("enable", true)) {
    return;
  }
  client = makeClient();
  await client.start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("apimig.restartServer", async () => {
      await stop();
      await start();
    }),
    vscode.commands.registerCommand("apimig.fixWorkspace", async () => {
      if (!client) {
        void vscode.window.showWarningMessage("apimig: the server is not running");
        return;
      }
      const result = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: "apimig.server.fixWorkspace",
        arguments: [],
      })) as { files?: number; fixes?: number } | null;
      void vscode.window.showInformationMessage(
        `apimig: ${result?.fixes ?? 0} fixes in ${result?.files ?? 0} files`,
      );
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("apimig")) {
        return;
      }
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) {
        await stop();
        await start();
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
