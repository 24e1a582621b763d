#!/usr/bin/env bash
# Builds the SBF measurement program (programs/zkpay-sbf) into
# target/deploy/zkpay_sbf.so, installing the toolchain first if needed
# (scripts/sbf-toolchain.sh). `cargo test -p zkpay-tests --test sbf` runs it
# in the Solana VM. See docs/SBF.md.
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

mkdir -p target/deploy
cp target/sbf/bpfel-unknown-none/release/libzkpay_sbf.so target/deploy/zkpay_sbf.so
echo "$root/target/deploy/zkpay_sbf.so ($(stat -c %s target/deploy/zkpay_sbf.so) bytes)"
