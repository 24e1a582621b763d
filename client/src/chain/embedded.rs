//! The embedded chain: the real Solana runtime (solana-program-test's bank)
//! in this process, with the zkpay program loaded and the SOL pool open.
//!
//! It runs the same program code as a cluster, natively rather than as SBF
//! bytecode. With a state file it survives between runs (each command of
//! the CLI starts it again): after every transaction it writes the accounts
//! zkpay touched and the transactions it ran, atomically.
//!
//! It answers [`Chain::settlements`] as a node does: every successful
//! transaction that names the tree, with the settlements of every pool it
//! carries, so the wallet's own filtering is what the tests exercise.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;

use zkpay_core::program::event::EVENT_PREFIX_LEN;
use zkpay_core::program::state::PoolState;

use super::{
    settled_events, Chain, ChainError, Settled, Settlement, SettlementPage, TransactionStatus,
};
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

/// Which build of the program a chain runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramBuild {
    /// The SBF bytecode at this path, run in the Solana VM with compute-unit
    /// metering: the program users deploy.
    Sbf(PathBuf),
    /// The Anchor entry compiled into this process (same encoding, accounts,
    /// errors and events; no VM, no metering).
    Native,
}

impl std::fmt::Display for ProgramBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProgramBuild::Sbf(path) => write!(f, "the SBF program {} in the Solana VM", path.display()),
            ProgramBuild::Native => write!(
                f,
                "the program compiled natively (no SBF build found: `scripts/sbf-build.sh` makes {})",
                default_sbf_path().display()
            ),
        }
    }
}

/// Where `scripts/sbf-build.sh` puts the SBF program in this source tree.
pub fn default_sbf_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/zkpay.so")
}

impl ProgramBuild {
    /// The build to run: `ZKPAY_PROGRAM=native` forces the native one;
    /// otherwise the SBF program at `ZKPAY_PROGRAM_SO` (default
    /// [`default_sbf_path`]) when it exists, else the native one.
    pub fn detect() -> ProgramBuild {
        if std::env::var("ZKPAY_PROGRAM").is_ok_and(|v| v == "native") {
            return ProgramBuild::Native;
        }
        let path =
            std::env::var_os("ZKPAY_PROGRAM_SO").map_or_else(default_sbf_path, PathBuf::from);
        if path.is_file() {
            ProgramBuild::Sbf(path.canonicalize().unwrap_or(path))
        } else {
            ProgramBuild::Native
        }
    }

    /// Whether this is the SBF build.
    pub fn is_sbf(&self) -> bool {
        matches!(self, ProgramBuild::Sbf(_))
    }
}

/// The runtime with the zkpay program loaded as [`ProgramBuild::detect`] says.
pub fn program_test() -> ProgramTest {
    program_test_with(&ProgramBuild::detect())
}

/// The runtime with `build` of the zkpay program loaded at its id.
pub fn program_test_with(build: &ProgramBuild) -> ProgramTest {
    match build {
        ProgramBuild::Native => {
            let mut test = ProgramTest::new("zkpay", zkpay::ID, processor!(process_instruction));
            test.prefer_bpf(false);
            test
        }
        ProgramBuild::Sbf(path) => {
            let elf = std::fs::read(path)
                .unwrap_or_else(|e| panic!("reading the SBF program {}: {e}", path.display()));
            let mut test = ProgramTest::default();
            test.prefer_bpf(true);
            // As program-test loads a `.so`: an executable account of the
            // BPF loader.
            test.add_account(
                zkpay::ID,
                Account {
                    lamports: 1_000_000_000,
                    data: elf,
                    owner: solana_sdk::bpf_loader::id(),
                    executable: true,
                    rent_epoch: 0,
                },
            );
            test
        }
    }
}

/// What a state file holds.
#[derive(Serialize, Deserialize, Default)]
struct State {
    version: u32,
    accounts: BTreeMap<Pubkey, Account>,
    /// Transactions run, in order: signature, the accounts it names, and
    /// the encoded bodies of its events.
    ledger: Vec<(Signature, Vec<Pubkey>, Vec<Vec<u8>>)>,
}

const STATE_VERSION: u32 = 3;

/// A state file of version 2, which kept only the settlements.
#[derive(Serialize, Deserialize)]
struct StateV2 {
    version: u32,
    accounts: BTreeMap<Pubkey, Account>,
    /// Settlements in order: signature and the encoded event body.
    ledger: Vec<(Signature, Vec<u8>)>,
}

impl StateV2 {
    /// The same chain in version 3: each settlement's transaction named its
    /// pool's tree (read from the pool account kept in the file).
    fn upgrade(self) -> State {
        let tree_of = |body: &[u8]| -> Vec<Pubkey> {
            Settled::decode_body(body)
                .and_then(|event| self.accounts.get(&Pubkey::new_from_array(event.pool)))
                .and_then(|pool| PoolState::read(&pool.data))
                .map(|pool| vec![Pubkey::new_from_array(pool.tree)])
                .unwrap_or_default()
        };
        let ledger = self
            .ledger
            .iter()
            .map(|(signature, body)| (*signature, tree_of(body), vec![body.clone()]))
            .collect();
        State {
            version: STATE_VERSION,
            accounts: self.accounts,
            ledger,
        }
    }
}

/// A transaction the chain ran, as a node's history keeps it.
struct Recorded {
    signature: Signature,
    /// Every account it names.
    accounts: Vec<Pubkey>,
    /// The settlements it carries, of any pool.
    events: Vec<Settled>,
}

/// The runtime in-process.
pub struct EmbeddedChain {
    context: ProgramTestContext,
    build: ProgramBuild,
    last_compute_units: Option<u64>,
    ledger: Vec<Recorded>,
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
                let unreadable = |e: bincode::Error| {
                    state_error(format!("unreadable ({e}); delete it to start over"))
                };
                let version: u32 = bincode::deserialize(&bytes).map_err(unreadable)?;
                match version {
                    STATE_VERSION => {
                        Some(bincode::deserialize::<State>(&bytes).map_err(unreadable)?)
                    }
                    2 => Some(
                        bincode::deserialize::<StateV2>(&bytes)
                            .map_err(unreadable)?
                            .upgrade(),
                    ),
                    other => {
                        return Err(state_error(format!(
                            "version {other} is not {STATE_VERSION}; delete it to start over"
                        )))
                    }
                }
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
            .map(|(signature, accounts, bodies)| {
                let events = bodies
                    .iter()
                    .map(|body| Settled::decode_body(body))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| state_error("bad ledger entry".into()))?;
                Ok(Recorded {
                    signature,
                    accounts,
                    events,
                })
            })
            .collect::<Result<Vec<_>, ChainError>>()?;
        let mut chain = Self::boot(test, ledger, Some(path.to_path_buf())).await?;
        chain.touched.extend(state.accounts.keys());
        Ok(chain)
    }

    async fn boot(
        test: ProgramTest,
        ledger: Vec<Recorded>,
        state_file: Option<PathBuf>,
    ) -> Result<Self, ChainError> {
        let fresh = ledger.is_empty() && state_file.as_ref().is_none_or(|p| !p.exists());
        let context = test.start_with_context().await;
        let mut chain = EmbeddedChain {
            context,
            build: ProgramBuild::detect(),
            last_compute_units: None,
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

    /// Which build of the program this chain runs.
    pub fn program_build(&self) -> &ProgramBuild {
        &self.build
    }

    /// Compute units the last submitted transaction consumed (metered when
    /// the program runs as SBF).
    pub fn last_compute_units(&self) -> Option<u64> {
        self.last_compute_units
    }

    /// Every account the transaction `signature` names, signers first (None
    /// if this chain did not record it).
    pub fn accounts_of(&self, signature: &Signature) -> Option<&[Pubkey]> {
        self.ledger
            .iter()
            .find(|r| r.signature == *signature)
            .map(|r| r.accounts.as_slice())
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
                .map(|r| {
                    let bodies = r
                        .events
                        .iter()
                        .map(|event| event.encode()[EVENT_PREFIX_LEN..].to_vec())
                        .collect();
                    (r.signature, r.accounts.clone(), bodies)
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

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let simulation = self
            .context
            .banks_client
            .simulate_transaction(transaction.clone())
            .await
            .map_err(transport)?;
        match simulation.result {
            Some(Err(error)) => Err(ChainError::Rejected(error)),
            _ => Ok(()),
        }
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
        self.last_compute_units = simulation
            .simulation_details
            .as_ref()
            .map(|details| details.units_consumed);
        let inner = simulation
            .simulation_details
            .and_then(|details| details.inner_instructions)
            .unwrap_or_default();
        let events: Vec<Settled> = settled_events(inner.iter().flatten().filter_map(|ix| {
            let program = keys.get(usize::from(ix.instruction.program_id_index))?;
            Some((program, ix.instruction.data.as_slice()))
        }));
        self.ledger.push(Recorded {
            signature: transaction.signatures[0],
            accounts: keys.clone(),
            events,
        });
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
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        // Each transaction is a slot of its own here.
        let start = after
            .and_then(|after| self.ledger.iter().rposition(|r| r.signature == *after))
            .map_or(0, |i| i + 1);
        let mut page = SettlementPage {
            complete: true,
            ..SettlementPage::default()
        };
        let naming = self.ledger[start..]
            .iter()
            .filter(|r| r.accounts.contains(tree));
        for (read, recorded) in naming.enumerate() {
            if read == budget {
                page.complete = false;
                break;
            }
            page.settlements
                .extend(recorded.events.iter().map(|event| Settlement {
                    signature: recorded.signature,
                    event: event.clone(),
                }));
            page.read_to = Some(recorded.signature);
        }
        Ok(page)
    }

    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError> {
        Ok(self
            .ledger
            .iter()
            .find(|recorded| recorded.signature == *signature)
            .map(|recorded| recorded.events.clone())
            .unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_version_2_state_file_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chain.bin");
        drop(EmbeddedChain::open(&path).await.unwrap());
        let state: State = bincode::deserialize(&std::fs::read(&path).unwrap()).unwrap();
        let (pool, tree) = state
            .accounts
            .iter()
            .find_map(|(address, account)| {
                PoolState::read(&account.data).map(|p| (*address, Pubkey::new_from_array(p.tree)))
            })
            .expect("the SOL pool");
        let event = Settled {
            pool: pool.to_bytes(),
            first_leaf_index: 0,
            commitments: [[1; 32], [2; 32]],
            nullifiers: [[3; 32], [4; 32]],
            root: [5; 32],
            encrypted_outputs: [vec![6; 89], vec![7; 89]],
        };
        let signature = Signature::from([9; 64]);
        let old = StateV2 {
            version: 2,
            accounts: state.accounts,
            ledger: vec![(signature, event.encode()[EVENT_PREFIX_LEN..].to_vec())],
        };
        std::fs::write(&path, bincode::serialize(&old).unwrap()).unwrap();

        let mut chain = EmbeddedChain::open(&path).await.unwrap();
        let page = chain.settlements(&tree, None, 10).await.unwrap();
        assert!(page.complete);
        assert_eq!(page.read_to, Some(signature));
        assert_eq!(page.settlements.len(), 1);
        assert_eq!(page.settlements[0].event, event);
    }
}
