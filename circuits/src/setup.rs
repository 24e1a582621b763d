//! The development trusted setup and the proving-key cache.
//!
//! The setup is the circuit-specific Groth16 setup of ark-groth16, with
//! all its randomness drawn from a ChaCha20 stream seeded by the SHA-256 of
//! a public seed string. That makes the keys reproducible (the committed
//! verifying key can be checked, and any machine can rebuild the matching
//! proving key), and it also means **anyone who knows the seed knows the
//! toxic waste and can forge proofs**. It is for development and tests
//! only; production needs a multi-party ceremony.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey};
use ark_relations::r1cs::SynthesisError;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, SerializationError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::export::solana::SolanaVerifyingKey;
use crate::funds::FundsCircuit;
use crate::transfer::{PublicInputMode, TransferCircuit};

/// The seed of the committed development setup.
pub const DEVELOPMENT_SEED: &str = "zkpay transfer circuit v1: single-party development setup";

/// The seed of the proof-of-funds circuit's development setup.
pub const FUNDS_DEVELOPMENT_SEED: &str =
    "zkpay proof-of-funds circuit v1: single-party development setup";

/// Environment variable naming the folder where proving keys are cached.
pub const KEY_DIR_ENV: &str = "ZKPAY_KEY_DIR";

/// Why a proving key could not be produced or loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Synthesising the circuit for the setup failed.
    #[error("circuit synthesis failed during setup: {0}")]
    Synthesis(#[from] SynthesisError),
    /// Reading or writing the key file failed.
    #[error("cannot access proving key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file could not be encoded.
    #[error("cannot encode the proving key: {0}")]
    Serialization(#[from] SerializationError),
    /// The seed does not produce the verifying key committed in zkpay-core.
    #[error(
        "the development seed does not reproduce the committed verifying key; \
         run `cargo run --release -p zkpay-circuits -- setup` and commit the result"
    )]
    CommittedKeyMismatch,
}

/// Runs the Groth16 setup of the transfer circuit with randomness from `seed`.
pub fn generate_proving_key(
    mode: PublicInputMode,
    seed: &str,
) -> Result<ProvingKey<Bn254>, SynthesisError> {
    let mut rng = ChaCha20Rng::from_seed(Sha256::digest(seed.as_bytes()).into());
    Groth16::<Bn254>::generate_random_parameters_with_reduction(
        TransferCircuit::blank(mode),
        &mut rng,
    )
}

/// Runs the Groth16 setup of the proof-of-funds circuit with randomness
/// from `seed`.
pub fn generate_funds_proving_key(seed: &str) -> Result<ProvingKey<Bn254>, SynthesisError> {
    let mut rng = ChaCha20Rng::from_seed(Sha256::digest(seed.as_bytes()).into());
    Groth16::<Bn254>::generate_random_parameters_with_reduction(FundsCircuit::blank(), &mut rng)
}

/// The folder for cached proving keys: `$ZKPAY_KEY_DIR`, else
/// `$XDG_CACHE_HOME/zkpay`, else `~/.cache/zkpay`, else the temp folder.
pub fn default_key_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(KEY_DIR_ENV) {
        return PathBuf::from(dir);
    }
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(cache).join("zkpay");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("zkpay"),
        None => std::env::temp_dir().join("zkpay"),
    }
}

/// The cache file in `dir` for the transfer proving key whose verifying
/// key is `vk`.
pub fn proving_key_path(dir: &Path, vk: &SolanaVerifyingKey) -> PathBuf {
    dir.join(format!("transfer-{}.pk", vk.fingerprint()))
}

/// The cache file in `dir` for the proof-of-funds proving key whose
/// verifying key is `vk`.
pub fn funds_proving_key_path(dir: &Path, vk: &SolanaVerifyingKey) -> PathBuf {
    dir.join(format!("funds-{}.pk", vk.fingerprint()))
}

/// The proving key matching the committed verifying key: read from the
/// cache in `dir` if present and matching, else regenerated from
/// [`DEVELOPMENT_SEED`] (about a second) and cached.
pub fn load_or_generate_proving_key(dir: &Path) -> Result<ProvingKey<Bn254>, KeyError> {
    let committed = SolanaVerifyingKey::committed();
    load_or_generate(&proving_key_path(dir, &committed), &committed, || {
        generate_proving_key(PublicInputMode::Hashed, DEVELOPMENT_SEED)
    })
}

/// [`load_or_generate_proving_key`] for the proof-of-funds circuit
/// ([`FUNDS_DEVELOPMENT_SEED`], the committed funds verifying key).
pub fn load_or_generate_funds_proving_key(dir: &Path) -> Result<ProvingKey<Bn254>, KeyError> {
    let committed = SolanaVerifyingKey::committed_funds();
    load_or_generate(&funds_proving_key_path(dir, &committed), &committed, || {
        generate_funds_proving_key(FUNDS_DEVELOPMENT_SEED)
    })
}

fn load_or_generate(
    path: &Path,
    committed: &SolanaVerifyingKey,
    generate: impl FnOnce() -> Result<ProvingKey<Bn254>, SynthesisError>,
) -> Result<ProvingKey<Bn254>, KeyError> {
    if let Ok(bytes) = fs::read(path) {
        // Our own cache: the committed-key comparison below catches a stale
        // or damaged file, so the slow subgroup checks are skipped.
        if let Ok(pk) = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(&bytes[..]) {
            if SolanaVerifyingKey::from_arkworks(&pk.vk) == *committed {
                return Ok(pk);
            }
        }
    }
    let pk = generate()?;
    if SolanaVerifyingKey::from_arkworks(&pk.vk) != *committed {
        return Err(KeyError::CommittedKeyMismatch);
    }
    write_atomically(path, &pk)?;
    Ok(pk)
}

/// Writes `pk` to `path` through a temporary file, so a concurrent reader
/// never sees half a key.
pub fn write_atomically(path: &Path, pk: &ProvingKey<Bn254>) -> Result<(), KeyError> {
    let mut bytes = Vec::with_capacity(pk.uncompressed_size());
    pk.serialize_uncompressed(&mut bytes)?;
    write_file_atomically(path, &[&bytes]).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `parts` one after the other to `path` through a temporary file
/// (its folder created if needed), so that a concurrent reader never sees
/// half a file.
pub fn write_file_atomically(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    // One temporary file per write, so that threads of one process writing
    // the same file at once never rename each other's file away.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let write = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{write}", std::process::id()));
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        for part in parts {
            file.write_all(part)?;
        }
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}
