//! A cluster over JSON-RPC (solana-client's `RpcClient`), with the Solana
//! CLI's URL monikers.
//!
//! Transactions get a compute-unit limit from simulating them (plus
//! [`COMPUTE_UNIT_MARGIN_PERCENT`]) and, if set, a priority fee; they are
//! sent and sent again until confirmed or until their blockhash expires
//! ([`ChainError::Expired`]). Settlements are read from the tree account's
//! transactions, including `transact` called by another program and
//! accounts loaded from address lookup tables. Every request is made again
//! after a growing, jittered pause while the node rate-limits it (429) or
//! fails for now (5xx, a broken connection): see [`Backoff`].

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use solana_client::client_error::reqwest::{self, header::RETRY_AFTER, StatusCode};
use solana_client::client_error::{ClientError, ClientErrorKind, Result as ClientResult};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_client::{GetConfirmedSignaturesForAddress2Config, RpcClientConfig};
use solana_client::rpc_config::{
    RpcSendTransactionConfig, RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_client::rpc_custom_error::JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE;
use solana_client::rpc_request::{RpcError, RpcRequest, RpcResponseErrorData};
use solana_client::rpc_sender::{RpcSender, RpcTransportStats};
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::{Transaction, TransactionError};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, UiInstruction, UiLoadedAddresses,
    UiTransactionEncoding,
};

use futures::{StreamExt, TryStreamExt};

use super::{
    settled_events, Chain, ChainError, Settled, Settlement, SettlementPage, TransactionStatus,
};

/// Signatures asked for per `getSignaturesForAddress` request (the most a
/// node answers).
const SIGNATURE_PAGE: usize = 1_000;

/// `getTransaction` requests a settlement read keeps in flight at once.
const FETCH_CONCURRENCY: usize = 8;

/// Attempts of one JSON-RPC request, the first included, while the node
/// turns it away for now (HTTP 429 Too Many Requests, or a 5xx status) or
/// its connection breaks or times out; see [`Backoff`]. With the pauses
/// below, a request gives up after about 12 to 24 s of pauses.
pub const RETRY_ATTEMPTS: u32 = 8;

/// The pause before the first retry; each next pause doubles, up to
/// [`MAX_RETRY_PAUSE`], and a random part of up to half of it is taken off
/// (jitter: requests turned away together come back apart).
pub const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(250);

/// The longest pause between attempts. A node asking (`Retry-After`, in
/// seconds) for a longer one is not asked again: the request fails at once.
pub const MAX_RETRY_PAUSE: Duration = Duration::from_secs(8);

/// How long one HTTP exchange may take (solana-client's default).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How JSON-RPC requests are retried: [`RETRY_ATTEMPTS`],
/// [`FIRST_RETRY_PAUSE`] and [`MAX_RETRY_PAUSE`] by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts of one request, the first included (1: never retried).
    pub attempts: u32,
    /// The pause before the first retry, doubling for each next one.
    pub first_pause: Duration,
    /// The longest pause, and the longest `Retry-After` waited for.
    pub max_pause: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            attempts: RETRY_ATTEMPTS,
            first_pause: FIRST_RETRY_PAUSE,
            max_pause: MAX_RETRY_PAUSE,
        }
    }
}

impl Backoff {
    /// The pause after the failed attempt `attempt` (1 for the first):
    /// `first_pause * 2^(attempt - 1)`, at most `max_pause`, less a random
    /// part of up to half.
    fn pause(&self, attempt: u32) -> Duration {
        let full = self
            .first_pause
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_pause);
        full.mul_f64(1.0 - rand::random::<f64>() / 2.0)
    }
}

/// What one HTTP exchange with the node gave.
enum Exchange {
    /// An answer to pass on: a result, or an error that would recur.
    Final(ClientResult<serde_json::Value>),
    /// A refusal for now or a broken connection, with the pause the node
    /// asked for (`Retry-After`), if it did.
    Transient(ClientError, Option<Duration>),
}

/// solana-client's HTTP transport, retrying: a request that the node turns
/// away for now or whose connection breaks is made again after a pause
/// ([`Backoff`]). Every request zkpay makes may be repeated: reads, and
/// sends of a signed transaction, which lands at most once. (solana-client's
/// own transport retries 429 five times every 500 ms, without jitter, and
/// keeps `Retry-After` to itself.)
struct RetryingSender {
    http: reqwest::Client,
    url: String,
    backoff: Backoff,
    next_id: AtomicU64,
    stats: Mutex<RpcTransportStats>,
}

impl RetryingSender {
    fn new(url: String, backoff: Backoff) -> Self {
        RetryingSender {
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .pool_idle_timeout(REQUEST_TIMEOUT)
                .build()
                .expect("an HTTP client with a timeout builds"),
            url,
            backoff,
            next_id: AtomicU64::new(0),
            stats: Mutex::new(RpcTransportStats::default()),
        }
    }

    /// Makes `request` until it gets a final answer or its attempts run out.
    async fn request(
        &self,
        request: RpcRequest,
        params: serde_json::Value,
    ) -> ClientResult<serde_json::Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = request.build_request_json(id, params).to_string();
        let started = Instant::now();
        let mut paused = Duration::ZERO;
        let mut attempt = 1;
        let answer = loop {
            let (error, asked) = match self.exchange(&body).await {
                Exchange::Final(answer) => break answer,
                Exchange::Transient(error, asked) => (error, asked),
            };
            if let Some(asked) = asked.filter(|asked| *asked > self.backoff.max_pause) {
                break Err(ClientErrorKind::Custom(format!(
                    "{request}: {error}; the node asks to wait {} s (Retry-After), over the {} s this client waits",
                    asked.as_secs(),
                    self.backoff.max_pause.as_secs_f64(),
                ))
                .into());
            }
            if attempt >= self.backoff.attempts {
                break Err(ClientErrorKind::Custom(format!(
                    "{request}: {error} (gave up after {attempt} attempts over {:.1} s)",
                    started.elapsed().as_secs_f64(),
                ))
                .into());
            }
            let pause = self.backoff.pause(attempt).max(asked.unwrap_or_default());
            tokio::time::sleep(pause).await;
            paused += pause;
            attempt += 1;
        };
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        stats.request_count += 1;
        stats.elapsed_time += started.elapsed();
        stats.rate_limited_time += paused;
        answer
    }

    /// Posts `body` once.
    async fn exchange(&self, body: &str) -> Exchange {
        let sent = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return transport_failure(error),
        };
        let status = response.status();
        if let Err(error) = response.error_for_status_ref() {
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                return Exchange::Transient(error.into(), retry_after(response.headers()));
            }
            return Exchange::Final(Err(error.into()));
        }
        match response.bytes().await {
            Ok(body) => Exchange::Final(json_rpc_result(&body)),
            Err(error) => transport_failure(error),
        }
    }
}

/// A failed exchange: transient if it timed out or the connection broke
/// during it; final if no connection was made (nothing listens there, or
/// the name does not resolve), which asking again would not change soon.
fn transport_failure(error: reqwest::Error) -> Exchange {
    let broke = || {
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            if cause.downcast_ref::<std::io::Error>().is_some_and(|io| {
                matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::BrokenPipe
                        | std::io::ErrorKind::UnexpectedEof
                )
            }) {
                return true;
            }
            source = cause.source();
        }
        (error.is_request() || error.is_body()) && !error.is_connect()
    };
    if error.is_timeout() || broke() {
        Exchange::Transient(error.into(), None)
    } else {
        Exchange::Final(Err(error.into()))
    }
}

/// The pause a `Retry-After` header asks for, in its delay-seconds form
/// (its HTTP-date form is not read: the backoff's own pause applies).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// The result of a JSON-RPC answer, or its error object as solana-client
/// reads it (a preflight failure keeps its simulation, which tells a
/// rejected transaction apart).
fn json_rpc_result(body: &[u8]) -> ClientResult<serde_json::Value> {
    #[derive(serde::Deserialize)]
    struct ErrorObject {
        code: i64,
        message: String,
        #[serde(default)]
        data: serde_json::Value,
    }
    let serde_json::Value::Object(mut answer) = serde_json::from_slice(body)? else {
        return Err(RpcError::ParseError("a JSON-RPC answer object".into()).into());
    };
    if let Some(error) = answer.remove("error").filter(serde_json::Value::is_object) {
        let ErrorObject {
            code,
            message,
            data,
        } = serde_json::from_value(error)?;
        let data = match code {
            JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE => {
                serde_json::from_value(data).map_or(
                    RpcResponseErrorData::Empty,
                    RpcResponseErrorData::SendTransactionPreflightFailure,
                )
            }
            _ => RpcResponseErrorData::Empty,
        };
        return Err(RpcError::RpcResponseError {
            code,
            message,
            data,
        }
        .into());
    }
    Ok(answer.remove("result").unwrap_or_default())
}

// `RpcSender` is an `async_trait`: this is the signature it expands to.
impl RpcSender for RetryingSender {
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: RpcRequest,
        params: serde_json::Value,
    ) -> Pin<Box<dyn Future<Output = ClientResult<serde_json::Value>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(self.request(request, params))
    }

    fn get_transport_stats(&self) -> RpcTransportStats {
        self.stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn url(&self) -> String {
        self.url.clone()
    }
}

/// A client of the node at `url`, at `confirmed` commitment, retrying as
/// `backoff` says.
fn client(url: String, backoff: Backoff) -> RpcClient {
    RpcClient::new_sender(
        RetryingSender::new(url, backoff),
        RpcClientConfig::with_commitment(CommitmentConfig::confirmed()),
    )
}

/// One transaction naming a tree, as a node lists it.
struct Listed {
    signature: Signature,
    slot: u64,
    succeeded: bool,
}

/// The URL of mainnet-beta's public RPC.
pub const MAINNET_BETA_URL: &str = "https://api.mainnet-beta.solana.com";

/// Genesis hash of mainnet-beta (`5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d`).
pub const MAINNET_BETA_GENESIS_HASH: Hash = Hash::new_from_array([
    69, 41, 105, 152, 166, 248, 226, 167, 132, 219, 93, 159, 149, 225, 143, 194, 63, 112, 68, 26,
    16, 57, 68, 104, 1, 8, 152, 121, 176, 140, 126, 240,
]);

/// Genesis hash of devnet (`EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG`).
pub const DEVNET_GENESIS_HASH: Hash = Hash::new_from_array([
    206, 89, 219, 80, 128, 252, 44, 109, 59, 207, 124, 169, 7, 18, 211, 194, 229, 230, 194, 143,
    39, 240, 223, 187, 153, 83, 189, 176, 137, 76, 3, 171,
]);

/// Genesis hash of testnet (`4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY`).
pub const TESTNET_GENESIS_HASH: Hash = Hash::new_from_array([
    58, 19, 46, 206, 16, 48, 94, 193, 131, 7, 37, 80, 47, 162, 183, 231, 235, 129, 87, 233, 18, 61,
    76, 31, 101, 74, 113, 120, 113, 97, 220, 33,
]);

/// Compute units the runtime grants each instruction when a transaction
/// sets no limit.
pub const DEFAULT_INSTRUCTION_COMPUTE_UNITS: u64 = 200_000;

/// The compute budget program.
pub const COMPUTE_BUDGET_PROGRAM: Pubkey =
    Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// The most compute units a transaction may ask for.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;

/// Compute units asked for above what simulation used, in percent (the
/// state can change between simulation and execution: the root a proof
/// names sits deeper in the root history when other payments land first).
pub const COMPUTE_UNIT_MARGIN_PERCENT: u64 = 10;

/// Compute units asked for above the margin, for the compute budget
/// instructions themselves.
pub const COMPUTE_UNIT_MARGIN_FIXED: u64 = 1_000;

/// How often a transaction not yet seen is sent again.
pub const RESEND_INTERVAL: Duration = Duration::from_secs(2);

/// How often the status of a sent transaction is read.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// The URL of a Solana CLI moniker (`localnet`, `devnet`, `testnet`,
/// `mainnet-beta` or their first letters), or `url` itself.
pub fn cluster_url(url: &str) -> String {
    match url {
        "localnet" | "l" => "http://127.0.0.1:8899",
        "devnet" | "d" => "https://api.devnet.solana.com",
        "testnet" | "t" => "https://api.testnet.solana.com",
        "mainnet-beta" | "m" => MAINNET_BETA_URL,
        other => other,
    }
    .to_string()
}

/// Whether `url` (a URL or a moniker) names mainnet-beta's public RPC. Other
/// URLs may reach mainnet-beta too: compare the genesis hash
/// ([`MAINNET_BETA_GENESIS_HASH`]) to be sure.
pub fn is_mainnet_beta_url(url: &str) -> bool {
    cluster_url(url)
        .trim_end_matches('/')
        .eq_ignore_ascii_case(MAINNET_BETA_URL)
}

/// Whether `url` (a URL or a moniker) reaches this machine: a local
/// validator (loopback address or `localhost`).
pub fn is_local_url(url: &str) -> bool {
    let url = cluster_url(url);
    let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A cluster's usual name for `url` (`devnet`, ...), or the URL itself.
pub fn cluster_label(url: &str) -> String {
    let resolved = cluster_url(url);
    ["devnet", "testnet", "mainnet-beta"]
        .into_iter()
        .find(|moniker| cluster_url(moniker).eq_ignore_ascii_case(resolved.trim_end_matches('/')))
        .map_or(resolved.clone(), str::to_string)
}

/// The name of a public cluster from its genesis hash.
pub fn known_cluster(genesis_hash: &Hash) -> Option<&'static str> {
    [
        (MAINNET_BETA_GENESIS_HASH, "mainnet-beta"),
        (DEVNET_GENESIS_HASH, "devnet"),
        (TESTNET_GENESIS_HASH, "testnet"),
    ]
    .into_iter()
    .find_map(|(hash, name)| (hash == *genesis_hash).then_some(name))
}

/// `ComputeBudget` `SetComputeUnitLimit(units)`.
pub fn set_compute_unit_limit(units: u32) -> Instruction {
    let mut data = vec![2];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction {
        program_id: COMPUTE_BUDGET_PROGRAM,
        accounts: Vec::new(),
        data,
    }
}

/// `ComputeBudget` `SetComputeUnitPrice(micro_lamports)`: the priority fee,
/// in millionths of a lamport per compute unit of the limit.
pub fn set_compute_unit_price(micro_lamports: u64) -> Instruction {
    let mut data = vec![3];
    data.extend_from_slice(&micro_lamports.to_le_bytes());
    Instruction {
        program_id: COMPUTE_BUDGET_PROGRAM,
        accounts: Vec::new(),
        data,
    }
}

/// The limit to ask for when simulation used `units`.
pub fn compute_unit_limit(units: u64) -> u32 {
    let limit = units + units * COMPUTE_UNIT_MARGIN_PERCENT / 100 + COMPUTE_UNIT_MARGIN_FIXED;
    u32::try_from(limit).map_or(MAX_COMPUTE_UNIT_LIMIT, |l| l.min(MAX_COMPUTE_UNIT_LIMIT))
}

/// A cluster reached over RPC, at `confirmed` commitment. Every request is
/// retried with backoff while the node turns it away for now (rate limits,
/// 5xx) or its connection breaks: see [`Backoff`].
pub struct RpcChain {
    client: RpcClient,
    compute_unit_price: Option<u64>,
    genesis_hash: Option<Hash>,
}

impl RpcChain {
    /// The cluster at `url` (a URL or a moniker, see [`cluster_url`]).
    pub fn new(url: &str) -> Self {
        RpcChain {
            client: client(cluster_url(url), Backoff::default()),
            compute_unit_price: None,
            genesis_hash: None,
        }
    }

    /// Retries requests as `backoff` says instead of by default.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.client = client(self.client.url(), backoff);
        self
    }

    /// Pays a priority fee of `micro_lamports` per compute unit on every
    /// transaction (None: no priority fee).
    pub fn with_compute_unit_price(mut self, micro_lamports: Option<u64>) -> Self {
        self.compute_unit_price = micro_lamports;
        self
    }

    /// The priority fee set, in micro-lamports per compute unit.
    pub fn compute_unit_price(&self) -> Option<u64> {
        self.compute_unit_price
    }

    /// The RPC URL.
    pub fn url(&self) -> String {
        self.client.url()
    }

    /// The transaction with `signature`, confirmed, with its status.
    pub async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<EncodedConfirmedTransactionWithStatusMeta, ChainError> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        self.client
            .get_transaction_with_config(signature, config)
            .await
            .map_err(rpc)
    }

    /// Compute units the confirmed transaction `signature` consumed.
    pub async fn compute_units(&self, signature: &Signature) -> Result<u64, ChainError> {
        let confirmed = self.transaction(signature).await?;
        let meta = confirmed
            .transaction
            .meta
            .ok_or_else(|| ChainError::Data(format!("transaction {signature} has no status")))?;
        Option::<u64>::from(meta.compute_units_consumed).ok_or_else(|| {
            ChainError::Data(format!(
                "the node does not report compute units of {signature}"
            ))
        })
    }

    /// The transactions naming `tree` after `after`, oldest first, with
    /// the rest of `after`'s slot: a node lists a slot's transactions in
    /// no particular order, so some of them may come after `after` in its
    /// list though they ran before it, or the other way round. All of them
    /// if the node does not know `after` (lost in a rollback).
    async fn signatures_after(
        &self,
        tree: &Pubkey,
        after: Option<&Signature>,
    ) -> Result<Vec<Listed>, ChainError> {
        let mut listed = Vec::new();
        let mut before = None;
        let mut after_slot = None;
        'pages: loop {
            let page = self
                .client
                .get_signatures_for_address_with_config(
                    tree,
                    GetConfirmedSignaturesForAddress2Config {
                        before,
                        until: None,
                        limit: Some(SIGNATURE_PAGE),
                        commitment: Some(CommitmentConfig::confirmed()),
                    },
                )
                .await
                .map_err(rpc)?;
            let full = page.len() == SIGNATURE_PAGE;
            for entry in page {
                let signature: Signature = entry
                    .signature
                    .parse()
                    .map_err(|e| ChainError::Data(format!("signature {}: {e}", entry.signature)))?;
                before = Some(signature);
                if after_slot.is_some_and(|slot| entry.slot < slot) {
                    break 'pages;
                }
                if after == Some(&signature) {
                    after_slot = Some(entry.slot);
                    continue;
                }
                listed.push(Listed {
                    signature,
                    slot: entry.slot,
                    succeeded: entry.err.is_none(),
                });
            }
            if !full {
                break;
            }
        }
        listed.reverse();
        Ok(listed)
    }

    async fn settlement(&self, signature: Signature) -> Result<Vec<Settlement>, ChainError> {
        let confirmed = self.transaction(&signature).await?;
        let transaction =
            confirmed.transaction.transaction.decode().ok_or_else(|| {
                ChainError::Data(format!("transaction {signature} is not decodable"))
            })?;
        let meta = confirmed
            .transaction
            .meta
            .ok_or_else(|| ChainError::Data(format!("transaction {signature} has no status")))?;
        if meta.err.is_some() {
            return Ok(Vec::new());
        }
        // Account indexes run over the static keys, then the writable and
        // the read-only addresses loaded from lookup tables (v0 messages).
        let mut keys = transaction.message.static_account_keys().to_vec();
        if let Some(loaded) = Option::<UiLoadedAddresses>::from(meta.loaded_addresses) {
            for address in loaded.writable.iter().chain(&loaded.readonly) {
                keys.push(address.parse().map_err(|e| {
                    ChainError::Data(format!("loaded address {address} of {signature}: {e}"))
                })?);
            }
        }
        let inner: Option<Vec<_>> = meta.inner_instructions.into();
        let mut instructions = Vec::new();
        for ix in inner
            .unwrap_or_default()
            .into_iter()
            .flat_map(|i| i.instructions)
        {
            if let UiInstruction::Compiled(ix) = ix {
                let program = keys.get(usize::from(ix.program_id_index)).ok_or_else(|| {
                    ChainError::Data(format!(
                        "inner instruction of {signature} names account {} of {}",
                        ix.program_id_index,
                        keys.len()
                    ))
                })?;
                let data = bs58::decode(&ix.data).into_vec().map_err(|e| {
                    ChainError::Data(format!("inner instruction of {signature}: {e}"))
                })?;
                instructions.push((*program, data));
            }
        }
        Ok(
            settled_events(instructions.iter().map(|(p, d)| (p, d.as_slice())))
                .into_iter()
                .map(|event| Settlement { signature, event })
                .collect(),
        )
    }

    /// Sends `transaction` once: with preflight checks the first time
    /// (`first`), without afterwards. A rejection on the first send is
    /// final; later sends only keep it in flight.
    async fn send(&self, transaction: &Transaction, first: bool) -> Result<(), ChainError> {
        let config = RpcSendTransactionConfig {
            skip_preflight: !first,
            preflight_commitment: Some(CommitmentLevel::Confirmed),
            max_retries: Some(0),
            ..RpcSendTransactionConfig::default()
        };
        match self
            .client
            .send_transaction_with_config(transaction, config)
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => match error.get_transaction_error() {
                // Already landed (a payment sent again by sync).
                Some(TransactionError::AlreadyProcessed) => Ok(()),
                Some(rejected) if first => Err(ChainError::Rejected(rejected)),
                None if first => Err(ChainError::Transport(error.to_string())),
                _ => Ok(()),
            },
        }
    }
}

fn rpc(error: ClientError) -> ChainError {
    if let Some(rejected) = error.get_transaction_error() {
        return ChainError::Rejected(rejected);
    }
    match error.kind() {
        // Written by `RetryingSender`, whole.
        ClientErrorKind::Custom(message) => ChainError::Transport(message.clone()),
        _ => ChainError::Transport(error.to_string()),
    }
}

impl Chain for RpcChain {
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError> {
        self.client.get_latest_blockhash().await.map_err(rpc)
    }

    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError> {
        self.client
            .is_blockhash_valid(blockhash, CommitmentConfig::processed())
            .await
            .map_err(rpc)
    }

    /// Sends `transaction`, then reads its status and sends it again every
    /// [`RESEND_INTERVAL`] (nodes drop transactions under load) until it is
    /// confirmed, or until its blockhash expires unseen: [`ChainError::Expired`].
    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let signature = transaction.signatures[0];
        let blockhash = transaction.message.recent_blockhash;
        let started = Instant::now();
        self.send(transaction, true).await?;
        let mut sends = 1u32;
        let mut last_send = Instant::now();
        loop {
            tokio::time::sleep(POLL_INTERVAL).await;
            let status = self
                .client
                .get_signature_statuses(&[signature])
                .await
                .map_err(rpc)?
                .value
                .pop()
                .flatten();
            if let Some(status) = status {
                if status.satisfies_commitment(CommitmentConfig::confirmed()) {
                    return match status.err {
                        None => Ok(()),
                        Some(error) => Err(ChainError::Rejected(error)),
                    };
                }
                // Landed, not yet confirmed.
                continue;
            }
            if last_send.elapsed() < RESEND_INTERVAL {
                continue;
            }
            if !self.is_blockhash_valid(&blockhash).await? {
                // A last look: it may have landed just before the expiry.
                let seen = self
                    .client
                    .get_signature_statuses_with_history(&[signature])
                    .await
                    .map_err(rpc)?
                    .value
                    .pop()
                    .flatten();
                if seen.is_none() {
                    return Err(ChainError::Expired {
                        sends,
                        seconds: started.elapsed().as_secs(),
                    });
                }
                continue;
            }
            self.send(transaction, false).await?;
            sends += 1;
            last_send = Instant::now();
        }
    }

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: true,
            commitment: Some(CommitmentConfig::confirmed()),
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self
            .client
            .simulate_transaction_with_config(transaction, config)
            .await
            .map_err(rpc)?
            .value;
        match result.err {
            Some(error) => Err(ChainError::Rejected(error.into())),
            None => Ok(()),
        }
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        let status = self
            .client
            .get_signature_status(signature)
            .await
            .map_err(rpc)?;
        Ok(match status {
            None => TransactionStatus::Unknown,
            Some(Ok(())) => TransactionStatus::Succeeded,
            Some(Err(error)) => TransactionStatus::Failed(error),
        })
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut accounts = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(100) {
            accounts.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .map_err(rpc)?,
            );
        }
        Ok(accounts)
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        self.client
            .get_minimum_balance_for_rent_exemption(space)
            .await
            .map_err(rpc)
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        let listed = self.signatures_after(tree, after).await?;
        // Oldest first, at most `budget` successful ones (failed ones
        // changed nothing and are not fetched), ending on a whole slot.
        let mut fetch = Vec::new();
        let mut read_to = None;
        let mut complete = true;
        for (i, entry) in listed.iter().enumerate() {
            if i > 0 && fetch.len() >= budget && listed[i - 1].slot != entry.slot {
                complete = false;
                break;
            }
            if entry.succeeded {
                fetch.push(entry.signature);
            }
            read_to = Some(entry.signature);
        }
        // A few requests in flight at once, answers kept in order.
        let fetched: Vec<Vec<Settlement>> = futures::stream::iter(fetch)
            .map(|signature| self.settlement(signature))
            .buffered(FETCH_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(SettlementPage {
            settlements: fetched.into_iter().flatten().collect(),
            read_to,
            complete,
        })
    }

    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError> {
        Ok(self
            .settlement(*signature)
            .await?
            .into_iter()
            .map(|settlement| settlement.event)
            .collect())
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let signature = self
            .client
            .request_airdrop(address, lamports)
            .await
            .map_err(rpc)?;
        self.client
            .poll_for_signature(&signature)
            .await
            .map_err(rpc)
    }

    async fn genesis_hash(&mut self) -> Result<Option<Hash>, ChainError> {
        if self.genesis_hash.is_none() {
            self.genesis_hash = Some(self.client.get_genesis_hash().await.map_err(rpc)?);
        }
        Ok(self.genesis_hash)
    }

    /// A compute-unit limit of what simulating `instructions` used plus the
    /// margin, and the priority fee if one is set; nothing when no priority
    /// fee is set and the runtime's default limit covers the margin.
    async fn compute_budget(
        &mut self,
        payer: &Pubkey,
        instructions: &[Instruction],
    ) -> Result<Vec<Instruction>, ChainError> {
        let price: Vec<Instruction> = self
            .compute_unit_price
            .map(set_compute_unit_price)
            .into_iter()
            .collect();
        let mut simulated = vec![set_compute_unit_limit(MAX_COMPUTE_UNIT_LIMIT)];
        simulated.extend(price.iter().cloned());
        simulated.extend_from_slice(instructions);
        let transaction = Transaction::new_with_payer(&simulated, Some(payer));
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(CommitmentConfig::confirmed()),
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self
            .client
            .simulate_transaction_with_config(&transaction, config)
            .await
            .map_err(rpc)?
            .value;
        if let Some(error) = result.err {
            return Err(ChainError::Rejected(error.into()));
        }
        let units = result.units_consumed.ok_or_else(|| {
            ChainError::Data("the node's simulation reports no compute units".into())
        })?;
        let limit = compute_unit_limit(units);
        // Without a priority fee the limit changes no fee: under the
        // runtime's default it is left out, saving 40 bytes of a packet.
        let non_budget = instructions
            .iter()
            .filter(|ix| ix.program_id != COMPUTE_BUDGET_PROGRAM)
            .count() as u64;
        if price.is_empty() && u64::from(limit) <= DEFAULT_INSTRUCTION_COMPUTE_UNITS * non_budget {
            return Ok(Vec::new());
        }
        let mut budget = vec![set_compute_unit_limit(limit)];
        budget.extend(price);
        Ok(budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_are_the_loopback_ones() {
        for url in [
            "localnet",
            "l",
            "http://127.0.0.1:8899",
            "http://localhost:8899/",
            "http://LOCALHOST",
            "http://[::1]:8899",
            "http://127.0.0.2:18899",
        ] {
            assert!(is_local_url(url), "{url}");
        }
        for url in [
            "devnet",
            "testnet",
            "mainnet-beta",
            "https://api.devnet.solana.com",
            "http://10.0.0.1:8899",
            "http://localhost.example.com:8899",
            "http://127.0.0.1.example.com",
            "https://rpc.example.com/?host=127.0.0.1",
            "http://user@example.com",
        ] {
            assert!(!is_local_url(url), "{url}");
        }
        assert_eq!(cluster_label("https://api.devnet.solana.com/"), "devnet");
        assert_eq!(cluster_label("m"), "mainnet-beta");
        assert_eq!(
            cluster_label("http://10.0.0.1:8899"),
            "http://10.0.0.1:8899"
        );
    }

    #[test]
    fn mainnet_beta_is_recognised_by_moniker_and_url() {
        for url in [
            "mainnet-beta",
            "m",
            "https://api.mainnet-beta.solana.com",
            "https://api.mainnet-beta.solana.com/",
            "HTTPS://API.MAINNET-BETA.SOLANA.COM",
        ] {
            assert!(is_mainnet_beta_url(url), "{url}");
        }
        for url in [
            "localnet",
            "devnet",
            "testnet",
            "http://127.0.0.1:8899",
            "embedded",
        ] {
            assert!(!is_mainnet_beta_url(url), "{url}");
        }
        for (hash, name) in [
            (
                "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d",
                "mainnet-beta",
            ),
            ("EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG", "devnet"),
            ("4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY", "testnet"),
        ] {
            assert_eq!(known_cluster(&hash.parse().unwrap()), Some(name));
        }
        assert_eq!(known_cluster(&Hash::new_from_array([1; 32])), None);
    }

    #[test]
    fn compute_budget_instructions_have_the_programs_encoding() {
        assert_eq!(
            set_compute_unit_limit(200_000).data,
            [2, 0x40, 0x0d, 0x03, 0]
        );
        assert_eq!(
            set_compute_unit_price(1_000).data,
            [3, 0xe8, 0x03, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(compute_unit_limit(150_000), 166_000);
        assert_eq!(compute_unit_limit(2_000_000), MAX_COMPUTE_UNIT_LIMIT);
    }
}
