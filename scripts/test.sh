#!/usr/bin/env bash
# All of zkpay's tests: the Rust workspace (circuits, program in the Solana
# runtime, the settlement core as SBF bytecode in the Solana VM, the client
# library and the `zkpay` command, core), the Anchor IDL build, and the
# third-party checks (circomlibjs recomputes our Poseidon values; snarkjs
# verifies our proof).
set -euo pipefail
cd "$(dirname "$0")/.."

# The SBF measurement program (installs its toolchain on first use), which
# tests/tests/sbf.rs runs in the VM.
scripts/sbf-build.sh

RUST_LOG=error cargo test --workspace

cargo test -p zkpay --features idl-build __anchor_private_print_idl --quiet > /dev/null
echo "anchor IDL: builds"

# The program's on-chain code path (target_os = "solana": syscall Poseidon,
# syscall Groth16) type-checks, as `anchor build` compiles it.
CARGO_TARGET_DIR=target/solana-cfg-check \
    RUSTFLAGS='--cfg target_os="solana" -A explicit_builtin_cfgs_in_flags' \
    cargo check --quiet -p zkpay --target x86_64-unknown-linux-gnu
echo "on-chain code path: type-checks"

(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
cargo run --release -q -p zkpay-circuits -- peer bench/peers/build/ours > /dev/null
node bench/peers/check.mjs bench/peers/build/ours
