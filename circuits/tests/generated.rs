//! The committed generated sources are what the setup command produces, and
//! the proving-key cache rebuilds and reloads the matching key.

use std::path::Path;

use zkpay_circuits::codegen::{
    funds_verifying_key_source, verifying_key_source, zero_hashes, zero_hashes_source,
    FUNDS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE, ZERO_HASHES_FILE,
};
use zkpay_circuits::export::solana::SolanaVerifyingKey;
use zkpay_circuits::setup::{
    generate_funds_proving_key, generate_proving_key, load_or_generate_proving_key,
    proving_key_path, DEVELOPMENT_SEED, FUNDS_DEVELOPMENT_SEED,
};
use zkpay_circuits::transfer::PublicInputMode;
use zkpay_core::zero_hashes::ZERO_HASHES;

fn committed(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_verifying_key_is_what_the_setup_produces() {
    let pk = generate_proving_key(PublicInputMode::Hashed, DEVELOPMENT_SEED).unwrap();
    let vk = SolanaVerifyingKey::from_arkworks(&pk.vk);
    assert_eq!(
        committed(VERIFYING_KEY_FILE),
        verifying_key_source(&vk, DEVELOPMENT_SEED),
        "run `cargo run --release -p zkpay-circuits -- setup` and commit the result"
    );
    assert_eq!(vk, SolanaVerifyingKey::committed());
}

#[test]
fn committed_funds_verifying_key_is_what_the_setup_produces() {
    let pk = generate_funds_proving_key(FUNDS_DEVELOPMENT_SEED).unwrap();
    let vk = SolanaVerifyingKey::from_arkworks(&pk.vk);
    assert_eq!(
        committed(FUNDS_VERIFYING_KEY_FILE),
        funds_verifying_key_source(&vk, FUNDS_DEVELOPMENT_SEED),
        "run `cargo run --release -p zkpay-circuits -- setup` and commit the result"
    );
    assert_eq!(vk, SolanaVerifyingKey::committed_funds());
    assert_ne!(vk, SolanaVerifyingKey::committed());
}

#[test]
fn another_seed_gives_another_key() {
    let pk = generate_proving_key(PublicInputMode::Hashed, "another seed").unwrap();
    assert_ne!(
        SolanaVerifyingKey::from_arkworks(&pk.vk),
        SolanaVerifyingKey::committed()
    );
}

#[test]
fn committed_zero_hashes_are_what_the_generator_produces() {
    assert_eq!(committed(ZERO_HASHES_FILE), zero_hashes_source());
    assert_eq!(zero_hashes(), ZERO_HASHES);
}

#[test]
fn proving_key_cache_is_rebuilt_when_missing_or_damaged() {
    let dir = std::env::temp_dir().join(format!("zkpay-key-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = proving_key_path(&dir, &SolanaVerifyingKey::committed());

    let generated = load_or_generate_proving_key(&dir).unwrap();
    assert!(path.exists());
    let loaded = load_or_generate_proving_key(&dir).unwrap();
    assert_eq!(loaded, generated);

    std::fs::write(&path, b"not a proving key").unwrap();
    let rebuilt = load_or_generate_proving_key(&dir).unwrap();
    assert_eq!(rebuilt, generated);
    assert!(std::fs::metadata(&path).unwrap().len() > 1_000_000);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn threads_filling_an_empty_cache_at_once_all_get_the_key() {
    // Parallel tests of one process all load the key on first use.
    let dir = std::env::temp_dir().join(format!("zkpay-key-race-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys: Vec<_> = std::thread::scope(|scope| {
        let loaders: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| load_or_generate_proving_key(&dir)))
            .collect();
        loaders
            .into_iter()
            .map(|loader| loader.join().unwrap().unwrap())
            .collect()
    });
    assert!(keys.windows(2).all(|pair| pair[0] == pair[1]));
    std::fs::remove_dir_all(&dir).unwrap();
}
