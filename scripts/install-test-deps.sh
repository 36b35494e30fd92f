#!/usr/bin/env bash
# Installs what the integration and end-to-end tests run against, on Debian 12:
# the registry, skopeo, podman, buildah, containerd and the Docker engine, Chromium (the web UI's browser
# tests drive /usr/bin/chromium through playwright-core), and a PostgreSQL on 127.0.0.1:5432
# that trusts local TCP connections and has a database named `test`; and the deployment validators:
# docker-compose (`config` checks docker-compose.yml) and kubectl (`kubectl kustomize` renders
# deploy/kubernetes).
# Idempotent: prints nothing when everything is already in place. Never drops or rewrites an
# existing cluster; pg_hba.conf is only edited on a cluster this script created.
set -euo pipefail

# podman and buildah run on vfs storage in the tests (test/e2e/support/containers-client.ts) and start no
# container, so neither fuse-overlayfs nor slirp4netns is needed.
E2E_PACKAGES=(docker-registry skopeo podman buildah containerd docker.io)
DEPLOY_PACKAGES=(docker-compose)
# Debian's build, at /usr/bin/chromium: Playwright's own browser download needs the internet.
BROWSER_PACKAGES=(chromium)
PG_HOST=127.0.0.1
PG_PORT=5432
TEST_DATABASE=test

if [[ ${EUID} -eq 0 ]]; then
  SUDO=()
else
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

log() { printf 'install-test-deps: %s\n' "$*" >&2; }

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

apt_install() {
  local missing=() package
  for package in "$@"; do
    is_installed "${package}" || missing+=("${package}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  # Only refresh the package lists when the install fails (stale or missing lists).
  if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    log "apt-get install failed; running apt-get update and retrying"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

as_postgres() {
  if [[ ${EUID} -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres -- "$@"
  fi
}

pg_ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "${PG_HOST}" -p "${PG_PORT}"
}

# The newest PostgreSQL version that has a `main` cluster, or nothing.
main_cluster_version() {
  [[ -d /etc/postgresql ]] || return 0
  local version
  for version in $(ls /etc/postgresql | sort -V -r); do
    if [[ -f "/etc/postgresql/${version}/main/postgresql.conf" ]]; then
      echo "${version}"
      return 0
    fi
  done
}

# Inserts a trust rule for 127.0.0.1 ahead of every other rule (the first matching line wins).
trust_loopback() {
  local hba="/etc/postgresql/$1/main/pg_hba.conf"
  local rule="host    all             all             127.0.0.1/32            trust"
  if ! "${SUDO[@]}" grep -qE '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "${hba}"; then
    log "trusting TCP connections from 127.0.0.1 in ${hba}"
    "${SUDO[@]}" sed -i "0,/^[[:space:]]*\(local\|host\)/s@@${rule}\n&@" "${hba}"
  fi
}

start_cluster() {
  log "starting PostgreSQL $1/main"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$1" main start
}

wait_for_postgres() {
  local attempt
  for attempt in $(seq 1 60); do
    pg_ready && return 0
    sleep 0.5
  done
  log "PostgreSQL is not accepting connections on ${PG_HOST}:${PG_PORT}"
  return 1
}

ensure_postgres() {
  local version created=0
  if ! pg_ready; then
    version="$(main_cluster_version)"
    if [[ -z "${version}" ]]; then
      apt_install postgresql
      version="$(main_cluster_version)"
      if [[ -z "${version}" ]]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        log "creating PostgreSQL cluster ${version}/main"
        "${SUDO[@]}" pg_createcluster "${version}" main >/dev/null
      fi
      created=1
    fi
    if [[ ${created} -eq 1 ]]; then
      trust_loopback "${version}"
    fi
    # The package's postinst may already have started it (or a reload is needed after the pg_hba edit).
    if pg_ready; then
      "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "${version}" main reload
    else
      start_cluster "${version}"
    fi
    wait_for_postgres
  fi

  # Over the local socket (peer auth as postgres), so this also works where TCP needs a password.
  local exists
  exists="$(as_postgres psql -p "${PG_PORT}" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '${TEST_DATABASE}'")"
  if [[ "${exists}" != "1" ]]; then
    log "creating database ${TEST_DATABASE}"
    as_postgres createdb -p "${PG_PORT}" "${TEST_DATABASE}"
  fi
}

# Any kubectl will do for `kubectl kustomize`; Debian's is kubernetes-client. One already on the PATH is kept,
# since another package may own /usr/bin/kubectl.
ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 || apt_install kubernetes-client
}

apt_install "${E2E_PACKAGES[@]}" "${DEPLOY_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}"
ensure_kubectl
ensure_postgres
