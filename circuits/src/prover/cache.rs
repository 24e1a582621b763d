//! The MSM tables cached beside the proving key, so that a process proving
//! once (a `zkpay pay`) reads them in a tenth of a second instead of
//! computing them for about two.
//!
//! File: `zkpay-msm-tables` (16 bytes), version (u32 LE), SHA-256 of the
//! body, body (the five tables, [`super::QueryBases::write`]). A file that
//! is damaged, of another version, or not the tables of this proving key
//! (each base must be its table's first point) is ignored and rewritten.

use std::fs;
use std::path::{Path, PathBuf};

use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use sha2::{Digest, Sha256};

use super::QueryBases;
use crate::export::solana::SolanaVerifyingKey;
use crate::setup::write_file_atomically;

const MAGIC: &[u8; 16] = b"zkpay-msm-tables";
const VERSION: u32 = 1;
const HEADER: usize = MAGIC.len() + 4 + 32;

/// The table cache file in `dir` for the key of `circuit` whose verifying
/// key is `vk`.
pub(super) fn tables_path(dir: &Path, circuit: &str, vk: &SolanaVerifyingKey) -> PathBuf {
    dir.join(format!("{circuit}-{}.msm", vk.fingerprint()))
}

/// The tables of `pk` cached at `path`, if there and sound.
pub(super) fn read_tables(path: &Path, pk: &ProvingKey<Bn254>) -> Option<QueryBases> {
    let bytes = fs::read(path).ok()?;
    if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
        return None;
    }
    let version = u32::from_le_bytes(bytes[MAGIC.len()..MAGIC.len() + 4].try_into().ok()?);
    let (digest, body) = bytes[MAGIC.len() + 4..].split_at(32);
    if version != VERSION || Sha256::digest(body).as_slice() != digest {
        return None;
    }
    QueryBases::read(pk, body)
}

/// Writes `bases` to `path` ([`write_file_atomically`]).
pub(super) fn write_tables(path: &Path, bases: &QueryBases) -> std::io::Result<()> {
    let body = bases.write();
    let digest = Sha256::digest(&body);
    write_file_atomically(
        path,
        &[MAGIC, &VERSION.to_le_bytes(), digest.as_slice(), &body],
    )
}
