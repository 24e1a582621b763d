#!/usr/bin/env bash
# A real local Solana cluster for zkpay: solana-test-validator 3.1.12 (the
# version of the Solana crates zkpay builds with) running the SBF program
# target/deploy/zkpay.so at the program id, and the test program
# tests/cpi-caller. See docs/LOCALNET.md.
#
#   scripts/localnet.sh install   once: apt packages, then `cargo install
#                                 agave-validator` into a cache outside the
#                                 checkout (about 28 min on 2 cores)
#   scripts/localnet.sh start     builds the programs if needed, starts the
#                                 validator on 127.0.0.1 (fresh ledger in a
#                                 temporary folder, faucet on), waits until RPC
#                                 answers, prints the URL and pid; idempotent
#   scripts/localnet.sh stop      stops it and deletes its ledger
#   scripts/localnet.sh check     exit status 0 if the validator is installed
#                                 (prints its path), 1 if not
#
# Environment:
#   ZKPAY_LOCALNET_PORT     RPC port (default 8899; the websocket is the next
#                           port, the faucet this port + 1001)
#   ZKPAY_LOCALNET_DIR      state folder: pid, URL, log, ledger location
#                           (default ${TMPDIR:-/tmp}/zkpay-localnet-<port>)
#   ZKPAY_VALIDATOR_CACHE   install cache (default ~/.cache/zkpay-validator)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

VERSION="3.1.12"
CACHE="${ZKPAY_VALIDATOR_CACHE:-$HOME/.cache/zkpay-validator}"
INSTALL_ROOT="$CACHE/$VERSION"
BIN="$INSTALL_ROOT/bin/solana-test-validator"
BUILD_TARGET="$CACHE/build-target"
APT_PACKAGES=(clang libclang-dev protobuf-compiler libudev-dev pkg-config libssl-dev)

PORT="${ZKPAY_LOCALNET_PORT:-8899}"
FAUCET_PORT=$((PORT + 1001))
STATE="${ZKPAY_LOCALNET_DIR:-${TMPDIR:-/tmp}/zkpay-localnet-$PORT}"
URL="http://127.0.0.1:$PORT"

# The zkpay program (development keypair keys/zkpay-program-keypair.json).
PROGRAM_ID="CHX54C3F4wvBCYX5usizzTzxpZHYZZyQDHwBDG8iEmh4"
PROGRAM_SO="$root/target/deploy/zkpay.so"
# The test program calling zkpay by CPI (client/tests/localnet.rs); any
# address will do, this one is fixed so the tests know it.
CPI_CALLER_ID="51BhhzVjpzKYKDiWdUWxf9ZwtnhWJW5o3Lb9d1rQrn8z"
CPI_CALLER_SO="$root/target/deploy/zkpay_cpi_caller.so"

log() { echo "localnet: $*" >&2; }

# shellcheck source=scripts/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

installed() {
    [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q " $VERSION "
}

# The pid of a `cargo install` of the validator into this cache, if one runs.
install_in_progress() {
    pgrep -f "cargo install agave-validator .*--root $INSTALL_ROOT" | head -n 1 || true
}

cmd_install() {
    if installed; then
        log "solana-test-validator $VERSION already installed: $BIN"
        if [ -d "$BUILD_TARGET" ] && [ -z "$(install_in_progress)" ]; then
            log "deleting the leftover build folder $BUILD_TARGET"
            rm -rf "$BUILD_TARGET"
        fi
        return
    fi
    local pid
    pid="$(install_in_progress)"
    if [ -n "$pid" ]; then
        log "an install into $INSTALL_ROOT is already running (pid $pid): waiting for it"
        while kill -0 "$pid" 2>/dev/null; do sleep 10; done
        if installed; then
            log "installed by that run: $BIN"
            rm -rf "$BUILD_TARGET"
            return
        fi
        log "that install ended without a binary; installing"
    fi
    local missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]} (apt)"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    log "building solana-test-validator $VERSION from crates.io into $INSTALL_ROOT"
    log "(about 28 min and 2.4 GB of build files on 2 cores; the build files are deleted after)"
    local started=$SECONDS
    cargo install agave-validator --version "$VERSION" --bin solana-test-validator --locked \
        --root "$INSTALL_ROOT" --target-dir "$BUILD_TARGET"
    rm -rf "$BUILD_TARGET"
    log "installed $BIN in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
}

# Builds the programs the validator loads (each a no-op when up to date).
build_programs() {
    scripts/sbf-build.sh >/dev/null
    (cd tests/cpi-caller && env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS -u CARGO_TARGET_DIR \
        RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked --quiet \
        --target bpfel-unknown-none)
    cp target/sbf-cpi-caller/bpfel-unknown-none/release/libzkpay_cpi_caller.so "$CPI_CALLER_SO"
}

# What the running validator was started with: the programs' digests.
programs_digest() {
    sha256sum "$PROGRAM_SO" "$CPI_CALLER_SO" | cut -d ' ' -f 1 | tr '\n' ' '
}

# The pid in the state folder, if that process is our validator.
running_pid() {
    local pid
    pid="$(cat "$STATE/pid" 2>/dev/null || true)"
    [ -n "$pid" ] || return 1
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] || return 1
    echo "$pid"
}

healthy() {
    curl -s -m 2 -X POST -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' "$URL" 2>/dev/null | grep -q '"ok"'
}

cmd_start() {
    if ! installed; then
        log "solana-test-validator $VERSION is not installed: run scripts/localnet.sh install"
        log "(once; about 28 min on 2 cores)"
        exit 1
    fi
    build_programs
    local digest pid
    digest="$(programs_digest)"
    if pid="$(running_pid)"; then
        if [ "$(cat "$STATE/programs" 2>/dev/null)" = "$digest" ] && healthy; then
            echo "$URL (pid $pid, ledger $(cat "$STATE/ledger"))"
            return
        fi
        log "the running validator (pid $pid) has other programs or does not answer: restarting it"
        cmd_stop
    fi
    mkdir -p "$STATE"
    local ledger
    ledger="$(mktemp -d "${TMPDIR:-/tmp}/zkpay-ledger.XXXXXX")"
    echo "$ledger" > "$STATE/ledger"
    echo "$digest" > "$STATE/programs"
    # RocksDB and the validator's sockets need many file descriptors.
    ulimit -n 1000000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 20000 ]; then
        log "warning: only $(ulimit -n) file descriptors allowed; the validator may fail (raise the hard limit)"
    fi
    setsid "$BIN" --ledger "$ledger" --bind-address 127.0.0.1 \
        --rpc-port "$PORT" --faucet-port "$FAUCET_PORT" \
        --bpf-program "$PROGRAM_ID" "$PROGRAM_SO" \
        --bpf-program "$CPI_CALLER_ID" "$CPI_CALLER_SO" \
        --quiet > "$STATE/validator.out" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$STATE/pid"
    echo "$URL" > "$STATE/url"
    local started=$SECONDS
    until healthy; do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "the validator exited; its output ($STATE/validator.out) and log ($ledger/validator.log):"
            tail -n 20 "$STATE/validator.out" "$ledger/validator.log" >&2 2>/dev/null || true
            rm -f "$STATE/pid"
            exit 1
        fi
        if [ $((SECONDS - started)) -gt 180 ]; then
            log "no answer on $URL after 180 s; stopping it (log: $ledger/validator.log)"
            cmd_stop
            exit 1
        fi
        sleep 1
    done
    log "started in $((SECONDS - started)) s: zkpay at $PROGRAM_ID, cpi-caller at $CPI_CALLER_ID"
    echo "$URL (pid $pid, ledger $ledger)"
}

cmd_stop() {
    local pid
    if pid="$(running_pid)"; then
        kill "$pid"
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop in 30 s: killing it"
            kill -9 "$pid"
        fi
        log "stopped the validator (pid $pid)"
    else
        log "no validator of ours is running on port $PORT"
    fi
    local ledger
    ledger="$(cat "$STATE/ledger" 2>/dev/null || true)"
    case "$ledger" in
        "${TMPDIR:-/tmp}"/zkpay-ledger.*) rm -rf "$ledger" ;;
    esac
    rm -f "$STATE/pid" "$STATE/url" "$STATE/ledger" "$STATE/programs"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    check)
        if installed; then
            echo "$BIN"
        else
            echo "solana-test-validator $VERSION is not installed: run scripts/localnet.sh install" >&2
            exit 1
        fi
        ;;
    *)
        echo "usage: scripts/localnet.sh install|start|stop|check" >&2
        exit 2
        ;;
esac
