//! The wallet's side of a relayer: fetch its quote, send a proven relay.

use std::time::Duration;

use solana_sdk::pubkey::Pubkey;

use super::api::{ErrorBody, PoolQuote, Quote, RefusalCode, Relay, RelayRequest, RelayResponse};
use super::api::{ROUTE_QUOTE, ROUTE_RELAY};

/// Why a relayer did not relay.
#[derive(Debug, thiserror::Error)]
pub enum RelayerError {
    /// It refused the request: nothing was submitted (but for
    /// [`RefusalCode::Unavailable`], which may follow a send).
    #[error("the relayer refused: {message} ({code:?}, HTTP {status})")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Why.
        code: RefusalCode,
        /// Its words.
        message: String,
    },
    /// It could not be reached, or did not answer in time.
    #[error("cannot reach the relayer: {0}")]
    Transport(String),
    /// It answered something this client cannot read.
    #[error("unexpected answer from the relayer: {0}")]
    Data(String),
    /// It does not serve the pool.
    #[error("the relayer does not serve the pool of {0}")]
    PoolNotServed(Pubkey),
    /// Its quote is over the most the wallet accepts.
    #[error(
        "the relayer quotes a fee of {fee} base units, over the {max} you accept; nothing was sent"
    )]
    FeeOverLimit {
        /// The quoted fee.
        fee: u64,
        /// The most accepted.
        max: u64,
    },
}

/// A relayer at a URL.
#[derive(Debug, Clone)]
pub struct RelayerClient {
    http: reqwest::Client,
    base: String,
    max_fee: Option<u64>,
}

/// How long a relay may take, confirmation included.
const RELAY_TIMEOUT: Duration = Duration::from_secs(120);

impl RelayerClient {
    /// The relayer at `url` (e.g. `http://127.0.0.1:8787`).
    pub fn new(url: &str) -> Result<Self, RelayerError> {
        let http = reqwest::Client::builder()
            .timeout(RELAY_TIMEOUT)
            .build()
            .map_err(|e| RelayerError::Transport(e.to_string()))?;
        Ok(RelayerClient {
            http,
            base: url.trim_end_matches('/').to_string(),
            max_fee: None,
        })
    }

    /// Refuses quotes over `max` base units of the pool's asset (None:
    /// any fee), so a relayer cannot quote itself the wallet's funds.
    pub fn with_max_fee(mut self, max: Option<u64>) -> Self {
        self.max_fee = max;
        self
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Its quote.
    pub async fn quote(&self) -> Result<Quote, RelayerError> {
        let response = self
            .http
            .get(format!("{}{ROUTE_QUOTE}", self.base))
            .send()
            .await
            .map_err(|e| RelayerError::Transport(e.to_string()))?;
        read(response).await
    }

    /// Its quote for the pool of `mint`, and its public key; refused if a
    /// fee is over the limit set with [`Self::with_max_fee`].
    pub async fn pool_quote(&self, mint: &Pubkey) -> Result<(Pubkey, PoolQuote), RelayerError> {
        let quote = self.quote().await?;
        let relayer = quote
            .relayer
            .parse()
            .map_err(|_| RelayerError::Data("the relayer key is not base58".into()))?;
        let pool = quote
            .pools
            .into_iter()
            .find(|p| p.mint == mint.to_string())
            .ok_or(RelayerError::PoolNotServed(*mint))?;
        if let Some(max) = self.max_fee {
            let fee = pool.transfer_fee.max(pool.withdrawal_fee);
            if fee > max {
                return Err(RelayerError::FeeOverLimit { fee, max });
            }
        }
        Ok((relayer, pool))
    }

    /// Sends `relay`; returns once the transaction is confirmed.
    pub async fn relay(&self, relay: &Relay) -> Result<RelayResponse, RelayerError> {
        self.relay_request(&RelayRequest::from(relay)).await
    }

    /// Sends an already encoded request (tests send altered ones).
    pub async fn relay_request(
        &self,
        request: &RelayRequest,
    ) -> Result<RelayResponse, RelayerError> {
        let response = self
            .http
            .post(format!("{}{ROUTE_RELAY}", self.base))
            .json(request)
            .send()
            .await
            .map_err(|e| RelayerError::Transport(e.to_string()))?;
        read(response).await
    }

    /// Sends `body` as it is (tests send malformed ones).
    pub async fn relay_raw(&self, body: Vec<u8>) -> Result<RelayResponse, RelayerError> {
        let response = self
            .http
            .post(format!("{}{ROUTE_RELAY}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| RelayerError::Transport(e.to_string()))?;
        read(response).await
    }
}

async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, RelayerError> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| RelayerError::Transport(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| RelayerError::Data(e.to_string()));
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(RelayerError::Refused {
            status: status.as_u16(),
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(RelayerError::Data(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        ))),
    }
}
