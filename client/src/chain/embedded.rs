//! The embedded chain: the real Solana runtime (solana-program-test's bank)
//! in this process, with the zkpay program loaded and the SOL pool open.
//!
//! It runs the same program code as a cluster, natively rather than as SBF
//! bytecode. With a state file it survives between runs (each command of
//! the CLI starts it again): after every transaction it writes the accounts
//! zkpay touched and the settlements it saw, atomically.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anchor_lang::AnchorSerialize;
use serde::{Deserialize, Serialize};
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;

use super::{settled_events, Chain, ChainError, Settled, Settlement, TransactionStatus};
use crate::pool::{open_pool, SOL};

/// Lamports the faucet gives a new payer on the embedded chain.
pub const FAUCET_GRANT: u64 = 1_000 * 1_000_000_000;

fn process_instruction(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: only narrows the invariant AccountInfo lifetime to this call;
    // the runtime's account buffers outlive it. (Anchor 1.x's `entry` ties
    // its three arguments to one lifetime.)
    let accounts = unsafe {
        std::mem::transmute::<
            &[anchor_lang::prelude::AccountInfo<'_>],
            &[anchor_lang::prelude::AccountInfo<'_>],
        >(accounts)
    };
    zkpay::entry(program_id, accounts, data)
}

/// The runtime with the zkpay program loaded (natively).
pub fn program_test() -> ProgramTest {
    let mut test = ProgramTest::new("zkpay", zkpay::ID, processor!(process_instruction));
    test.prefer_bpf(false);
    test
}

/// What a state file holds.
#[derive(Serialize, Deserialize, Default)]
struct State {
    version: u32,
    accounts: BTreeMap<Pubkey, Account>,
    /// Settlements in order: signature and the borsh-encoded event.
    ledger: Vec<(Signature, Vec<u8>)>,
}

const STATE_VERSION: u32 = 1;

/// The runtime in-process.
pub struct EmbeddedChain {
    context: ProgramTestContext,
    ledger: Vec<Settlement>,
    touched: BTreeSet<Pubkey>,
    blockhashes: HashSet<Hash>,
    state_file: Option<PathBuf>,
}

impl EmbeddedChain {
    /// A fresh chain in memory, with the SOL pool open.
    pub async fn start() -> Result<Self, ChainError> {
        Self::boot(program_test(), Vec::new(), None).await
    }

    /// The chain kept in `path`: loaded if the file exists, else started
    /// fresh (with the SOL pool open) and saved there.
    pub async fn open(path: &Path) -> Result<Self, ChainError> {
        let state_error = |reason: String| ChainError::State {
            path: path.to_path_buf(),
            reason,
        };
        let state = match std::fs::read(path) {
            Ok(bytes) => {
                let state: State = bincode::deserialize(&bytes).map_err(|e| {
                    state_error(format!("unreadable ({e}); delete it to start over"))
                })?;
                if state.version != STATE_VERSION {
                    return Err(state_error(format!(
                        "version {} is not {STATE_VERSION}; delete it to start over",
                        state.version
                    )));
                }
                Some(state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(state_error(e.to_string())),
        };
        let Some(state) = state else {
            return Self::boot(program_test(), Vec::new(), Some(path.to_path_buf())).await;
        };
        let mut test = program_test();
        for (address, account) in &state.accounts {
            test.add_account(*address, account.clone());
        }
        let ledger = state
            .ledger
            .into_iter()
            .map(|(signature, bytes)| {
                let event = anchor_lang::AnchorDeserialize::deserialize(&mut &bytes[..])
                    .map_err(|e| state_error(format!("bad ledger entry: {e}")))?;
                Ok(Settlement { signature, event })
            })
            .collect::<Result<Vec<_>, ChainError>>()?;
        let mut chain = Self::boot(test, ledger, Some(path.to_path_buf())).await?;
        chain.touched.extend(state.accounts.keys());
        Ok(chain)
    }

    async fn boot(
        test: ProgramTest,
        ledger: Vec<Settlement>,
        state_file: Option<PathBuf>,
    ) -> Result<Self, ChainError> {
        let fresh = ledger.is_empty() && state_file.as_ref().is_none_or(|p| !p.exists());
        let context = test.start_with_context().await;
        let mut chain = EmbeddedChain {
            context,
            ledger,
            touched: BTreeSet::new(),
            blockhashes: HashSet::new(),
            state_file,
        };
        if fresh {
            let faucet = chain.context.payer.insecure_clone();
            open_pool(&mut chain, &faucet, &SOL)
                .await
                .map_err(|e| ChainError::Data(format!("opening the SOL pool: {e}")))?;
        }
        Ok(chain)
    }

    /// The account funding everything on this chain.
    pub fn faucet(&self) -> &Keypair {
        &self.context.payer
    }

    /// The underlying runtime context, for tests that go around the wallet.
    pub fn context(&mut self) -> &mut ProgramTestContext {
        &mut self.context
    }

    fn save(&self, accounts: BTreeMap<Pubkey, Account>) -> Result<(), ChainError> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let state = State {
            version: STATE_VERSION,
            accounts,
            ledger: self
                .ledger
                .iter()
                .map(|s| {
                    let mut bytes = Vec::new();
                    s.event
                        .serialize(&mut bytes)
                        .expect("events serialise to memory");
                    (s.signature, bytes)
                })
                .collect(),
        };
        let bytes = bincode::serialize(&state).map_err(|e| ChainError::Data(e.to_string()))?;
        let io_error = |e: std::io::Error| ChainError::State {
            path: path.clone(),
            reason: e.to_string(),
        };
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, bytes).map_err(io_error)?;
        std::fs::rename(&temporary, path).map_err(io_error)
    }

    async fn persist(&mut self) -> Result<(), ChainError> {
        if self.state_file.is_none() {
            return Ok(());
        }
        let addresses: Vec<Pubkey> = self.touched.iter().copied().collect();
        let mut accounts = BTreeMap::new();
        for address in addresses {
            let account = self.banks_account(&address).await?;
            if let Some(account) = account {
                if !account.executable && account.owner != solana_sdk::sysvar::ID {
                    accounts.insert(address, account);
                }
            }
        }
        self.save(accounts)
    }

    async fn banks_account(&mut self, address: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.context
            .banks_client
            .get_account(*address)
            .await
            .map_err(transport)
    }
}

fn transport(error: BanksClientError) -> ChainError {
    match error {
        BanksClientError::TransactionError(e)
        | BanksClientError::SimulationError { err: e, .. } => ChainError::Rejected(e),
        other => ChainError::Transport(other.to_string()),
    }
}

impl Chain for EmbeddedChain {
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError> {
        let hash = self
            .context
            .banks_client
            .get_latest_blockhash()
            .await
            .map_err(transport)?;
        self.blockhashes.insert(hash);
        Ok(hash)
    }

    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError> {
        // A blockhash of an earlier run of this chain never lands here.
        Ok(self.blockhashes.contains(blockhash))
    }

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let banks = &mut self.context.banks_client;
        let simulation = banks
            .simulate_transaction(transaction.clone())
            .await
            .map_err(transport)?;
        if let Some(Err(error)) = simulation.result {
            return Err(ChainError::Rejected(error));
        }
        banks
            .process_transaction(transaction.clone())
            .await
            .map_err(transport)?;
        let keys = &transaction.message.account_keys;
        let inner = simulation
            .simulation_details
            .and_then(|details| details.inner_instructions)
            .unwrap_or_default();
        let events: Vec<Settled> = settled_events(inner.iter().flatten().filter_map(|ix| {
            let program = keys.get(usize::from(ix.instruction.program_id_index))?;
            Some((program, ix.instruction.data.as_slice()))
        }));
        let signature = transaction.signatures[0];
        self.ledger.extend(
            events
                .into_iter()
                .map(|event| Settlement { signature, event }),
        );
        self.touched.extend(keys.iter().copied());
        self.persist().await
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        let status = self
            .context
            .banks_client
            .get_transaction_status(*signature)
            .await
            .map_err(transport)?;
        Ok(match status {
            None => TransactionStatus::Unknown,
            Some(status) => match status.err {
                None => TransactionStatus::Succeeded,
                Some(error) => TransactionStatus::Failed(error),
            },
        })
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut accounts = Vec::with_capacity(addresses.len());
        for address in addresses {
            accounts.push(self.banks_account(address).await?);
        }
        Ok(accounts)
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        let rent = self
            .context
            .banks_client
            .get_rent()
            .await
            .map_err(transport)?;
        Ok(rent.minimum_balance(space))
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
    ) -> Result<Vec<Settlement>, ChainError> {
        let pool = self.tree_pool(tree).await?;
        let start = match after {
            None => 0,
            Some(signature) => {
                self.ledger
                    .iter()
                    .rposition(|s| s.signature == *signature)
                    .ok_or_else(|| {
                        ChainError::Data(format!(
                            "transaction {signature} is not in this chain's history; the wallet belongs to another chain"
                        ))
                    })?
                    + 1
            }
        };
        Ok(self.ledger[start..]
            .iter()
            .filter(|s| s.event.pool == pool)
            .cloned()
            .collect())
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let faucet = self.context.payer.insecure_clone();
        let transfer = anchor_lang::solana_program::system_instruction::transfer(
            &faucet.pubkey(),
            address,
            lamports,
        );
        let blockhash = self.latest_blockhash().await?;
        let transaction = Transaction::new_signed_with_payer(
            &[transfer],
            Some(&faucet.pubkey()),
            &[&faucet],
            blockhash,
        );
        self.submit(&transaction).await
    }
}

impl EmbeddedChain {
    async fn tree_pool(&mut self, tree: &Pubkey) -> Result<Pubkey, ChainError> {
        use anchor_lang::AccountDeserialize;
        let account = self
            .banks_account(tree)
            .await?
            .ok_or_else(|| ChainError::Data(format!("no tree account at {tree}")))?;
        let tree = zkpay::state::CommitmentTreeAccount::try_deserialize(&mut &account.data[..])
            .map_err(|e| ChainError::Data(format!("tree account {tree}: {e}")))?;
        Ok(tree.pool)
    }
}
