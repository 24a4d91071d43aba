#!/usr/bin/env bash
# Install code-server (VS Code in the browser) for tests/editors/test_vscode_real.py on a machine that
# reaches the npm registry but not GitHub: code-server's postinstall would download ripgrep and
# prebuilt native modules from GitHub, so skip the scripts, rebuild the native modules from source
# and use Debian's ripgrep. Needs: node 20, g++, make, libkrb5-dev libx11-dev libxkbfile-dev
# libsecret-1-dev ripgrep (apt). Usage: install-code-server.sh DIR; then
# APIMIG_CODE_SERVER=DIR/node_modules/.bin/code-server.
set -euo pipefail
dir="${1:?usage: install-code-server.sh DIR}"
mkdir -p "$dir" && cd "$dir"
npm install --ignore-scripts --no-audit --no-fund code-server@4.100.3  # the last release for node 20
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild kerberos native-watchdog node-pty @vscode/spdlog @parcel/watcher @vscode/deviceid
ln -sfn node_modules node_modules.asar  # what code-server's postinstall.sh does after installing
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
