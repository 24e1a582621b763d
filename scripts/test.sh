#!/usr/bin/env bash
# All of zkpay's tests: the program built to SBF and the whole integration
# suite run against it in the Solana VM (every attack test, SOL and SPL
# pools, relayed withdrawals, the 200-step invariant, 10,000 malformed
# instructions, the compute units of each kind of transaction), the same
# suite against the native Anchor entry, the circuits, the client library
# and the `zkpay` command (on the SBF program), the RPC client against a
# real solana-test-validator and an end-to-end CLI run over RPC (when the
# validator is installed: scripts/localnet.sh install), the Anchor IDL
# build, the RPC-only library build (no default features), and the
# third-party checks (circomlibjs recomputes our Poseidon values; snarkjs
# verifies our proof).
set -euo pipefail
cd "$(dirname "$0")/.."

# The program as SBF (installs its toolchain on first use): target/deploy/zkpay.so.
scripts/sbf-build.sh

# Everything, the SBF program loaded wherever a chain runs.
RUST_LOG=error cargo test --release --workspace

# The dApp example: a shop's backend hears of a private payment for its order.
RUST_LOG=error cargo run --release -q -p zkpay-client --example shop

# Compute units per kind of transaction, measured in the VM: `cu <kind> <units>`.
RUST_LOG=error cargo test --release -q --workspace --test compute_units -- --nocapture \
    > target/compute-units.log 2>&1 || { cat target/compute-units.log; exit 1; }
grep -E '^cu(-step)? ' target/compute-units.log

# The same integration suite against the native Anchor entry (same
# encoding, accounts, errors and events; the IDL's source).
ZKPAY_PROGRAM=native RUST_LOG=error cargo test --release -q --workspace \
    --test sol_pool --test spl_pool --test invariant

# The `zkpay` command over RPC against a real local validator running the SBF
# program (scripts/localnet.sh; the client's `localnet` tests above start
# their own on another port). Needs the validator installed once.
if scripts/localnet.sh check > /dev/null; then
    scripts/e2e-localnet.sh
else
    echo "skipped: e2e-localnet: no solana-test-validator; install it once with" \
        "\`scripts/localnet.sh install\` (about 28 minutes on 2 cores)"
fi

cargo test --release -p zkpay --features idl-build __anchor_private_print_idl --quiet > /dev/null
echo "anchor IDL: builds"

# The library as an RPC-only user builds it (`default-features = false`: no
# embedded chain, relayer service or command), without a warning.
rpc_only=$(cargo check --release --quiet -p zkpay-client --lib --no-default-features 2>&1) \
    && [ -z "$rpc_only" ] || { echo "$rpc_only"; exit 1; }
echo "RPC-only library: type-checks"

# The Anchor entry's on-chain code path (target_os = "solana": syscall
# Poseidon, syscall Groth16) type-checks, as `anchor build` compiles it.
CARGO_TARGET_DIR=target/solana-cfg-check \
    RUSTFLAGS='--cfg target_os="solana" -A explicit_builtin_cfgs_in_flags' \
    cargo check --quiet -p zkpay --target x86_64-unknown-linux-gnu
echo "on-chain code path: type-checks"

(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
cargo run --release -q -p zkpay-circuits -- peer bench/peers/build/ours > /dev/null
node bench/peers/check.mjs bench/peers/build/ours
cargo run --release -q -p zkpay-circuits -- export-funds-snarkjs bench/peers/build/funds
node bench/peers/check-funds.mjs bench/peers/build/funds
