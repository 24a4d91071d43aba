#!/usr/bin/env bash
# CI entry: build the extension, run its Node tests against the real Python server, package it.
# APIMIG_PYTHON must point at a Python with apimig[lsp] installed (the lead's venv).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${APIMIG_PYTHON:?set APIMIG_PYTHON to the venv python}"
npm ci
npm run compile
npm test
npx --no-install vsce package --allow-missing-repository -o apimig.vsix
