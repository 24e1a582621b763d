//! The subcommands that work on a wallet.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use rand::rngs::OsRng;
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{read_keypair_file, write_keypair_file, Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use zkpay_circuits::export::solana::SolanaVerifyingKey;
use zkpay_circuits::setup::{generate_proving_key, DEVELOPMENT_SEED};
use zkpay_circuits::transfer::PublicInputMode;
use zkpay_client::address::ShieldedAddress;
use zkpay_client::amount::{format_amount, parse_amount};
use zkpay_client::chain::embedded::{EmbeddedChain, FAUCET_GRANT};
use zkpay_client::chain::rpc::{cluster_label, is_local_url, known_cluster, RpcChain};
use zkpay_client::chain::{Chain, ChainError, Settled, SettlementPage, TransactionStatus};
use zkpay_client::disclosure::{verify_disclosure, PaymentDisclosure};
use zkpay_client::funds::{verify_funds, ProofOfFunds};
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{load_pool_at, open_pool, PoolInfo, SOL, SOL_DECIMALS};
use zkpay_client::relayer::RelayerClient;
use zkpay_client::store::{HistoryKind, Store};
use zkpay_client::text::printable;
use zkpay_client::viewing_key::FullViewingKey;
use zkpay_client::wallet::{stored_keys, Receipt, Relayer, Wallet};

use crate::{ui, Cli, Command, PoolCommand, RelayerCommand, WalletCommand};

/// Runs `cli`'s command.
pub async fn run(cli: Cli) -> Result<()> {
    quiet_runtime_logs();
    match &cli.command {
        Command::Demo => return crate::demo::run().await,
        Command::Bench { notes, payments } => return crate::bench::run(*notes, *payments).await,
        Command::BenchScale { leaves, notes } => return crate::scale::run(*leaves, *notes).await,
        Command::Relayer(RelayerCommand::Bench {
            requests,
            concurrency,
            invalid_every,
        }) => return crate::relayer::bench(*requests, *concurrency, *invalid_every).await,
        _ => {}
    }
    let home = home(&cli)?;
    let wallet_path = cli.wallet.clone().unwrap_or_else(|| home.join("wallet.db"));
    match &cli.command {
        Command::Wallet(WalletCommand::New) => {
            let (phrase, keys) = WalletKeys::generate(&mut OsRng);
            Store::create(&wallet_path, &phrase)?;
            println!("Created wallet {}", wallet_path.display());
            println!();
            println!("Recovery phrase (write it down; anyone who has it can spend your funds):");
            println!();
            println!("    {}", phrase.as_str());
            println!();
            println!("Your shielded address (share it to be paid):");
            println!("{}", keys.address());
            return Ok(());
        }
        Command::Wallet(WalletCommand::Address) => {
            let keys = stored_keys(&Store::open(&wallet_path)?)?;
            println!("{}", keys.address());
            return Ok(());
        }
        Command::Wallet(WalletCommand::ExportViewingKey) => {
            let keys = stored_keys(&Store::open(&wallet_path)?)?;
            eprintln!("Full viewing key (whoever holds it sees all your payments and balance, but cannot spend):");
            println!("{}", keys.viewing_key());
            return Ok(());
        }
        Command::Wallet(command @ (WalletCommand::Restore | WalletCommand::ImportViewingKey)) => {
            let watch_only = matches!(command, WalletCommand::ImportViewingKey);
            let what = if watch_only {
                "viewing key"
            } else {
                "recovery phrase"
            };
            let mut text = zeroize::Zeroizing::new(String::new());
            std::io::stdin()
                .read_to_string(&mut text)
                .with_context(|| format!("reading the {what} from standard input"))?;
            if watch_only {
                text.trim().parse::<FullViewingKey>()?;
            } else {
                WalletKeys::from_mnemonic(&text)?;
            }
            let mut chain = connect(&cli, &home).await?;
            let payer = payer(&cli, &home, &mut chain).await?;
            let mint = mint(&cli)?;
            if watch_only {
                Store::create_watch_only(&wallet_path, text.trim())?;
            } else {
                Store::create(&wallet_path, &text)?;
            }
            let mut wallet = open(&mut chain, &wallet_path, payer, &mint).await?;
            let report = wallet.sync(&mut chain).await?;
            if watch_only {
                println!(
                    "Imported watch-only wallet {} (it cannot spend)",
                    wallet_path.display()
                );
            } else {
                println!("Restored wallet {}", wallet_path.display());
            }
            println!("Address: {}", wallet.address());
            println!(
                "Read {} settlements; found {} notes.",
                report.settlements, report.new_notes
            );
            print_balance(&wallet)?;
            return Ok(());
        }
        _ => {}
    }

    let mut chain = connect(&cli, &home).await?;
    match &cli.command {
        Command::Relayer(RelayerCommand::Serve {
            listen,
            margin,
            spl,
            per_client,
            in_flight,
            lanes,
        }) => {
            let AnyChain::Rpc(rpc) = chain else {
                bail!(
                    "a relayer serves a cluster (--url localnet or a URL): the embedded chain \
                     lives inside one process; `zkpay demo` runs a relayer on it"
                );
            };
            let keypair = match &cli.keypair {
                Some(path) => read_keypair(path)?,
                None => {
                    bail!("pass the relayer's keypair with --keypair: it signs and pays relays")
                }
            };
            return crate::relayer::serve(
                rpc,
                *lanes,
                keypair,
                *listen,
                *margin,
                spl,
                *per_client,
                *in_flight,
            )
            .await;
        }
        Command::Pool(PoolCommand::Open) => {
            let payer = payer(&cli, &home, &mut chain).await?;
            let pool = open_pool(&mut chain, &payer, &mint(&cli)?).await?;
            println!(
                "Opened pool {} (tree {}, vault {})",
                pool.pool, pool.tree, pool.vault
            );
            return Ok(());
        }
        Command::VerifyDisclosure { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the disclosure {}", file.display()))?;
            let disclosure = PaymentDisclosure::from_json(&text)?;
            let verified = verify_disclosure(&mut chain, &disclosure)
                .await
                .context("the disclosure does NOT hold")?;
            let pool = load_pool_at(&mut chain, &verified.pool).await?;
            println!(
                "Verified against the chain: transaction {} created, in pool {} ({}), note {} (leaf {}) of {} {}",
                verified.signature,
                verified.pool,
                unit(&pool),
                disclosure.output,
                verified.leaf_index,
                format_amount(verified.amount, pool.decimals),
                unit(&pool)
            );
            if !verified.memo.is_empty() {
                println!("with memo \"{}\"", printable(&verified.memo));
            }
            match &verified.address {
                Some(address) => println!("for address {address} (only its holder can spend it)."),
                None => println!(
                    "for the owner key {} (only its holder can spend it).",
                    hex::encode(zkpay_circuits::field::to_bytes(&verified.owner))
                ),
            }
            return Ok(());
        }
        Command::VerifyFunds { file, challenge } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the proof of funds {}", file.display()))?;
            let proof = ProofOfFunds::from_json(&text)?;
            let verified = verify_funds(&mut chain, &proof, challenge.as_deref())
                .await
                .context("the proof of funds does NOT hold")?;
            println!(
                "Verified against the chain: the holder owns unspent notes worth at least {} {} in pool {}, at one of its last {} roots, for the challenge \"{}\".",
                format_amount(verified.at_least, verified.pool.decimals),
                unit(&verified.pool),
                verified.pool.pool,
                zkpay_core::constants::ROOT_HISTORY_SIZE,
                printable(verified.challenge.as_bytes())
            );
            if challenge.is_none() {
                println!("Check that this challenge is the one you gave (pass it with --challenge to have it checked).");
            }
            return Ok(());
        }
        Command::Airdrop { amount } => {
            let lamports = parse_amount(amount, SOL_DECIMALS)?;
            let payer = payer(&cli, &home, &mut chain).await?.pubkey();
            chain
                .airdrop(&payer, lamports)
                .await
                .with_context(|| format!("requesting {amount} SOL for {payer} from the faucet"))?;
            let balance = chain.accounts(&[payer]).await?[0]
                .as_ref()
                .map_or(0, |a| a.lamports);
            println!(
                "Airdropped {} SOL to {payer}; it holds {} SOL.",
                format_amount(lamports, SOL_DECIMALS),
                format_amount(balance, SOL_DECIMALS)
            );
            return Ok(());
        }
        _ => {}
    }
    let payer = payer(&cli, &home, &mut chain).await?;
    let mut wallet = open(&mut chain, &wallet_path, payer, &mint(&cli)?).await?;
    wallet.set_observer(ui::observer());
    let decimals = wallet.pool().decimals;
    let unit = unit(wallet.pool());
    match &cli.command {
        Command::Deposit { amount } => {
            let amount = parse_amount(amount, decimals)?;
            let receipt = wallet.deposit(&mut chain, amount).await?;
            println!(
                "Deposited {} {unit} into the pool.",
                format_amount(amount, decimals)
            );
            print_receipts(&chain, &[receipt]).await?;
        }
        Command::Pay {
            address,
            amount,
            memo,
            relayer,
            max_fee,
        } => {
            let to = ShieldedAddress::from_str(address)?;
            let amount = parse_amount(amount, decimals)?;
            let memo = memo.as_deref().unwrap_or("").as_bytes();
            let service = relayer_client(relayer, max_fee, wallet.pool())?;
            if service.is_none() {
                println!(
                    "Without --relayer your public account {} signs and pays this payment: \
                     the chain shows who pays (not whom, nor how much).",
                    wallet.payer()
                );
            }
            let receipts = wallet
                .pay_with(
                    &mut chain,
                    &to,
                    amount,
                    memo,
                    service.as_ref().map(Relayer::Service),
                )
                .await?;
            if receipts.len() > 1 {
                println!(
                    "No two notes covered the amount: merged notes first ({} extra transactions).",
                    receipts.len() - 1
                );
            }
            println!(
                "Paid {} {unit} to {to} privately.",
                format_amount(amount, decimals)
            );
            print_receipts(&chain, &receipts).await?;
        }
        Command::Withdraw {
            amount,
            recipient,
            relayer,
            max_fee,
        } => {
            let amount = parse_amount(amount, decimals)?;
            let recipient = Pubkey::from_str(recipient).map_err(|_| {
                anyhow!("`{recipient}` is not a Solana address (base58 public key)")
            })?;
            let service = relayer_client(relayer, max_fee, wallet.pool())?;
            if service.is_none() {
                println!(
                    "Without --relayer your public account {} signs and pays this withdrawal.",
                    wallet.payer()
                );
            }
            let receipts = wallet
                .withdraw(
                    &mut chain,
                    amount,
                    &recipient,
                    service.as_ref().map(Relayer::Service),
                )
                .await?;
            println!(
                "Withdrew {} {unit} to {recipient}.",
                format_amount(amount, decimals)
            );
            print_receipts(&chain, &receipts).await?;
        }
        Command::Balance => {
            wallet.sync(&mut chain).await?;
            print_balance(&wallet)?;
        }
        Command::History => {
            wallet.sync(&mut chain).await?;
            let entries = wallet.history()?;
            if entries.is_empty() {
                println!("No transactions yet.");
            }
            for entry in entries {
                let what = match entry.kind {
                    HistoryKind::Deposit => "deposit",
                    HistoryKind::Sent => "sent",
                    HistoryKind::Received => "received",
                    HistoryKind::Withdrawal => "withdrawal",
                    HistoryKind::Consolidation => "merged notes",
                };
                let mut line = format!(
                    "{:<13} {:>16} {unit}",
                    what,
                    format_amount(entry.amount, decimals)
                );
                if let Some(counterparty) = &entry.counterparty {
                    line += &format!("  {}", short(counterparty));
                }
                if !entry.memo.is_empty() {
                    line += &format!("  \"{}\"", printable(&entry.memo));
                }
                if entry.fee > 0 {
                    line += &format!("  fee {}", format_amount(entry.fee, decimals));
                }
                if !entry.confirmed {
                    line += "  (pending)";
                }
                println!("{line}  {}", short(&entry.signature.to_string()));
            }
        }
        Command::Disclose {
            signature,
            output,
            out,
        } => {
            wallet.sync(&mut chain).await?;
            let signature = resolve_signature(&wallet, signature)?;
            let disclosure = wallet.disclose(&mut chain, &signature, *output).await?;
            let text = disclosure.to_json() + "\n";
            match out {
                Some(path) => {
                    std::fs::write(path, &text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "Wrote a disclosure of note {} of {signature} ({} {unit}) to {}: \
                         it reveals this note to whoever reads it, nothing else of the wallet. \
                         Check it with `zkpay verify-disclosure {}`.",
                        disclosure.output,
                        format_amount(disclosure.amount, decimals),
                        path.display(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
        }
        Command::ProveFunds {
            at_least,
            challenge,
            out,
        } => {
            wallet.sync(&mut chain).await?;
            let threshold = parse_amount(at_least, decimals)?;
            let proof = wallet.prove_funds(&mut chain, threshold, challenge).await?;
            let text = proof.to_json() + "\n";
            match out {
                Some(path) => {
                    std::fs::write(path, &text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "Wrote a proof of funds of at least {} {unit} for the challenge \"{}\" to {}: \
                         it reveals neither your balance nor your notes, but whoever keeps it will \
                         see when the notes it counts are spent. Check it with `zkpay verify-funds {}`.",
                        format_amount(threshold, decimals),
                        printable(challenge.as_bytes()),
                        path.display(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
        }
        Command::Sync { rescan } => {
            let report = if *rescan {
                wallet.rescan(&mut chain).await?
            } else {
                wallet.sync(&mut chain).await?
            };
            println!(
                "Read {} settlements; found {} new notes ({} {unit}); tree holds {} leaves.",
                report.settlements,
                report.new_notes,
                format_amount(report.received, decimals),
                report.leaves
            );
            if report.released > 0 {
                println!(
                    "{} payment(s) that can no longer land were cancelled; their notes are spendable again.",
                    report.released
                );
            }
            if report.rolled_back > 0 {
                println!(
                    "The cluster rolled back blocks this wallet had synced: {} leaves were undone and synced again.",
                    report.rolled_back
                );
            }
            if report.foreign > 0 {
                println!(
                    "Ignored {} settlement(s) of other pools in the same transactions.",
                    report.foreign
                );
            }
            print_balance(&wallet)?;
        }
        _ => unreachable!("handled above"),
    }
    Ok(())
}

/// One line per transaction: size, compute units (on a cluster), proof and
/// confirmation times.
async fn print_receipts(chain: &AnyChain, receipts: &[Receipt]) -> Result<()> {
    for receipt in receipts {
        let units = match chain {
            AnyChain::Rpc(rpc) => format!(", {} CU", rpc.compute_units(&receipt.signature).await?),
            AnyChain::Embedded(_) => String::new(),
        };
        println!(
            "  transaction {}: {} bytes{units}, proof {}, confirmed in {}",
            receipt.signature,
            receipt.size,
            ui::ms(receipt.prove_time),
            ui::ms(receipt.settle_time)
        );
    }
    Ok(())
}

fn print_balance(wallet: &Wallet) -> Result<()> {
    let balance = wallet.balance()?;
    let decimals = wallet.pool().decimals;
    let unit = unit(wallet.pool());
    if wallet.is_watch_only() {
        println!("Watch-only wallet: it sees this balance but cannot spend it.");
    }
    println!(
        "Spendable: {} {unit} in {} note(s)",
        format_amount(balance.spendable, decimals),
        balance.notes
    );
    if balance.pending > 0 {
        println!(
            "Pending:   {} {unit} in payments not yet confirmed (run `zkpay sync`)",
            format_amount(balance.pending, decimals)
        );
    }
    Ok(())
}

fn unit(pool: &PoolInfo) -> String {
    if pool.is_spl() {
        format!("tokens ({})", short(&pool.mint.to_string()))
    } else {
        "SOL".to_string()
    }
}

/// `text` as a signature: a whole one, or the start of exactly one in the
/// wallet's history (as `zkpay history` shortens them).
fn resolve_signature(wallet: &Wallet, text: &str) -> Result<Signature> {
    if let Ok(signature) = Signature::from_str(text) {
        return Ok(signature);
    }
    let prefix = text.split("..").next().unwrap_or(text);
    let mut matches: Vec<Signature> = wallet
        .history()?
        .into_iter()
        .map(|entry| entry.signature)
        .filter(|s| !prefix.is_empty() && s.to_string().starts_with(prefix))
        .collect();
    matches.dedup();
    match matches.as_slice() {
        [signature] => Ok(*signature),
        [] => bail!("`{text}` is neither a transaction signature nor the start of one in this wallet's history (see `zkpay history`)"),
        _ => bail!("`{text}` starts several signatures in this wallet's history: give more of it"),
    }
}

fn short(text: &str) -> String {
    if text.len() <= 20 {
        text.to_string()
    } else {
        format!("{}..{}", &text[..12], &text[text.len() - 6..])
    }
}

/// The relayer at `url`, refusing quotes over `max_fee` (on the SOL pool
/// 0.01 SOL by default; an SPL pool has no default: its token's worth is
/// unknown here).
fn relayer_client(
    url: &Option<String>,
    max_fee: &Option<String>,
    pool: &PoolInfo,
) -> Result<Option<RelayerClient>> {
    let Some(url) = url else {
        return Ok(None);
    };
    let max = match max_fee {
        Some(text) => parse_amount(text, pool.decimals)?,
        None if !pool.is_spl() => DEFAULT_MAX_RELAYER_FEE,
        None => bail!(
            "say the most you accept to pay the relayer in this token with --max-fee (e.g. --max-fee 0.05)"
        ),
    };
    Ok(Some(RelayerClient::new(url)?.with_max_fee(Some(max))))
}

/// The most a SOL-pool relay may cost unless `--max-fee` says otherwise:
/// 0.01 SOL, about 5.6 times a relayer's cost today.
const DEFAULT_MAX_RELAYER_FEE: u64 = 10_000_000;

fn home(cli: &Cli) -> Result<PathBuf> {
    if let Some(home) = &cli.home {
        return Ok(home.clone());
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            anyhow!("cannot tell where to keep the wallet: set ZKPAY_HOME or pass --home")
        })?;
    Ok(data.join("zkpay"))
}

fn mint(cli: &Cli) -> Result<Pubkey> {
    match &cli.mint {
        None => Ok(SOL),
        Some(text) => Pubkey::from_str(text)
            .map_err(|_| anyhow!("`{text}` is not a mint address (base58 public key)")),
    }
}

fn read_keypair(path: &Path) -> Result<Keypair> {
    read_keypair_file(path).map_err(|e| {
        anyhow!(
            "cannot read keypair {}: {e}; create one with `solana-keygen new -o {}`",
            path.display(),
            path.display()
        )
    })
}

/// The fee payer: `--keypair`, else the Solana CLI's default keypair; on the
/// embedded chain, a keypair kept in `home`, funded from the faucet.
async fn payer(cli: &Cli, home: &Path, chain: &mut AnyChain) -> Result<Keypair> {
    if let Some(path) = &cli.keypair {
        return read_keypair(path);
    }
    // Through a relayer the wallet signs nothing: no public account needed.
    if matches!(
        cli.command,
        Command::Pay {
            relayer: Some(_),
            ..
        } | Command::Withdraw {
            relayer: Some(_),
            ..
        }
    ) {
        return Ok(Keypair::new());
    }
    let solana_default =
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/solana/id.json"));
    let AnyChain::Embedded(embedded) = chain else {
        let path = solana_default.ok_or_else(|| anyhow!("no payer keypair: pass --keypair"))?;
        return read_keypair(&path);
    };
    let path = home.join("payer.json");
    let keypair = if path.exists() {
        read_keypair(&path)?
    } else {
        std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
        let keypair = Keypair::new();
        write_keypair_file(&keypair, &path)
            .map_err(|e| anyhow!("writing {}: {e}", path.display()))?;
        keypair
    };
    let balance = embedded.accounts(&[keypair.pubkey()]).await?[0]
        .as_ref()
        .map_or(0, |a| a.lamports);
    if balance < FAUCET_GRANT / 10 {
        embedded.airdrop(&keypair.pubkey(), FAUCET_GRANT).await?;
    }
    Ok(keypair)
}

async fn open(chain: &mut AnyChain, path: &Path, payer: Keypair, mint: &Pubkey) -> Result<Wallet> {
    let store = Store::open(path)?;
    Ok(Wallet::open(chain, store, payer, mint).await?)
}

async fn connect(cli: &Cli, home: &Path) -> Result<AnyChain> {
    if cli.url == "embedded" {
        if cli.with_compute_unit_price.is_some() {
            bail!(
                "--with-compute-unit-price sets the priority fee on a cluster (--url); \
                 the embedded chain has no fee market"
            );
        }
        std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
        let chain = EmbeddedChain::open(&home.join("embedded-chain.bin")).await?;
        eprintln!("embedded chain: {}", chain.program_build());
        return Ok(AnyChain::Embedded(Box::new(chain)));
    }
    if cli.url.is_empty() {
        bail!("--url is empty");
    }
    if !is_local_url(&cli.url) {
        refuse_development_keys(&cluster_label(&cli.url))?;
    }
    let mut chain = RpcChain::new(&cli.url).with_compute_unit_price(cli.with_compute_unit_price);
    let genesis = chain
        .genesis_hash()
        .await
        .with_context(|| format!("connecting to {}", chain.url()))?;
    // A local URL may still reach a public cluster (a tunnel, a proxy).
    if let Some(public) = genesis.as_ref().and_then(known_cluster) {
        refuse_development_keys(public)?;
    }
    Ok(AnyChain::Rpc(chain))
}

/// The program id of the development keypair committed in `keys/`.
const DEVELOPMENT_PROGRAM_ID: Pubkey =
    Pubkey::from_str_const("CHX54C3F4wvBCYX5usizzTzxpZHYZZyQDHwBDG8iEmh4");

/// Refuses `cluster` (any but a local validator or the embedded chain)
/// while this build trusts development keys: the committed program keypair
/// (anyone holding it can deploy any program at that id) or the verifying
/// key of the public-seed setup (anyone can forge proofs with it).
fn refuse_development_keys(cluster: &str) -> Result<()> {
    let mut reasons = Vec::new();
    if zkpay::ID == DEVELOPMENT_PROGRAM_ID {
        reasons.push(format!(
            "the program id {} is the development keypair committed in keys/zkpay-program-keypair.json: \
             its secret key is public, so anyone can deploy any program at that address",
            zkpay::ID
        ));
    }
    let development_key = generate_proving_key(PublicInputMode::Hashed, DEVELOPMENT_SEED)
        .map_err(|e| anyhow!("rerunning the development setup: {e}"))?;
    if SolanaVerifyingKey::from_arkworks(&development_key.vk) == SolanaVerifyingKey::committed() {
        reasons.push(
            "the verifying key comes from the single-party development setup, whose randomness \
             is a public seed: anyone can forge proofs and drain every pool that trusts it"
                .to_string(),
        );
    }
    if reasons.is_empty() {
        return Ok(());
    }
    bail!(
        "refusing {cluster}: this build of zkpay is for development only, on a local validator \
         (--url localnet) or the embedded chain.\n  - {}\n\
         Deploy the program under your own keypair and replace the verifying key with one from \
         a multi-party ceremony first (README, \"Deploying under your own keys\").",
        reasons.join("\n  - ")
    )
}

/// The runtime logs every instruction at debug level; a CLI shows none of
/// it unless asked with RUST_LOG.
fn quiet_runtime_logs() {
    if std::env::var_os("RUST_LOG").is_none() {
        // SAFETY: called before any other thread exists.
        std::env::set_var("RUST_LOG", "error");
    }
}

/// The chain the CLI was pointed at.
pub enum AnyChain {
    /// In this process.
    Embedded(Box<EmbeddedChain>),
    /// Over RPC.
    Rpc(RpcChain),
}

macro_rules! delegate {
    ($self:ident, $chain:ident => $call:expr) => {
        match $self {
            AnyChain::Embedded($chain) => $call,
            AnyChain::Rpc($chain) => $call,
        }
    };
}

impl Chain for AnyChain {
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError> {
        delegate!(self, c => c.latest_blockhash().await)
    }

    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError> {
        delegate!(self, c => c.is_blockhash_valid(blockhash).await)
    }

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        delegate!(self, c => c.submit(transaction).await)
    }

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        delegate!(self, c => c.simulate(transaction).await)
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        delegate!(self, c => c.status(signature).await)
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        delegate!(self, c => c.accounts(addresses).await)
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        delegate!(self, c => c.rent_exempt_minimum(space).await)
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        delegate!(self, c => c.settlements(tree, after, budget).await)
    }

    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError> {
        delegate!(self, c => c.settled_in(signature).await)
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        delegate!(self, c => c.airdrop(address, lamports).await)
    }

    async fn genesis_hash(&mut self) -> Result<Option<Hash>, ChainError> {
        delegate!(self, c => c.genesis_hash().await)
    }

    async fn compute_budget(
        &mut self,
        payer: &Pubkey,
        instructions: &[Instruction],
    ) -> Result<Vec<Instruction>, ChainError> {
        delegate!(self, c => c.compute_budget(payer, instructions).await)
    }
}
