//! Payment disclosure: proof, to anyone with the chain, that a transaction
//! created a note of some amount and memo for some owner, revealing that
//! one note and nothing else of the wallet.
//!
//! A disclosure names a settlement (transaction signature, pool, output
//! 0 or 1 of its two notes) and reveals the note's key ([`NoteKey`]: it
//! opens that ciphertext and no other) and the owner key. The verifier
//! reads the settlement from the chain, decrypts the on-chain ciphertext
//! with the key (the cipher authenticates the commitment), and recomputes
//! `commitment = Poseidon(amount, owner, blinding, asset_id)` with the
//! blinding the key derives and the pool's asset id: equal to the on-chain
//! commitment only for the disclosed owner. The amount and memo it decrypts
//! must be the ones claimed. An address, if named, must carry that owner
//! key: the note is spendable by that address's holder alone. The file
//! format is in `docs/PROTOCOL.md` ("Payment disclosure").

use std::fmt;

use serde::{Deserialize, Serialize};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::note::Note;
use zkpay_circuits::Fr;

use crate::address::ShieldedAddress;
use crate::chain::{Chain, ChainError};
use crate::encryption::{open_with_key, NoteKey};
use crate::pool::{load_pool_at, PoolError};
use crate::store::StoreError;

/// The version this client writes and reads.
pub const DISCLOSURE_VERSION: u8 = 1;

/// A disclosure of one note, as written to a file (JSON).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentDisclosure {
    /// [`DISCLOSURE_VERSION`].
    pub version: u8,
    /// The transaction that settled the note (base58).
    pub signature: String,
    /// The pool (base58).
    pub pool: String,
    /// Which of the settlement's two output notes (0 or 1).
    pub output: u8,
    /// The note's commitment (hex, 32 bytes big-endian, as on-chain).
    pub commitment: String,
    /// The note's key (hex, 32 bytes).
    pub note_key: String,
    /// The owner key the note commits to (hex, 32 bytes big-endian).
    pub owner: String,
    /// The amount claimed, in the pool's base units.
    pub amount: u64,
    /// The memo claimed (hex).
    pub memo: String,
    /// The payee's address, if the discloser names it.
    pub address: Option<String>,
}

impl fmt::Debug for PaymentDisclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl PaymentDisclosure {
    /// The disclosure of `output` of settlement `signature` in `pool`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        signature: &Signature,
        pool: &Pubkey,
        output: u8,
        commitment: &[u8; 32],
        key: &NoteKey,
        owner: &Fr,
        amount: u64,
        memo: &[u8],
        address: Option<&ShieldedAddress>,
    ) -> Self {
        PaymentDisclosure {
            version: DISCLOSURE_VERSION,
            signature: signature.to_string(),
            pool: pool.to_string(),
            output,
            commitment: hex::encode(commitment),
            note_key: hex::encode(key.0),
            owner: hex::encode(to_bytes(owner)),
            amount,
            memo: hex::encode(memo),
            address: address.map(ToString::to_string),
        }
    }

    /// The file's text: pretty JSON, fields in the order above.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a disclosure serialises")
    }

    /// Reads a disclosure file's text.
    pub fn from_json(text: &str) -> Result<Self, DisclosureError> {
        let disclosure: Self =
            serde_json::from_str(text).map_err(|e| DisclosureError::Malformed(e.to_string()))?;
        if disclosure.version != DISCLOSURE_VERSION {
            return Err(DisclosureError::Version(disclosure.version));
        }
        Ok(disclosure)
    }
}

/// What a disclosure proved, once checked against the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDisclosure {
    /// The transaction.
    pub signature: Signature,
    /// The pool.
    pub pool: Pubkey,
    /// The note's leaf in the pool's tree.
    pub leaf_index: u64,
    /// Its amount, in the pool's base units.
    pub amount: u64,
    /// Its memo.
    pub memo: Vec<u8>,
    /// The owner key it commits to.
    pub owner: Fr,
    /// The address named, whose owner key is the note's.
    pub address: Option<ShieldedAddress>,
}

/// Why a disclosure was not made or does not hold.
#[derive(Debug, thiserror::Error)]
pub enum DisclosureError {
    /// Not a disclosure file.
    #[error("not a zkpay payment disclosure: {0}")]
    Malformed(String),
    /// Another version of the format.
    #[error("disclosure version {0} is not supported (this client reads version 1)")]
    Version(u8),
    /// A field does not decode.
    #[error("the disclosure's {0} is not valid")]
    Field(&'static str),
    /// The transaction carries no settlement of the pool (unknown, failed,
    /// or another transaction).
    #[error("transaction {0} settled nothing in this pool on this chain")]
    NoSettlement(Signature),
    /// No output of the settlement has the disclosed commitment.
    #[error("no output {output} of transaction {signature} has the disclosed commitment")]
    NoSuchNote {
        /// The transaction.
        signature: Signature,
        /// The output named.
        output: u8,
    },
    /// The key does not open the on-chain ciphertext.
    #[error("the note key does not open the note on-chain")]
    WrongKey,
    /// The note on-chain holds another amount.
    #[error("the note holds {actual}, not the {claimed} the disclosure claims")]
    Amount {
        /// Claimed.
        claimed: u64,
        /// On-chain.
        actual: u64,
    },
    /// The note on-chain carries another memo.
    #[error("the note's memo is not the one the disclosure claims")]
    Memo,
    /// The note does not commit to the disclosed owner key.
    #[error("the note is not owned by the disclosed owner key")]
    Owner,
    /// The named address does not carry the disclosed owner key.
    #[error("the address named is not the note's owner")]
    Address,
    /// The wallet cannot disclose this output.
    #[error("{0}")]
    NotDisclosable(String),
    /// The pool account.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The wallet file failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bytes32(text: &str, field: &'static str) -> Result<[u8; 32], DisclosureError> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(DisclosureError::Field(field))
}

/// Checks `disclosure` against the chain: the settlement, the note's
/// ciphertext and commitment, the claimed amount and memo, the owner.
pub async fn verify_disclosure<C: Chain>(
    chain: &mut C,
    disclosure: &PaymentDisclosure,
) -> Result<VerifiedDisclosure, DisclosureError> {
    let signature: Signature = disclosure
        .signature
        .parse()
        .map_err(|_| DisclosureError::Field("signature"))?;
    let pool: Pubkey = disclosure
        .pool
        .parse()
        .map_err(|_| DisclosureError::Field("pool"))?;
    let commitment = bytes32(&disclosure.commitment, "commitment")?;
    let key = NoteKey(bytes32(&disclosure.note_key, "note key")?);
    let owner =
        from_bytes(&bytes32(&disclosure.owner, "owner")?).ok_or(DisclosureError::Field("owner"))?;
    let memo = hex::decode(&disclosure.memo).map_err(|_| DisclosureError::Field("memo"))?;
    let address = disclosure
        .address
        .as_deref()
        .map(|a| a.parse::<ShieldedAddress>())
        .transpose()
        .map_err(|_| DisclosureError::Field("address"))?;
    let output = usize::from(disclosure.output);
    if output > 1 {
        return Err(DisclosureError::Field("output"));
    }

    let settlements: Vec<_> = chain
        .settled_in(&signature)
        .await?
        .into_iter()
        .filter(|event| event.pool == pool.to_bytes())
        .collect();
    if settlements.is_empty() {
        return Err(DisclosureError::NoSettlement(signature));
    }
    let event = settlements
        .iter()
        .find(|event| event.commitments[output] == commitment)
        .ok_or(DisclosureError::NoSuchNote {
            signature,
            output: disclosure.output,
        })?;
    let opened = open_with_key(&key, &commitment, &event.encrypted_outputs[output])
        .ok_or(DisclosureError::WrongKey)?;
    if opened.amount != disclosure.amount {
        return Err(DisclosureError::Amount {
            claimed: disclosure.amount,
            actual: opened.amount,
        });
    }
    if opened.memo != memo {
        return Err(DisclosureError::Memo);
    }
    let asset_id = load_pool_at(chain, &pool).await?.asset_id;
    let note = Note {
        amount: opened.amount,
        owner,
        blinding: opened.blinding,
        asset_id,
    };
    if to_bytes(&note.commitment()) != commitment {
        return Err(DisclosureError::Owner);
    }
    if address.as_ref().is_some_and(|a| a.owner() != owner) {
        return Err(DisclosureError::Address);
    }
    Ok(VerifiedDisclosure {
        signature,
        pool,
        leaf_index: event.first_leaf_index + output as u64,
        amount: opened.amount,
        memo: opened.memo,
        owner,
        address,
    })
}
