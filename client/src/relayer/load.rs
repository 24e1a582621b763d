//! A bounded load on a relayer: requests sent at a fixed concurrency, each
//! answer timed. Used by `zkpay relayer bench` and the relayer tests.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;

use super::api::RelayRequest;

use super::{RelayerClient, RelayerError};

/// What a load request sends.
#[derive(Debug, Clone)]
pub enum Body {
    /// A relay request, given a recent blockhash as it is sent.
    Relay(RelayRequest),
    /// These bytes.
    Raw(Vec<u8>),
}

/// One request of a load: its body, and whether it should settle.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    /// The body sent.
    pub body: Body,
    /// Whether it is a valid relay (else the relayer must refuse it).
    pub valid: bool,
}

/// What one request got.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    /// Whether it was meant to settle.
    pub valid: bool,
    /// HTTP status (0: no answer).
    pub status: u16,
    /// The settled transaction's signature, if it settled.
    pub signature: Option<String>,
    /// Time from sending to the answer.
    pub latency: Duration,
}

/// Every outcome of a load, in the order the answers came.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// The outcomes.
    pub outcomes: Vec<LoadOutcome>,
    /// Time from the first send to the last answer.
    pub elapsed: Duration,
}

impl LoadReport {
    /// The `q`-quantile (0..=1) of the latencies.
    pub fn latency(&self, q: f64) -> Duration {
        let mut latencies: Vec<Duration> = self.outcomes.iter().map(|o| o.latency).collect();
        latencies.sort();
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((latencies.len() - 1) as f64 * q).round() as usize;
        latencies[rank]
    }

    /// Answers per second.
    pub fn throughput(&self) -> f64 {
        self.outcomes.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Valid requests that settled.
    pub fn settled(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.signature.is_some())
            .count()
    }
}

/// Sends `requests` to `client`, `concurrency` at a time, each relay
/// request with the blockhash `blockhash` gives as it is sent (a wallet
/// signs with a recent one; the embedded chain's last about a second).
pub async fn run<F, Fut>(
    client: &RelayerClient,
    requests: Vec<LoadRequest>,
    concurrency: usize,
    blockhash: F,
) -> LoadReport
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Hash>,
{
    let started = Instant::now();
    let blockhash = &blockhash;
    let outcomes = stream::iter(requests)
        .map(|request| async move {
            let body = match request.body {
                Body::Relay(mut relay) => {
                    relay.blockhash = blockhash().await.to_string();
                    serde_json::to_vec(&relay).expect("requests serialise")
                }
                Body::Raw(bytes) => bytes,
            };
            let sent = Instant::now();
            let answer = client.relay_raw(body).await;
            let latency = sent.elapsed();
            let (status, signature) = match answer {
                Ok(response) => (200, Some(response.signature)),
                Err(RelayerError::Refused { status, .. }) => (status, None),
                Err(_) => (0, None),
            };
            LoadOutcome {
                valid: request.valid,
                status,
                signature,
                latency,
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    LoadReport {
        outcomes,
        elapsed: started.elapsed(),
    }
}

/// Ways a load spoils a valid request; each must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spoil {
    /// Not JSON.
    Malformed,
    /// Fee zero.
    FeeTooLow,
    /// Another fee account.
    WrongRelayer,
    /// An encrypted output altered: the proof no longer verifies.
    InvalidProof,
    /// The same request again.
    Replay,
}

impl Spoil {
    /// Every way, in the order a load cycles through them.
    pub const ALL: [Spoil; 5] = [
        Spoil::Malformed,
        Spoil::FeeTooLow,
        Spoil::WrongRelayer,
        Spoil::InvalidProof,
        Spoil::Replay,
    ];

    /// `valid` spoiled this way.
    pub fn apply(self, valid: &RelayRequest) -> Body {
        let mut request = valid.clone();
        match self {
            Spoil::Malformed => return Body::Raw(b"{\"proof\": [1, 2,".to_vec()),
            Spoil::FeeTooLow => request.fee = 0,
            Spoil::WrongRelayer => request.relayer = Pubkey::new_unique().to_string(),
            Spoil::InvalidProof => {
                let output = &mut request.encrypted_outputs[0];
                let first = if output.starts_with('A') { "B" } else { "A" };
                output.replace_range(..1, first);
            }
            Spoil::Replay => {}
        }
        Body::Relay(request)
    }
}

/// `valid` requests with a spoiled one after every `invalid_every - 1`
/// (cycling through [`Spoil::ALL`]; a replay repeats the valid request
/// before it).
pub fn mix(valid: &[RelayRequest], invalid_every: usize) -> Vec<LoadRequest> {
    let mut load = Vec::new();
    let mut spoils = Spoil::ALL.iter().cycle();
    for request in valid {
        load.push(LoadRequest {
            body: Body::Relay(request.clone()),
            valid: true,
        });
        if invalid_every > 1 && (load.len() + 1) % invalid_every == 0 {
            let spoil = spoils.next().expect("a cycle");
            load.push(LoadRequest {
                body: spoil.apply(request),
                valid: false,
            });
        }
    }
    load
}
