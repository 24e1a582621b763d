#!/usr/bin/env bash
# Installs the SBF toolchain that builds zkpay's on-chain measurement program
# (programs/zkpay-sbf) without Solana's platform-tools, from package
# registries only (Debian and crates.io). See docs/SBF.md.
#
#   1. Debian's rustc/cargo 1.96 (LLVM 22) with the prebuilt core/alloc for
#      bpfel-unknown-none: rustc-web cargo-web rust-web-src
#      libstd-rust-web-dev-bpf (apt; needs root, sudo if available).
#   2. sbpf-linker 0.2.6 from its crates.io source, with its LLVM feature
#      switched from llvm-23 to llvm-22 (one line), built with Debian's cargo.
#   3. A folder holding only Debian's libLLVM.so.22.1, which the linker
#      wrapper (programs/zkpay-sbf/tools/sbf-linker) puts first on
#      LD_LIBRARY_PATH.
#
# Installs into $ZKPAY_SBF_TOOLS (default ~/.cache/zkpay-sbf). Idempotent:
# when everything is in place it checks and exits in well under a second.
# Prints the tools folder on its last line.
set -euo pipefail

TOOLS="${ZKPAY_SBF_TOOLS:-$HOME/.cache/zkpay-sbf}"
LINKER_VERSION="0.2.6"
STAMP="sbpf-linker $LINKER_VERSION llvm-22"
DEB_RUSTC_VERSION="1.96"
DEB_LIBLLVM="/usr/lib/x86_64-linux-gnu/libLLVM.so.22.1"

log() { echo "sbf-toolchain: $*" >&2; }

# shellcheck source=scripts/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

debian_toolchain_ok() {
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -f "$DEB_LIBLLVM" ] || return 1
    /usr/bin/rustc --version 2>/dev/null | grep -q "^rustc $DEB_RUSTC_VERSION\." || return 1
    compgen -G "/usr/lib/rustlib/bpfel-unknown-none/lib/libcore-*.rlib" >/dev/null
}

# 1. Debian's compiler with the BPF standard library.
if ! debian_toolchain_ok; then
    log "installing Debian's rustc $DEB_RUSTC_VERSION with the bpfel-unknown-none core (apt)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        rustc-web cargo-web rust-web-src libstd-rust-web-dev-bpf
    if ! debian_toolchain_ok; then
        log "Debian's rustc $DEB_RUSTC_VERSION (LLVM 22) with libstd-rust-web-dev-bpf is not installed"
        log "after apt; this needs Debian 12 with bookworm-updates or bookworm-security."
        exit 1
    fi
fi

# 2. sbpf-linker, built against LLVM 22.
if [ ! -x "$TOOLS/bin/sbpf-linker" ] || [ "$(cat "$TOOLS/bin/.stamp" 2>/dev/null)" != "$STAMP" ]; then
    log "building sbpf-linker $LINKER_VERSION for LLVM 22 into $TOOLS (about 2 minutes)"
    work="$TOOLS/build"
    rm -rf "$work"
    mkdir -p "$work/fetch/src" "$TOOLS/bin"
    # The crate's source, through cargo: fetch it as a dependency of a
    # throwaway package, then unpack the downloaded .crate.
    cat > "$work/fetch/Cargo.toml" <<EOF
[package]
name = "fetch-sbpf-linker"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
sbpf-linker = { version = "=$LINKER_VERSION", default-features = false }
EOF
    touch "$work/fetch/src/lib.rs"
    (cd "$work/fetch" && RUSTC=/usr/bin/rustc /usr/bin/cargo fetch --quiet)
    cargo_home="${CARGO_HOME:-$HOME/.cargo}"
    crate_file=$(ls "$cargo_home"/registry/cache/*/sbpf-linker-"$LINKER_VERSION".crate | head -n 1)
    tar -xzf "$crate_file" -C "$work"
    src="$work/sbpf-linker-$LINKER_VERSION"
    # Its rust-toolchain.toml names a nightly that rustup would download.
    rm -f "$src/rust-toolchain.toml"
    # The one change: the LLVM the linker is built for (default llvm-23).
    sed -i 's|"bpf-linker/llvm-23",|"bpf-linker/llvm-22",|' "$src/Cargo.toml"
    grep -q '"bpf-linker/llvm-22",' "$src/Cargo.toml" || {
        log "could not switch sbpf-linker's LLVM feature to llvm-22 (Cargo.toml changed?)"
        exit 1
    }
    # Its own Cargo.lock, extended by cargo with llvm-sys 22.
    (cd "$src" && RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$work/target" \
        /usr/bin/cargo build --release --quiet --bin sbpf-linker)
    cp "$work/target/release/sbpf-linker" "$TOOLS/bin/sbpf-linker"
    echo "$STAMP" > "$TOOLS/bin/.stamp"
    rm -rf "$work"
fi

# 3. Only Debian's LLVM 22, so that the linker cannot load another libLLVM.
mkdir -p "$TOOLS/llvm"
if [ "$(readlink "$TOOLS/llvm/libLLVM.so.22.1" 2>/dev/null)" != "$DEB_LIBLLVM" ]; then
    ln -sfn "$DEB_LIBLLVM" "$TOOLS/llvm/libLLVM.so.22.1"
fi

echo "$TOOLS"
