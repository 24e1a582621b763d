//! A cluster over JSON-RPC (solana-client's `RpcClient`), with the Solana
//! CLI's URL monikers.

use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_client::rpc_config::RpcTransactionConfig;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::Transaction;
use solana_transaction_status_client_types::{UiInstruction, UiTransactionEncoding};

use super::{settled_events, Chain, ChainError, Settlement, TransactionStatus};

/// The URL of a Solana CLI moniker (`localnet`, `devnet`, `testnet`,
/// `mainnet-beta` or their first letters), or `url` itself.
pub fn cluster_url(url: &str) -> String {
    match url {
        "localnet" | "l" => "http://127.0.0.1:8899",
        "devnet" | "d" => "https://api.devnet.solana.com",
        "testnet" | "t" => "https://api.testnet.solana.com",
        "mainnet-beta" | "m" => "https://api.mainnet-beta.solana.com",
        other => other,
    }
    .to_string()
}

/// A cluster reached over RPC, at `confirmed` commitment.
pub struct RpcChain {
    client: RpcClient,
}

impl RpcChain {
    /// The cluster at `url` (a URL or a moniker, see [`cluster_url`]).
    pub fn new(url: &str) -> Self {
        RpcChain {
            client: RpcClient::new_with_commitment(cluster_url(url), CommitmentConfig::confirmed()),
        }
    }

    async fn settlement(&self, signature: Signature) -> Result<Vec<Settlement>, ChainError> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        let confirmed = self
            .client
            .get_transaction_with_config(&signature, config)
            .await
            .map_err(rpc)?;
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
        let keys = transaction.message.static_account_keys();
        let inner: Option<Vec<_>> = meta.inner_instructions.into();
        let mut instructions = Vec::new();
        for ix in inner
            .unwrap_or_default()
            .into_iter()
            .flat_map(|i| i.instructions)
        {
            if let UiInstruction::Compiled(ix) = ix {
                let Some(program) = keys.get(usize::from(ix.program_id_index)) else {
                    continue;
                };
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
}

fn rpc(error: solana_client::client_error::ClientError) -> ChainError {
    match error.get_transaction_error() {
        Some(e) => ChainError::Rejected(e),
        None => ChainError::Transport(error.to_string()),
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

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        self.client
            .send_and_confirm_transaction(transaction)
            .await
            .map(|_| ())
            .map_err(rpc)
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
    ) -> Result<Vec<Settlement>, ChainError> {
        // Every `transact` writes the tree: its signatures, newest first.
        let mut signatures = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .client
                .get_signatures_for_address_with_config(
                    tree,
                    GetConfirmedSignaturesForAddress2Config {
                        before,
                        until: after.copied(),
                        limit: Some(1000),
                        commitment: Some(CommitmentConfig::confirmed()),
                    },
                )
                .await
                .map_err(rpc)?;
            let full = page.len() == 1000;
            for entry in page {
                let signature: Signature = entry
                    .signature
                    .parse()
                    .map_err(|e| ChainError::Data(format!("signature {}: {e}", entry.signature)))?;
                before = Some(signature);
                if entry.err.is_none() {
                    signatures.push(signature);
                }
            }
            if !full {
                break;
            }
        }
        let mut settlements = Vec::new();
        for signature in signatures.into_iter().rev() {
            settlements.extend(self.settlement(signature).await?);
        }
        Ok(settlements)
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
}
