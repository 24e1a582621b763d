//! The relayer service: signs and pays the transactions of proven
//! `transact`s, for a fee taken from the pool, so the payer's public account
//! appears nowhere. Before spending anything it checks each request (size,
//! shape, fee, fee account, the proof off-chain, root, nullifiers,
//! blockhash, simulation); see [`RelayerService::relay`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use tokio::sync::Semaphore;
use zkpay::instructions::TransactArgs;
use zkpay_circuits::field::to_bytes;
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::program::state::TreeState;
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;
use zkpay_core::verifier::verify_transfer;

use super::api::{
    encode_transaction, ErrorBody, ErrorDetail, PoolQuote, Quote, RefusalCode, Relay, RelayRequest,
    RelayResponse, ROUTE_HEALTH, ROUTE_QUOTE, ROUTE_RELAY,
};
use crate::chain::shared::SharedChain;
use crate::chain::{Chain, ChainError};
use crate::nullifier_pages::{live_pages, split, PageLookupError};
use crate::pool::{load_pool, PoolError, PoolInfo};
use crate::transact::{
    associated_token_address, create_associated_token_account, transact_instruction,
    TransactAccounts,
};
use crate::wallet::PACKET_LIMIT;
use zkpay_core::program::nullifier_page::NULLIFIER_STORAGE_FEE;

/// Lamports a transaction pays per signature.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// How much the service takes, and from whom.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests per second from one client address (quote and relay).
    pub per_client_per_second: u32,
    /// Requests one client address may send at once after a quiet spell.
    pub per_client_burst: u32,
    /// Requests per second from everyone.
    pub overall_per_second: u32,
    /// Relays being checked or submitted at once; more are refused as busy.
    pub in_flight: usize,
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Longest a request may take, submission and confirmation included.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_client_per_second: 20,
            per_client_burst: 40,
            overall_per_second: 500,
            in_flight: 64,
            body_bytes: 8 * 1024,
            timeout: Duration::from_secs(90),
        }
    }
}

/// A pool the relayer serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServedPool {
    /// The pool's mint.
    pub mint: Pubkey,
    /// SPL pools: the fee in the token's base units (the relayer has no
    /// price of the token in SOL). SOL pools: None, the fee is the cost
    /// plus the margin.
    pub token_fee: Option<u64>,
}

/// How the relayer runs.
#[derive(Debug, Clone)]
pub struct RelayerConfig {
    /// The pools served.
    pub pools: Vec<ServedPool>,
    /// Lamports over cost on each SOL-pool relay.
    pub margin: u64,
    /// Rate and size limits.
    pub limits: Limits,
}

impl RelayerConfig {
    /// The SOL pool alone, at cost plus `margin` lamports.
    pub fn sol_pool(margin: u64, limits: Limits) -> Self {
        RelayerConfig {
            pools: vec![ServedPool {
                mint: crate::pool::SOL,
                token_fee: None,
            }],
            margin,
            limits,
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The chain.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A pool.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// An SPL pool without a fee.
    #[error("the pool of {0} is an SPL pool: give its fee in token units")]
    TokenFeeMissing(Pubkey),
    /// A limit of zero.
    #[error("a rate limit must be at least 1")]
    ZeroLimit,
    /// No handle on the chain.
    #[error("the relayer needs at least one chain connection")]
    NoChain,
}

/// A pool served, with its fee account and fees.
struct Served {
    info: PoolInfo,
    quote: PoolQuote,
    fee_account: Pubkey,
}

/// Whether the nullifiers of a request are being relayed, or were.
#[derive(Clone, Copy)]
enum Seen {
    InFlight,
    Settled(Signature),
}

/// The relayer: one instance serves every request.
pub struct RelayerService<C> {
    lanes: Vec<SharedChain<C>>,
    next_lane: std::sync::atomic::AtomicUsize,
    keypair: Keypair,
    pools: HashMap<Pubkey, Served>,
    quote: Quote,
    seen: Mutex<HashMap<[u8; 32], Seen>>,
    in_flight: Arc<Semaphore>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    overall: DefaultDirectRateLimiter,
    limits: Limits,
}

/// A refusal, as the service answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub code: RefusalCode,
    /// What, for people.
    pub message: String,
}

impl Refusal {
    fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.status()).expect("known status codes");
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (status, Json(body)).into_response()
    }
}

fn unavailable(error: ChainError) -> Refusal {
    Refusal::new(RefusalCode::Unavailable, error.to_string())
}

/// A refusal of the chain, before anything was sent: an expired blockhash
/// is the wallet's to renew; anything else means the relay would fail.
/// How many times a relay is built: again when a nullifier page it named
/// split before it landed.
const PAGE_ATTEMPTS: usize = 4;

fn would_fail(error: TransactionError) -> Refusal {
    if error == TransactionError::BlockhashNotFound {
        return stale_blockhash();
    }
    Refusal::new(
        RefusalCode::WouldFail,
        format!("simulation failed: {error}"),
    )
}

fn stale_blockhash() -> Refusal {
    Refusal::new(
        RefusalCode::StaleBlockhash,
        "the blockhash has expired: send again with a recent one (the proof stays valid)",
    )
}

/// Forgets the nullifiers of a relay that did not settle, when dropped.
struct Claim<'a, C> {
    service: &'a RelayerService<C>,
    nullifiers: [[u8; 32]; 2],
    settled: Option<Signature>,
    keep: bool,
}

impl<C> Drop for Claim<'_, C> {
    fn drop(&mut self) {
        let mut seen = self.service.seen.lock().expect("seen lock");
        for nullifier in &self.nullifiers {
            match self.settled {
                Some(signature) => {
                    seen.insert(*nullifier, Seen::Settled(signature));
                }
                None if !self.keep => {
                    seen.remove(nullifier);
                }
                None => {}
            }
        }
    }
}

/// Settled entries remembered before the oldest are forgotten (a replay
/// of a forgotten one is still refused: its nullifiers are spent).
const SEEN_CAPACITY: usize = 100_000;

impl<C: Chain + 'static> RelayerService<C> {
    /// Loads the pools, makes sure the relayer's token accounts of SPL
    /// pools exist (creating them, paid by the relayer), and computes the
    /// quote.
    pub async fn start(
        chain: SharedChain<C>,
        keypair: Keypair,
        config: RelayerConfig,
    ) -> Result<Self, StartError> {
        Self::start_with_lanes(vec![chain], keypair, config).await
    }

    /// [`Self::start`] with several handles on the chain (for a cluster,
    /// each its own RPC client and thread), used in turn, so that as many
    /// relays wait for confirmation at once. An embedded chain has one.
    pub async fn start_with_lanes(
        lanes: Vec<SharedChain<C>>,
        keypair: Keypair,
        config: RelayerConfig,
    ) -> Result<Self, StartError> {
        let mut chain = lanes.first().ok_or(StartError::NoChain)?.clone();
        let limit = |n: u32| NonZeroU32::new(n).ok_or(StartError::ZeroLimit);
        let cost = LAMPORTS_PER_SIGNATURE + NULLIFIER_STORAGE_FEE;
        let relayer = keypair.pubkey();
        let mut pools = HashMap::new();
        for served in &config.pools {
            let info = load_pool(&mut chain, &served.mint).await?;
            let (fee_account, fee, margin) = if info.is_spl() {
                let fee = served
                    .token_fee
                    .ok_or(StartError::TokenFeeMissing(served.mint))?;
                let account = associated_token_address(&relayer, &info.mint);
                if chain.accounts(&[account]).await?[0].is_none() {
                    let create = create_associated_token_account(&relayer, &relayer, &info.mint);
                    let blockhash = chain.latest_blockhash().await?;
                    let transaction = Transaction::new_signed_with_payer(
                        &[create],
                        Some(&relayer),
                        &[&keypair],
                        blockhash,
                    );
                    chain.submit(&transaction).await?;
                }
                (account, fee, 0)
            } else {
                (relayer, cost + config.margin, config.margin)
            };
            let quote = PoolQuote {
                mint: info.mint.to_string(),
                pool: info.pool.to_string(),
                fee_account: fee_account.to_string(),
                transfer_fee: fee,
                withdrawal_fee: fee,
                cost_lamports: cost,
                margin,
            };
            pools.insert(
                info.mint,
                Served {
                    info,
                    quote,
                    fee_account,
                },
            );
        }
        let quote = Quote {
            relayer: relayer.to_string(),
            pools: config
                .pools
                .iter()
                .map(|p| pools[&p.mint].quote.clone())
                .collect(),
        };
        let limits = config.limits;
        Ok(RelayerService {
            lanes,
            next_lane: std::sync::atomic::AtomicUsize::new(0),
            keypair,
            pools,
            quote,
            seen: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(limits.in_flight)),
            per_client: RateLimiter::keyed(
                Quota::per_second(limit(limits.per_client_per_second)?)
                    .allow_burst(limit(limits.per_client_burst)?),
            ),
            overall: RateLimiter::direct(Quota::per_second(limit(limits.overall_per_second)?)),
            limits,
        })
    }

    /// The relayer's public key.
    pub fn pubkey(&self) -> Pubkey {
        self.keypair.pubkey()
    }

    /// The current quote.
    pub fn quote(&self) -> &Quote {
        &self.quote
    }

    /// Refuses a client over its rate, or everyone over the overall rate.
    fn admit(&self, client: IpAddr) -> Result<(), Refusal> {
        if self.per_client.check_key(&client).is_err() {
            return Err(Refusal::new(
                RefusalCode::RateLimited,
                format!(
                    "over {} requests per second from your address; try again shortly",
                    self.limits.per_client_per_second
                ),
            ));
        }
        if self.overall.check().is_err() {
            return Err(Refusal::new(
                RefusalCode::RateLimited,
                "the relayer is at its overall request rate; try again shortly",
            ));
        }
        Ok(())
    }

    /// Checks `relay` and, if every check passes, signs, submits and waits
    /// for the transaction's confirmation. Steps:
    /// 1. the pool is served, the request is not a deposit, the fee meets
    ///    the quote and the fee account is this relayer's;
    /// 2. a relay slot is free (else busy), and the proof verifies
    ///    off-chain for the public inputs the program will compute;
    /// 3. neither nullifier is being relayed or was (else duplicate);
    /// 4. the root is recent, the nullifiers unspent on-chain (their live
    ///    nullifier pages looked up, a full one split by the relayer), and
    ///    the blockhash is valid;
    /// 5. the signed transaction fits a packet and its simulation succeeds;
    /// 6. it is submitted and confirmed. A transaction refused at 5 or 6
    ///    whose pages have split since 4 is built again on the live pages
    ///    (at most [`PAGE_ATTEMPTS`] times in all).
    ///
    /// Nothing is sent before step 6.
    pub async fn relay(&self, relay: &Relay) -> Result<RelayResponse, Refusal> {
        use RefusalCode::*;
        let served = self.pools.get(&relay.mint).ok_or_else(|| {
            Refusal::new(
                UnknownPool,
                format!("this relayer does not serve the pool of {}", relay.mint),
            )
        })?;
        if relay.ext_amount > 0 {
            return Err(Refusal::new(
                Deposit,
                "deposits are signed by the depositor, not relayed",
            ));
        }
        let least = if relay.ext_amount < 0 {
            served.quote.withdrawal_fee
        } else {
            served.quote.transfer_fee
        };
        if relay.fee < least {
            return Err(Refusal::new(
                FeeTooLow,
                format!("the fee is {} but the quote is {least}", relay.fee),
            ));
        }
        if relay.relayer != served.fee_account {
            return Err(Refusal::new(
                WrongRelayer,
                format!(
                    "the proof pays its fee to {}, not to this relayer's {}",
                    relay.relayer, served.fee_account
                ),
            ));
        }
        let _slot = self
            .in_flight
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refusal::new(Busy, "too many relays in flight; try again shortly"))?;
        // Verified before claiming: a request with a bad proof cannot hold
        // back the nullifiers of someone's good one.
        self.verify(served, relay).await?;
        let mut claim = self.claim(relay.input_nullifiers)?;
        let lane = self
            .next_lane
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut chain = self.lanes[lane % self.lanes.len()].clone();
        let info = &served.info;
        let accounts = chain.accounts(&[info.tree]).await.map_err(unavailable)?;
        let tree = accounts[0]
            .as_ref()
            .and_then(|a| TreeState::read(&a.data))
            .ok_or_else(|| Refusal::new(Unavailable, "the pool's tree account cannot be read"))?;
        if !tree.history.contains(&relay.root) {
            return Err(Refusal::new(
                UnknownRoot,
                "the root is not among the pool's recent roots: sync and prove again",
            ));
        }
        let mut pages = self.pages(&mut chain, info, relay).await?;
        if !chain
            .is_blockhash_valid(&relay.blockhash)
            .await
            .map_err(unavailable)?
        {
            return Err(stale_blockhash());
        }
        // A page named may split under the relay (another relay's split,
        // between the lookup and the landing): the transaction then fails,
        // and is built again on the live pages (the proof does not name them).
        let mut attempts = 1;
        loop {
            match self
                .send(&mut chain, served, relay, pages, &mut claim)
                .await
            {
                Err(refusal) if refusal.code == WouldFail && attempts < PAGE_ATTEMPTS => {
                    let live = self.pages(&mut chain, info, relay).await?;
                    if live == pages {
                        return Err(refusal);
                    }
                    pages = live;
                    attempts += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Step 4's pages: the live nullifier pages covering the relay's two
    /// nullifiers, a full one split first (by the relayer, refunded from
    /// the pool's reserve); a spent nullifier is refused.
    async fn pages(
        &self,
        chain: &mut SharedChain<C>,
        info: &PoolInfo,
        relay: &Relay,
    ) -> Result<[Pubkey; 2], Refusal> {
        let unavailable =
            |error: PageLookupError| Refusal::new(RefusalCode::Unavailable, error.to_string());
        let nullifiers = &relay.input_nullifiers;
        let mut live = live_pages(chain, info, nullifiers)
            .await
            .map_err(unavailable)?;
        if live.iter().any(|page| page.spent) {
            return Err(Refusal::new(
                RefusalCode::Spent,
                "a note this spends is already spent",
            ));
        }
        let mut pages = [Pubkey::default(); 2];
        for k in 0..2 {
            pages[k] = match live[k].full {
                true => {
                    let page = split(chain, info, &self.keypair, &nullifiers[k])
                        .await
                        .map_err(unavailable)?
                        .address;
                    // The other nullifier's page may be the one just split.
                    live = live_pages(chain, info, nullifiers)
                        .await
                        .map_err(unavailable)?;
                    page
                }
                false => live[k].address,
            };
        }
        Ok(pages)
    }

    /// Steps 5 and 6 on `pages`: signs, simulates, submits and confirms.
    async fn send(
        &self,
        chain: &mut SharedChain<C>,
        served: &Served,
        relay: &Relay,
        pages: [Pubkey; 2],
        claim: &mut Claim<'_, C>,
    ) -> Result<RelayResponse, Refusal> {
        let transaction = self.sign(chain, served, relay, pages).await?;
        let signature = transaction.signatures[0];
        match chain.simulate(&transaction).await {
            Ok(()) => {}
            Err(ChainError::Rejected(error)) => return Err(would_fail(error)),
            Err(other) => return Err(unavailable(other)),
        }
        match chain.submit(&transaction).await {
            Ok(()) => {
                claim.settled = Some(signature);
                tracing::info!(%signature, fee = relay.fee, "relayed");
                Ok(RelayResponse {
                    signature: signature.to_string(),
                    transaction: encode_transaction(&transaction),
                })
            }
            Err(ChainError::Rejected(error)) => Err(would_fail(error)),
            Err(expired @ ChainError::Expired { .. }) => Err(unavailable(expired)),
            Err(other) => {
                // Its fate is unknown: it may still land, so its nullifiers
                // stay claimed.
                claim.keep = true;
                Err(Refusal::new(
                    RefusalCode::Unavailable,
                    format!("transaction {signature} was sent but not confirmed: {other}"),
                ))
            }
        }
    }

    /// Step 3: claims both nullifiers, or refuses a request spending one
    /// being relayed or relayed before.
    fn claim(&self, nullifiers: [[u8; 32]; 2]) -> Result<Claim<'_, C>, Refusal> {
        let mut seen = self.seen.lock().expect("seen lock");
        for nullifier in &nullifiers {
            if let Some(state) = seen.get(nullifier) {
                let message = match state {
                    Seen::InFlight => "a request spending the same note is being relayed".into(),
                    Seen::Settled(signature) => {
                        format!("a request spending the same note was relayed in {signature}")
                    }
                };
                return Err(Refusal::new(RefusalCode::Duplicate, message));
            }
        }
        if seen.len() >= SEEN_CAPACITY {
            seen.retain(|_, state| matches!(state, Seen::InFlight));
        }
        for nullifier in &nullifiers {
            seen.insert(*nullifier, Seen::InFlight);
        }
        Ok(Claim {
            service: self,
            nullifiers,
            settled: None,
            keep: false,
        })
    }

    /// Step 2's proof check, off the async threads.
    async fn verify(&self, served: &Served, relay: &Relay) -> Result<(), Refusal> {
        let ext_data = ExtData {
            recipient: relay.recipient.to_bytes(),
            relayer: relay.relayer.to_bytes(),
            ext_amount: relay.ext_amount,
            fee: relay.fee,
            mint: served.info.mint.to_bytes(),
            encrypted_outputs: [&relay.encrypted_outputs[0], &relay.encrypted_outputs[1]],
        };
        let inputs = TransferPublicInputs {
            root: relay.root,
            public_amount: public_amount(relay.ext_amount, relay.fee),
            ext_data_hash: ext_data.hash(),
            asset_id: to_bytes(&served.info.asset_id),
            input_nullifiers: relay.input_nullifiers,
            output_commitments: relay.output_commitments,
        };
        let proof = TransferProof::from_bytes(&relay.proof);
        let verified = tokio::task::spawn_blocking(move || verify_transfer(&proof, &inputs))
            .await
            .map_err(|e| Refusal::new(RefusalCode::Unavailable, e.to_string()))?;
        verified.map_err(|e| Refusal::new(RefusalCode::InvalidProof, e.to_string()))
    }

    /// Step 5's transaction: the compute budget, then `transact`.
    async fn sign(
        &self,
        chain: &mut SharedChain<C>,
        served: &Served,
        relay: &Relay,
        pages: [Pubkey; 2],
    ) -> Result<Transaction, Refusal> {
        let payer = self.keypair.pubkey();
        let accounts = TransactAccounts {
            payer,
            recipient: relay.recipient,
            relayer: served.fee_account,
            depositor_token: None,
        };
        let instruction = transact_instruction(
            &served.info,
            &accounts,
            pages,
            relay.input_nullifiers,
            TransactArgs {
                proof: relay.proof,
                root: relay.root,
                output_commitments: relay.output_commitments,
                ext_amount: relay.ext_amount,
                fee: relay.fee,
                encrypted_outputs: relay.encrypted_outputs.clone(),
            },
        );
        let mut instructions = match chain.compute_budget(&payer, &[instruction.clone()]).await {
            Ok(budget) => budget,
            Err(ChainError::Rejected(error)) => return Err(would_fail(error)),
            Err(other) => return Err(unavailable(other)),
        };
        instructions.push(instruction);
        let transaction = Transaction::new_signed_with_payer(
            &instructions,
            Some(&payer),
            &[&self.keypair],
            relay.blockhash,
        );
        let size = bincode::serialized_size(&transaction).map_or(usize::MAX, |s| s as usize);
        if size > PACKET_LIMIT {
            return Err(Refusal::new(
                RefusalCode::Malformed,
                format!("the transaction would be {size} bytes, over Solana's {PACKET_LIMIT}"),
            ));
        }
        Ok(transaction)
    }

    /// The HTTP routes, with the body limit and timeout.
    pub fn router(self: Arc<Self>) -> Router {
        let limits = self.limits;
        Router::new()
            .route(ROUTE_HEALTH, get(|| async { "ok" }))
            .route(ROUTE_QUOTE, get(quote::<C>))
            .route(ROUTE_RELAY, post(relay::<C>))
            .layer(DefaultBodyLimit::max(limits.body_bytes))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.timeout,
            ))
            .with_state(self)
    }

    /// Serves on `listener` until `shutdown` completes, then finishes the
    /// requests in flight and returns.
    pub async fn serve(
        self: Arc<Self>,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = Arc::clone(&self);
        // Forget idle clients' rate state now and then, so memory stays flat.
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                service.per_client.retain_recent();
            }
        });
        let app = self.router();
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        sweeper.abort();
        served
    }
}

/// A relayer serving on a loopback port of this process.
pub struct LocalRelayer {
    /// Its URL.
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl LocalRelayer {
    /// Stops it once the relays in flight are answered.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }
}

impl<C: Chain + 'static> RelayerService<C> {
    /// Serves on a free loopback port, in a task of the current runtime.
    pub async fn spawn_on_loopback(self: Arc<Self>) -> std::io::Result<LocalRelayer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(self.serve(listener, async move {
            let _ = stopped.await;
        }));
        Ok(LocalRelayer { url, stop, task })
    }
}

async fn quote<C: Chain + 'static>(
    State(service): State<Arc<RelayerService<C>>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
) -> Result<Json<Quote>, Refusal> {
    service.admit(client.ip())?;
    Ok(Json(service.quote.clone()))
}

async fn relay<C: Chain + 'static>(
    State(service): State<Arc<RelayerService<C>>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RelayResponse>, Refusal> {
    service.admit(client.ip())?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::new(
                RefusalCode::TooLarge,
                format!("the body is over {} bytes", service.limits.body_bytes),
            )
        } else {
            Refusal::new(RefusalCode::Malformed, rejection.body_text())
        }
    })?;
    let request: RelayRequest = serde_json::from_slice(&body)
        .map_err(|e| Refusal::new(RefusalCode::Malformed, format!("not a relay request: {e}")))?;
    let relay = Relay::try_from(&request).map_err(|e| Refusal::new(RefusalCode::Malformed, e))?;
    let result = service.relay(&relay).await;
    if let Err(refusal) = &result {
        tracing::info!(%client, code = ?refusal.code, message = %refusal.message, "refused");
    }
    result.map(Json)
}
