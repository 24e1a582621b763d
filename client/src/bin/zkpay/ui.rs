//! Terminal output: progress bars and errors.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;
use zkpay_client::chain::ChainError;
use zkpay_client::pool::PoolError;
use zkpay_client::text::printable_str;
use zkpay_client::wallet::{Progress, WalletError};
use zkpay_core::error::{FrameworkError, ZkpayError};

/// Prints an error and its causes, and what to do where known. A
/// transaction the chain refused is told by the program error's name and
/// meaning, never as a bare code.
pub fn error(error: &anyhow::Error) {
    if let Some(failure) = failure(error) {
        for line in explain(&failure) {
            eprintln!("{line}");
        }
        return;
    }
    // Causes may quote a node's or a relayer's text.
    eprintln!("error: {}", printable_str(&error.to_string()));
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {}", printable_str(&cause.to_string()));
    }
}

/// A transaction that did not settle, as the chain reported it.
enum Failure<'a> {
    /// Refused: by the runtime or by a program.
    Rejected(&'a TransactionError),
    /// Never confirmed; its blockhash expired.
    Expired { sends: u32, seconds: u64 },
}

/// The failed transaction behind `error`, if that is what it is.
fn failure(error: &anyhow::Error) -> Option<Failure<'_>> {
    for cause in error.chain() {
        let chain_error = if let Some(wallet) = cause.downcast_ref::<WalletError>() {
            match wallet {
                WalletError::Rejected(rejected) => return Some(Failure::Rejected(rejected)),
                WalletError::Chain(chain) | WalletError::Pool(PoolError::Chain(chain)) => chain,
                _ => continue,
            }
        } else if let Some(PoolError::Chain(chain)) = cause.downcast_ref::<PoolError>() {
            chain
        } else if let Some(chain) = cause.downcast_ref::<ChainError>() {
            chain
        } else {
            continue;
        };
        match chain_error {
            ChainError::Rejected(rejected) => return Some(Failure::Rejected(rejected)),
            ChainError::Expired { sends, seconds } => {
                return Some(Failure::Expired {
                    sends: *sends,
                    seconds: *seconds,
                })
            }
            _ => {}
        }
    }
    None
}

/// The lines telling what happened, what it means and what to do.
fn explain(failure: &Failure) -> Vec<String> {
    const UNCHANGED: &str =
        "  nothing changed on-chain (at most a network fee was paid): no note was spent, no funds moved";
    match failure {
        Failure::Expired { sends, seconds } => vec![
            format!(
                "error: the transaction was not confirmed before its blockhash expired \
                 (sent {sends} times over {seconds} s); it can no longer land"
            ),
            UNCHANGED.to_string(),
            "  what to do: try again; if the cluster is congested, add a priority fee \
             with --with-compute-unit-price <micro-lamports>"
                .to_string(),
        ],
        Failure::Rejected(TransactionError::InstructionError(
            index,
            InstructionError::Custom(code),
        )) => {
            let (name, meaning, advice) = if let Some(error) = ZkpayError::from_code(*code) {
                (error.name(), error.message(), advice(error))
            } else if let Some(error) = FrameworkError::from_code(*code) {
                (
                    error.name(),
                    error.message(),
                    "the transaction does not match the program's interface: this `zkpay` \
                     and the program deployed on the cluster are different versions; check \
                     --url, and update zkpay",
                )
            } else {
                return vec![
                    format!(
                        "error: instruction {index} of the transaction failed with program \
                         error {code}, which is not one of zkpay's"
                    ),
                    UNCHANGED.to_string(),
                ];
            };
            vec![
                format!("error: the zkpay program refused the transaction: {name} (error {code})"),
                format!("  meaning: {meaning}"),
                UNCHANGED.to_string(),
                format!("  what to do: {advice}"),
            ]
        }
        Failure::Rejected(TransactionError::BlockhashNotFound) => vec![
            "error: the cluster does not know the transaction's blockhash: it expired, or the \
             RPC node is behind"
                .to_string(),
            UNCHANGED.to_string(),
            "  what to do: try again".to_string(),
        ],
        Failure::Rejected(
            rejected @ (TransactionError::AccountNotFound
            | TransactionError::InsufficientFundsForFee
            | TransactionError::InsufficientFundsForRent { .. }),
        ) => vec![
            format!("error: the chain refused the transaction: {rejected}"),
            UNCHANGED.to_string(),
            "  what to do: the paying account (--keypair) lacks SOL for fees and rent: fund it \
             (`zkpay airdrop 1` on localnet, devnet or testnet)"
                .to_string(),
        ],
        Failure::Rejected(rejected) => vec![
            format!("error: the chain refused the transaction: {rejected}"),
            UNCHANGED.to_string(),
        ],
    }
}

/// What to do after the program refused a transaction with `error`.
fn advice(error: ZkpayError) -> &'static str {
    match error {
        ZkpayError::NonCanonicalPublicInput
        | ZkpayError::NonCanonicalProof
        | ZkpayError::DuplicateNullifier => {
            "this client built an invalid transaction: update zkpay, run `zkpay sync --rescan`, \
             and try again"
        }
        ZkpayError::UnknownRoot => {
            "the tree moved on by more than the program remembers since the proof was made, or \
             the wallet's copy of it is off: run `zkpay sync` and try again"
        }
        ZkpayError::InvalidProof => {
            "the proof does not match the program's verifying key: this `zkpay` and the program \
             on the cluster use different keys (check --url), or the wallet's notes are damaged \
             (`zkpay sync --rescan`)"
        }
        ZkpayError::NullifierAlreadySpent => {
            "a note of this payment was already spent, by this wallet from another file or \
             device, or by an earlier attempt that landed: run `zkpay sync` and try again"
        }
        ZkpayError::WrongTree | ZkpayError::WrongVault => {
            "the wallet's record of the pool differs from the chain's: check --url and --mint, \
             then run `zkpay sync --rescan`"
        }
        ZkpayError::TreeFull => {
            "this pool takes no more notes; funds in it can still be withdrawn to a public \
             account"
        }
        ZkpayError::InsufficientVaultBalance => {
            "the pool holds less than this withdrawal and its fee: withdraw less"
        }
        ZkpayError::ExtAmountOutOfRange => "move a smaller amount per transaction",
        ZkpayError::EncryptedOutputTooLarge => "shorten the memo (at most 32 bytes)",
        ZkpayError::PoolAlreadyInitialized => {
            "nothing: the pool of this asset is already open, use it"
        }
        ZkpayError::InvalidTokenAccounts => {
            "check --mint, and that the paying account has a token account for that mint"
        }
        ZkpayError::InvalidMint => "check --mint: it must be an SPL token mint",
        ZkpayError::WrongNullifierPage | ZkpayError::NullifierPageFull => {
            "a nullifier page split while the payment was on its way: run the command again \
             (the wallet looks the pages up again)"
        }
        ZkpayError::PageNotFull => {
            "nothing: the nullifier page has room, the payment goes through without a split"
        }
        ZkpayError::PageTooDeep => {
            "the pool's nullifier pages are at their deepest: report it (the pool needs a new \
             version of the program)"
        }
        ZkpayError::HashFailed | ZkpayError::TreeCorrupt => {
            "the pool's on-chain state is not as the program expects: do not deposit into it, \
             and report it"
        }
    }
}

/// A progress display for wallet operations, on standard error (hidden
/// when that is not a terminal).
pub fn observer() -> impl Fn(&Progress) + 'static {
    let spinner = Spinner(ProgressBar::new_spinner());
    spinner.0.enable_steady_tick(Duration::from_millis(100));
    move |progress: &Progress| {
        let bar = &spinner.0;
        match progress {
            Progress::Fetching => {
                bar.set_style(ProgressStyle::default_spinner());
                bar.set_message("reading settlements");
            }
            Progress::Scanning { done, total } => {
                if *done == 0 {
                    bar.set_style(
                        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                            .expect("template")
                            .progress_chars("=> "),
                    );
                    bar.set_length(*total as u64);
                    bar.set_message("scanning notes");
                }
                bar.set_position(*done as u64);
                if done == total {
                    bar.set_style(ProgressStyle::default_spinner());
                }
            }
            Progress::Proving { step, steps } => {
                bar.set_style(ProgressStyle::default_spinner());
                bar.set_message(format!("proving transaction {step}/{steps}"));
            }
            Progress::Submitting { step, steps } => {
                bar.set_message(format!("sending transaction {step}/{steps}"));
            }
        }
    }
}

/// Clears the bar when the operation's observer is dropped.
struct Spinner(ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Milliseconds, for tables.
pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}
