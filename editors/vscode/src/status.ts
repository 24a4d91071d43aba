/** The language-status item on Python files: whether the server runs, with which command, and a way to its logs. */
import * as vscode from "vscode";

export type ServerState = "starting" | "running" | "stopped" | "failed" | "disabled";

const TEXT: Record<ServerState, string> = {
  starting: "$(sync~spin) apimig",
  running: "$(check) apimig",
  stopped: "$(circle-slash) apimig stopped",
  failed: "$(error) apimig failed",
  disabled: "$(circle-slash) apimig disabled",
};

export class ServerStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor(selector: vscode.DocumentSelector) {
    this.item = vscode.languages.createLanguageStatusItem("apimig.status", selector);
    this.item.name = "apimig";
    this.item.command = { title: "Show logs", command: "apimig.showLogs" };
    this.set("stopped");
  }

  /** `detail` says how the server was started (or why it failed). */
  set(state: ServerState, detail = ""): void {
    this.item.text = TEXT[state];
    this.item.detail = detail;
    this.item.busy = state === "starting";
    this.item.severity =
      state === "failed" ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
  }
}
