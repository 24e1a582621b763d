//! The relayer's HTTP API, shared by the service and the wallet: JSON
//! bodies, their encodings, and the refusals with their status codes.
//! Specified in `docs/PROTOCOL.md` ("Relayer API").

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use zkpay_core::program::ids::MAX_ENCRYPTED_OUTPUT_LEN;

/// Version prefix of every route.
pub const ROUTE_QUOTE: &str = "/v1/quote";
/// See [`ROUTE_QUOTE`].
pub const ROUTE_RELAY: &str = "/v1/relay";
/// See [`ROUTE_QUOTE`].
pub const ROUTE_HEALTH: &str = "/health";

/// What the relayer charges, and for what: `GET /v1/quote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The relayer's public key: it signs and pays the transactions.
    pub relayer: String,
    /// The pools it relays for.
    pub pools: Vec<PoolQuote>,
}

/// The fee on one pool, in the pool's base units, and what makes it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolQuote {
    /// The pool's mint (the native mint for SOL).
    pub mint: String,
    /// The pool account.
    pub pool: String,
    /// Where the fee goes, to be named as the relayer in the proof's
    /// external data: the relayer's key (SOL) or its token account (SPL).
    pub fee_account: String,
    /// Least fee of a private payment (no public amount).
    pub transfer_fee: u64,
    /// Least fee of a withdrawal.
    pub withdrawal_fee: u64,
    /// What the relayer spends per transaction, in lamports: the signature
    /// fee plus the pool's storage fee (page splits it pays are refunded
    /// from the pool's reserve).
    pub cost_lamports: u64,
    /// The relayer's margin over its cost (SOL pools), in base units.
    pub margin: u64,
}

/// A proven `transact` for the relayer to submit: `POST /v1/relay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayRequest {
    /// The pool's mint.
    pub mint: String,
    /// The Groth16 proof (256 bytes), base64.
    pub proof: String,
    /// The tree root it was made against, hex.
    pub root: String,
    /// The two spent notes' nullifiers, hex.
    pub input_nullifiers: [String; 2],
    /// The two new notes' commitments, hex.
    pub output_commitments: [String; 2],
    /// Amount leaving the pool (negative) or 0 for a private payment.
    pub ext_amount: i64,
    /// The relayer's fee, in base units.
    pub fee: u64,
    /// The withdrawal's recipient (any key for a private payment).
    pub recipient: String,
    /// The fee account named in the proof (the quote's `fee_account`).
    pub relayer: String,
    /// The two encrypted outputs, base64.
    pub encrypted_outputs: [String; 2],
    /// The blockhash to sign with: the wallet knows from it when the
    /// transaction can no longer land.
    pub blockhash: String,
}

/// `POST /v1/relay` succeeded: the transaction is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayResponse {
    /// The transaction's signature.
    pub signature: String,
    /// The signed transaction (bincode, base64), as submitted.
    pub transaction: String,
}

/// A refusal's body: `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The refusal.
    pub error: ErrorDetail,
}

/// See [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine-readable reason.
    pub code: RefusalCode,
    /// What went wrong, for people.
    pub message: String,
}

/// Why the relayer refused a request. Nothing was submitted for any of
/// them (but [`RefusalCode::Unavailable`], which may follow a send).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The body is not a relay request: JSON, a field or its encoding.
    Malformed,
    /// The body is over the size limit.
    TooLarge,
    /// The relayer does not serve this pool.
    UnknownPool,
    /// A deposit: the depositor signs it; relayers do not.
    Deposit,
    /// The fee is below the quote.
    FeeTooLow,
    /// The proof names another fee account.
    WrongRelayer,
    /// The proof does not verify for these public inputs.
    InvalidProof,
    /// The root is not among the pool's recent roots.
    UnknownRoot,
    /// A nullifier is already spent on-chain.
    Spent,
    /// The same nullifiers are being relayed, or were.
    Duplicate,
    /// The blockhash is not one the chain accepts.
    StaleBlockhash,
    /// Simulation says the transaction would fail.
    WouldFail,
    /// This client sent too many requests; try again later.
    RateLimited,
    /// Too many relays in flight; try again shortly.
    Busy,
    /// The chain could not be reached, or the transaction's fate is
    /// unknown; it may still land.
    Unavailable,
}

impl RefusalCode {
    /// The HTTP status of the refusal.
    pub fn status(self) -> u16 {
        use RefusalCode::*;
        match self {
            Malformed | UnknownPool | Deposit | FeeTooLow | WrongRelayer => 400,
            TooLarge => 413,
            InvalidProof | WouldFail => 422,
            UnknownRoot | Spent | Duplicate | StaleBlockhash => 409,
            RateLimited | Busy => 429,
            Unavailable => 503,
        }
    }
}

/// A relay request read into its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    /// See [`RelayRequest`].
    pub mint: Pubkey,
    /// See [`RelayRequest`].
    pub proof: [u8; 256],
    /// See [`RelayRequest`].
    pub root: [u8; 32],
    /// See [`RelayRequest`].
    pub input_nullifiers: [[u8; 32]; 2],
    /// See [`RelayRequest`].
    pub output_commitments: [[u8; 32]; 2],
    /// See [`RelayRequest`].
    pub ext_amount: i64,
    /// See [`RelayRequest`].
    pub fee: u64,
    /// See [`RelayRequest`].
    pub recipient: Pubkey,
    /// See [`RelayRequest`].
    pub relayer: Pubkey,
    /// See [`RelayRequest`].
    pub encrypted_outputs: [Vec<u8>; 2],
    /// See [`RelayRequest`].
    pub blockhash: Hash,
}

fn hex32(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex32(field: &str, text: &str) -> Result<[u8; 32], String> {
    let bad = || format!("{field} is not 32 bytes of hex");
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

fn parse_key(field: &str, text: &str) -> Result<Pubkey, String> {
    text.parse()
        .map_err(|_| format!("{field} is not a base58 public key"))
}

impl From<&Relay> for RelayRequest {
    fn from(relay: &Relay) -> Self {
        RelayRequest {
            mint: relay.mint.to_string(),
            proof: BASE64.encode(relay.proof),
            root: hex32(&relay.root),
            input_nullifiers: relay.input_nullifiers.each_ref().map(hex32),
            output_commitments: relay.output_commitments.each_ref().map(hex32),
            ext_amount: relay.ext_amount,
            fee: relay.fee,
            recipient: relay.recipient.to_string(),
            relayer: relay.relayer.to_string(),
            encrypted_outputs: relay.encrypted_outputs.each_ref().map(|c| BASE64.encode(c)),
            blockhash: relay.blockhash.to_string(),
        }
    }
}

impl TryFrom<&RelayRequest> for Relay {
    /// Which field is wrong, and how.
    type Error = String;

    fn try_from(request: &RelayRequest) -> Result<Self, String> {
        let proof = BASE64
            .decode(&request.proof)
            .ok()
            .and_then(|bytes| <[u8; 256]>::try_from(bytes).ok())
            .ok_or("proof is not 256 bytes of base64")?;
        let mut encrypted_outputs: [Vec<u8>; 2] = Default::default();
        for (k, text) in request.encrypted_outputs.iter().enumerate() {
            // Bounded before decoding: base64 is 4 characters per 3 bytes.
            if text.len() > MAX_ENCRYPTED_OUTPUT_LEN.div_ceil(3) * 4 {
                return Err(format!(
                    "encrypted output {k} is over {MAX_ENCRYPTED_OUTPUT_LEN} bytes"
                ));
            }
            encrypted_outputs[k] = BASE64
                .decode(text)
                .map_err(|_| format!("encrypted output {k} is not base64"))?;
            if encrypted_outputs[k].len() > MAX_ENCRYPTED_OUTPUT_LEN {
                return Err(format!(
                    "encrypted output {k} is over {MAX_ENCRYPTED_OUTPUT_LEN} bytes"
                ));
            }
        }
        Ok(Relay {
            mint: parse_key("mint", &request.mint)?,
            proof,
            root: parse_hex32("root", &request.root)?,
            input_nullifiers: [
                parse_hex32("input_nullifiers[0]", &request.input_nullifiers[0])?,
                parse_hex32("input_nullifiers[1]", &request.input_nullifiers[1])?,
            ],
            output_commitments: [
                parse_hex32("output_commitments[0]", &request.output_commitments[0])?,
                parse_hex32("output_commitments[1]", &request.output_commitments[1])?,
            ],
            ext_amount: request.ext_amount,
            fee: request.fee,
            recipient: parse_key("recipient", &request.recipient)?,
            relayer: parse_key("relayer", &request.relayer)?,
            encrypted_outputs,
            blockhash: request
                .blockhash
                .parse()
                .map_err(|_| "blockhash is not a base58 hash".to_string())?,
        })
    }
}

/// The signed transaction of a [`RelayResponse`], decoded.
pub fn decode_transaction(
    response: &RelayResponse,
) -> Result<(Signature, solana_sdk::transaction::Transaction), String> {
    let signature: Signature = response
        .signature
        .parse()
        .map_err(|_| "the signature is not base58".to_string())?;
    let bytes = BASE64
        .decode(&response.transaction)
        .map_err(|_| "the transaction is not base64".to_string())?;
    let transaction: solana_sdk::transaction::Transaction =
        bincode::deserialize(&bytes).map_err(|e| format!("the transaction: {e}"))?;
    if transaction.signatures.first() != Some(&signature) {
        return Err("the transaction does not carry the signature".into());
    }
    Ok((signature, transaction))
}

/// Encodes `transaction` for a [`RelayResponse`].
pub fn encode_transaction(transaction: &solana_sdk::transaction::Transaction) -> String {
    BASE64.encode(bincode::serialize(transaction).expect("transactions serialise"))
}
