#!/usr/bin/env bash
# Builds the zkpay program to SBF (programs/zkpay-sbf, the adapter of
# zkpay-core's settlement logic) into target/deploy/zkpay.so, installing the
# toolchain first if needed (scripts/sbf-toolchain.sh). The tests, the
# embedded chain and scripts/localnet.sh load it from there. See docs/SBF.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

scripts/sbf-toolchain.sh > /dev/null

# Debian's compiler for the BPF target, not rustup's (which has no BPF std);
# programs/zkpay-sbf/.cargo/config.toml sets the linker and flags, and the
# target dir target/sbf.
(cd programs/zkpay-sbf && env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS -u CARGO_TARGET_DIR \
    RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked --quiet \
    --target bpfel-unknown-none)

# The same program logging the compute units left at each step of
# `transact` (feature `cu-steps`), for the per-step breakdown of
# tests/tests/compute_units.rs; never deployed. Its own target dir, so
# neither build undoes the other.
(cd programs/zkpay-sbf && env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS \
    CARGO_TARGET_DIR="$root/target/sbf-cu-steps" \
    RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked --quiet \
    --target bpfel-unknown-none --features cu-steps)

mkdir -p target/deploy
cp target/sbf/bpfel-unknown-none/release/libzkpay_sbf.so target/deploy/zkpay.so
cp target/sbf-cu-steps/bpfel-unknown-none/release/libzkpay_sbf.so target/deploy/zkpay_cu_steps.so
echo "$root/target/deploy/zkpay.so ($(stat -c %s target/deploy/zkpay.so) bytes)"
