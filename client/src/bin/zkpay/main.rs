//! `zkpay`: private payments on Solana from the command line.

mod bench;
mod commands;
mod demo;
mod relayer;
mod scale;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Private peer-to-peer payments on Solana, each settled in one transaction.
#[derive(Parser)]
#[command(name = "zkpay", version, about)]
pub struct Cli {
    /// Folder of the wallet and the embedded chain [default: $ZKPAY_HOME, or ~/.local/share/zkpay]
    #[arg(long, global = true, env = "ZKPAY_HOME")]
    home: Option<PathBuf>,
    /// Wallet file [default: <home>/wallet.db]
    #[arg(long, global = true)]
    wallet: Option<PathBuf>,
    /// `embedded` (the Solana runtime in this process, state in <home>), a
    /// cluster URL, or `localnet`, `devnet`, `testnet`, `mainnet-beta`
    #[arg(long, short = 'u', global = true, default_value = "embedded")]
    url: String,
    /// Keypair paying transactions [default: ~/.config/solana/id.json; on the
    /// embedded chain, <home>/payer.json, created and funded on first use]
    #[arg(long, short = 'k', global = true)]
    keypair: Option<PathBuf>,
    /// SPL mint of the pool to use [default: native SOL]
    #[arg(long, global = true)]
    mint: Option<String>,
    /// Priority fee of transactions sent to a cluster, in micro-lamports per
    /// compute unit; the compute-unit limit comes from simulating each
    /// transaction [default: no priority fee]
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS")]
    with_compute_unit_price: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create, restore or show a wallet.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Move public funds from the payer into the pool.
    Deposit {
        /// Amount, e.g. 1.5 (SOL, or token units).
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// Pay a shielded address privately.
    Pay {
        /// The payee's shielded address (zkpay:...).
        address: String,
        /// Amount, e.g. 0.25.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// A note for the payee (at most 32 bytes), encrypted.
        #[arg(long)]
        memo: Option<String>,
        /// URL of a relayer service that submits the payment for its quoted
        /// fee (paid from the pool), so your public account appears nowhere.
        /// Without it, your payer account signs and pays, visibly.
        #[arg(long, value_name = "URL")]
        relayer: Option<String>,
        /// The most you accept to pay the relayer, e.g. 0.005 [default on
        /// the SOL pool: 0.01 SOL; required on SPL pools]
        #[arg(long, requires = "relayer", value_name = "AMOUNT")]
        max_fee: Option<String>,
    },
    /// Withdraw from the pool to a public account.
    Withdraw {
        /// Amount, e.g. 0.5.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// The public account receiving it (SPL pools: a token account).
        recipient: String,
        /// URL of a relayer service that submits the withdrawal for its
        /// quoted fee (paid from the pool): no public account of yours signs
        /// or pays, so a payee without SOL can withdraw.
        #[arg(long, value_name = "URL")]
        relayer: Option<String>,
        /// The most you accept to pay the relayer, e.g. 0.005 [default on
        /// the SOL pool: 0.01 SOL; required on SPL pools]
        #[arg(long, requires = "relayer", value_name = "AMOUNT")]
        max_fee: Option<String>,
    },
    /// Show the spendable balance.
    Balance,
    /// Show deposits, payments sent and received, withdrawals.
    History,
    /// Write a disclosure of one note of a payment this wallet sent or
    /// received: anyone can check against the chain that the transaction
    /// created a note of that amount and memo for that address, and learns
    /// nothing else of the wallet.
    Disclose {
        /// The transaction: its signature, or the start of one in `zkpay history`.
        signature: String,
        /// Which of the transaction's two notes (0 or 1) [default: the
        /// payee's note of a payment sent, or the note received]
        #[arg(long)]
        output: Option<u8>,
        /// Write the disclosure to this file [default: standard output].
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a payment disclosure (`zkpay disclose`) against the chain and
    /// print what it proves.
    VerifyDisclosure {
        /// The disclosure file.
        file: PathBuf,
    },
    /// Write a proof that this wallet's unspent notes are worth at least an
    /// amount, bound to the verifier's challenge, revealing neither the
    /// amount nor which notes (it reveals those notes' nullifiers: see
    /// docs/PROTOCOL.md, Proof of funds).
    ProveFunds {
        /// The threshold, e.g. 1.5 (SOL, or token units).
        #[arg(long)]
        at_least: String,
        /// The verifier's challenge text (ask the verifier for one).
        #[arg(long)]
        challenge: String,
        /// Write the proof to this file [default: standard output].
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a proof of funds (`zkpay prove-funds`) against the chain and
    /// print what it proves.
    VerifyFunds {
        /// The proof file.
        file: PathBuf,
        /// The challenge you gave the prover: the proof must answer it.
        #[arg(long)]
        challenge: Option<String>,
    },
    /// Read new settlements from the chain.
    Sync {
        /// Forget the wallet's tree and notes and read everything again.
        #[arg(long)]
        rescan: bool,
    },
    /// Open the pool of the asset (once per asset, by anyone).
    #[command(subcommand)]
    Pool(PoolCommand),
    /// Get test SOL for the payer from the chain's faucet (the embedded
    /// chain, localnet, devnet or testnet).
    Airdrop {
        /// Amount of SOL, e.g. 10.
        amount: String,
    },
    /// Two wallets on the embedded chain: deposit, private payment,
    /// discovery, payment back, withdrawal; with times and what an observer sees.
    Demo,
    /// Run a relayer service, or load-test one.
    #[command(subcommand)]
    Relayer(RelayerCommand),
    /// Measure proving, payment latency, transaction sizes and wallet scan rate.
    Bench {
        /// Synthetic encrypted notes to scan.
        #[arg(long, default_value_t = 100_000)]
        notes: usize,
        /// Payments to time.
        #[arg(long, default_value_t = 5)]
        payments: usize,
    },
    /// Measure a wallet on a synthetic pool of many leaves: sync from
    /// scratch, open, pay (settled by the program), memory.
    BenchScale {
        /// Leaves in the synthetic pool.
        #[arg(long, default_value_t = 1_000_000)]
        leaves: u64,
        /// Notes of the wallet among them.
        #[arg(long, default_value_t = 20)]
        notes: u64,
    },
}

#[derive(Subcommand)]
enum WalletCommand {
    /// Create a wallet and show its recovery phrase.
    New,
    /// Restore a wallet from its recovery phrase (read from standard input)
    /// and find its notes.
    Restore,
    /// Show the wallet's shielded address.
    Address,
    /// Print the wallet's full viewing key: whoever holds it sees every
    /// payment the wallet receives and sends, and its balance, but cannot
    /// spend.
    ExportViewingKey,
    /// Create a watch-only wallet from a full viewing key (read from
    /// standard input) and find its notes; it refuses to pay or withdraw.
    ImportViewingKey,
}

#[derive(Subcommand)]
enum RelayerCommand {
    /// Serve relays on --url's cluster, signing and paying with --keypair,
    /// until interrupted (Ctrl-C finishes the relays in flight first).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: std::net::SocketAddr,
        /// Lamports over cost charged per SOL-pool relay.
        #[arg(long, default_value_t = 10_000)]
        margin: u64,
        /// An SPL pool to serve, with its fee in token units: MINT=FEE
        /// (repeatable). The SOL pool is always served.
        #[arg(long = "spl", value_name = "MINT=FEE")]
        spl: Vec<String>,
        /// Requests per second from one client address.
        #[arg(long, default_value_t = 20)]
        per_client: u32,
        /// Relays in flight at once.
        #[arg(long, default_value_t = 64)]
        in_flight: usize,
        /// RPC connections, each confirming one relay at a time.
        #[arg(long, default_value_t = 8)]
        lanes: usize,
    },
    /// Load-test a relayer on the embedded chain, on loopback: valid and
    /// invalid relays at a fixed concurrency; prints latency and throughput.
    Bench {
        /// Requests in all.
        #[arg(long, default_value_t = 500)]
        requests: usize,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Every N-th request is invalid.
        #[arg(long, default_value_t = 5)]
        invalid_every: usize,
    },
}

#[derive(Subcommand)]
enum PoolCommand {
    /// Open the pool.
    Open,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            ui::error(&error);
            ExitCode::FAILURE
        }
    }
}
