//! The program id, PDA seeds and Anchor discriminators.
//!
//! Discriminators are Anchor's (the first 8 bytes of SHA-256 of
//! `global:<instruction>`, `account:<Type>`, `event:<Type>`), so that the
//! program keeps Anchor's wire format whichever build runs; a test of the
//! Anchor entry checks each against what Anchor derives.

/// The program id (development keypair `keys/zkpay-keypair.json`):
/// `CHX54C3F4wvBCYX5usizzTzxpZHYZZyQDHwBDG8iEmh4`.
pub const PROGRAM_ID: [u8; 32] = [
    167, 171, 217, 107, 103, 109, 16, 36, 111, 113, 1, 218, 166, 98, 46, 195, 109, 199, 163, 219,
    2, 107, 198, 2, 78, 130, 11, 51, 44, 171, 255, 251,
];

/// The system program.
pub const SYSTEM_PROGRAM_ID: [u8; 32] = [0; 32];

/// The SPL Token program (`TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA`).
pub const TOKEN_PROGRAM_ID: [u8; 32] = [
    6, 221, 246, 225, 215, 101, 161, 147, 217, 203, 225, 70, 206, 235, 121, 172, 28, 180, 133, 237,
    95, 91, 55, 145, 58, 140, 245, 133, 126, 255, 0, 169,
];

/// Seed of a pool PDA: `[POOL_SEED, mint]`.
pub const POOL_SEED: &[u8] = b"pool";

/// Seed of a pool's vault PDA: `[VAULT_SEED, pool]`. For SOL it is a
/// program-owned account holding the pool's lamports; for an SPL mint, a
/// token account whose owner is the pool PDA.
pub const VAULT_SEED: &[u8] = b"vault";

/// Seed of a nullifier page PDA: `[NULLIFIER_PAGE_SEED, pool, [depth],
/// prefix as u32 little-endian]` (see [`super::nullifier_page`]).
pub const NULLIFIER_PAGE_SEED: &[u8] = b"nullifiers";

/// Seed of the event authority PDA, which signs the event self-CPI
/// (Anchor's `#[event_cpi]`).
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// The event authority PDA of [`PROGRAM_ID`] and its bump.
pub const EVENT_AUTHORITY: ([u8; 32], u8) = (
    [
        2, 200, 135, 49, 28, 136, 132, 145, 129, 190, 68, 244, 31, 193, 195, 185, 171, 166, 244,
        202, 2, 178, 175, 160, 117, 236, 58, 191, 131, 131, 184, 91,
    ],
    252,
);

/// Largest encrypted output note accepted, in bytes.
pub const MAX_ENCRYPTED_OUTPUT_LEN: usize = 256;

/// Discriminator of `initialize_pool`.
pub const INITIALIZE_POOL_DISCRIMINATOR: [u8; 8] = [95, 180, 10, 172, 84, 174, 232, 40];

/// Discriminator of `split_nullifier_page`.
pub const SPLIT_NULLIFIER_PAGE_DISCRIMINATOR: [u8; 8] = [97, 100, 54, 113, 75, 75, 10, 85];

/// Discriminator of `transact`.
pub const TRANSACT_DISCRIMINATOR: [u8; 8] = [217, 149, 130, 143, 221, 52, 252, 119];

/// Tag of Anchor's event instruction (the self-CPI carrying an event).
pub const EVENT_IX_TAG: [u8; 8] = [228, 69, 165, 46, 81, 203, 154, 29];

/// Discriminator of the `Settled` event.
pub const SETTLED_DISCRIMINATOR: [u8; 8] = [232, 210, 40, 17, 142, 124, 145, 238];

/// Discriminator of a pool account.
pub const POOL_DISCRIMINATOR: [u8; 8] = [241, 154, 109, 4, 17, 177, 109, 188];

/// Discriminator of a nullifier page account.
pub const NULLIFIER_PAGE_DISCRIMINATOR: [u8; 8] = [80, 159, 207, 123, 187, 42, 226, 108];

/// Discriminator of a commitment tree account.
pub const TREE_DISCRIMINATOR: [u8; 8] = [19, 14, 219, 104, 125, 31, 30, 172];
