//! The embedded chain: the real Solana runtime (solana-program-test's bank)
//! in this process, with the zkpay program loaded and the SOL pool open.
//!
//! It runs the same program code as a cluster, natively rather than as SBF
//! bytecode. With a state file it survives between runs (each command of
//! the CLI starts it again): after every transaction it writes the accounts
//! zkpay touched and the settlements it saw, atomically.

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
use zkpay_core::program::state::TreeState;

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
        let path = std::env::var_os("ZKPAY_PROGRAM_SO").map_or_else(default_sbf_path, PathBuf::from);
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
    /// Settlements in order: signature and the borsh-encoded event.
    ledger: Vec<(Signature, Vec<u8>)>,
}

const STATE_VERSION: u32 = 2;

/// The runtime in-process.
pub struct EmbeddedChain {
    context: ProgramTestContext,
    build: ProgramBuild,
    last_compute_units: Option<u64>,
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
                let event = Settled::decode_body(&bytes)
                    .ok_or_else(|| state_error("bad ledger entry".into()))?;
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
                .map(|s| (s.signature, s.event.encode()[EVENT_PREFIX_LEN..].to_vec()))
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
            .filter(|s| s.event.pool == pool.to_bytes())
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
        let account = self
            .banks_account(tree)
            .await?
            .ok_or_else(|| ChainError::Data(format!("no tree account at {tree}")))?;
        let state = TreeState::read(&account.data)
            .ok_or_else(|| ChainError::Data(format!("account {tree} is not a commitment tree")))?;
        Ok(Pubkey::new_from_array(state.pool))
    }
}
