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

mkdir -p target/deploy
cp target/sbf/bpfel-unknown-none/release/libzkpay_sbf.so target/deploy/zkpay.so
echo "$root/target/deploy/zkpay.so ($(stat -c %s target/deploy/zkpay.so) bytes)"
