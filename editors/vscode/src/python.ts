/**
 * The interpreter selected in the Python extension (ms-python.python), through its public API
 * (`@vscode/python-extension`): the server then runs in the project's environment and sees the
 * library versions installed there. Absent or failing, the caller falls back to settings and PATH.
 */
import { PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";

async function api(): Promise<PythonExtension | undefined> {
  if (vscode.extensions.getExtension("ms-python.python") === undefined) {
    return undefined;
  }
  try {
    return await PythonExtension.api();
  } catch {
    return undefined;
  }
}

/** The selected interpreter's executable for `resource` (the first workspace folder when absent). */
export async function selectedInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const python = await api();
  if (python === undefined) {
    return undefined;
  }
  const active = python.environments.getActiveEnvironmentPath(resource);
  const env = await python.environments.resolveEnvironment(active);
  return env?.executable.uri?.fsPath ?? active.path;
}

/** Calls `listener` when the user picks another interpreter; the result disposes the subscription. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  const python = await api();
  return python ? python.environments.onDidChangeActiveEnvironmentPath(() => listener()) : new vscode.Disposable(() => {});
}
