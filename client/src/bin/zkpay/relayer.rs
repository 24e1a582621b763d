//! `zkpay relayer serve` and `zkpay relayer bench`.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::rpc::RpcChain;
use zkpay_client::chain::shared::SharedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::SOL;
use zkpay_client::relayer::api::RelayRequest;
use zkpay_client::relayer::load::{self, mix};
use zkpay_client::relayer::{Limits, RelayerClient, RelayerConfig, RelayerService, ServedPool};
use zkpay_client::store::Store;
use zkpay_client::wallet::Wallet;

use crate::ui::ms;

/// Serves relays on `chain` until Ctrl-C, then finishes those in flight.
#[allow(clippy::too_many_arguments)]
pub async fn serve(
    chain: RpcChain,
    lanes: usize,
    keypair: Keypair,
    listen: SocketAddr,
    margin: u64,
    spl: &[String],
    per_client: u32,
    in_flight: usize,
) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZKPAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let mut pools = vec![ServedPool {
        mint: SOL,
        token_fee: None,
    }];
    for entry in spl {
        let (mint, fee) = entry.split_once('=').ok_or_else(|| {
            anyhow!("--spl takes MINT=FEE (fee in token base units), not `{entry}`")
        })?;
        pools.push(ServedPool {
            mint: Pubkey::from_str(mint).map_err(|_| anyhow!("`{mint}` is not a mint address"))?,
            token_fee: Some(
                fee.parse()
                    .map_err(|_| anyhow!("`{fee}` is not a whole number of base units"))?,
            ),
        });
    }
    let limits = Limits {
        per_client_per_second: per_client,
        per_client_burst: per_client.saturating_mul(2),
        in_flight,
        ..Limits::default()
    };
    let relayer = keypair.pubkey();
    let (url, price) = (chain.url(), chain.compute_unit_price());
    let mut connections = vec![SharedChain::start(move || async move { Ok(chain) }).await?];
    for _ in 1..lanes.max(1) {
        let lane = RpcChain::new(&url).with_compute_unit_price(price);
        connections.push(SharedChain::start(move || async move { Ok(lane) }).await?);
    }
    let service = RelayerService::start_with_lanes(
        connections,
        keypair,
        RelayerConfig {
            pools,
            margin,
            limits,
        },
    )
    .await
    .context("starting the relayer")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!("relayer {relayer} serving on http://{listen}");
    for pool in &service.quote().pools {
        println!(
            "  pool of {}: fee {} per payment or withdrawal (cost {} lamports + margin {})",
            pool.mint, pool.transfer_fee, pool.cost_lamports, pool.margin
        );
    }
    Arc::new(service)
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
            println!("stopping: finishing the relays in flight");
        })
        .await?;
    Ok(())
}

/// Resident and peak memory of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Load-tests a relayer on the embedded chain over loopback.
pub async fn bench(requests: usize, concurrency: usize, invalid_every: usize) -> Result<()> {
    let invalid = if invalid_every > 1 {
        requests / invalid_every
    } else {
        0
    };
    let valid = requests - invalid;
    println!("Relayer load: {requests} requests ({valid} valid, {invalid} invalid) at {concurrency} concurrent, on loopback.");
    let mut chain = SharedChain::start(EmbeddedChain::start).await?;
    let relayer = Keypair::new();
    chain.airdrop(&relayer.pubkey(), 1_000_000_000_000).await?;
    let limits = Limits {
        per_client_per_second: 100_000,
        per_client_burst: 100_000,
        overall_per_second: 100_000,
        ..Limits::default()
    };
    let service = RelayerService::start(
        chain.clone(),
        relayer.insecure_clone(),
        RelayerConfig::sol_pool(10_000, limits),
    )
    .await?;
    let fee = service.quote().pools[0].transfer_fee;
    let local = Arc::new(service).spawn_on_loopback().await?;
    let client = RelayerClient::new(&local.url)?;

    let dir = tempfile::tempdir()?;
    let open = |name: &str, chain: &mut SharedChain<EmbeddedChain>| {
        let (phrase, _) = WalletKeys::generate(&mut OsRng);
        let store = Store::create(&dir.path().join(format!("{name}.db")), &phrase);
        let payer = Keypair::new();
        let mut chain = chain.clone();
        async move {
            chain.airdrop(&payer.pubkey(), 1_000_000_000_000).await?;
            anyhow::Ok(Wallet::open(&mut chain, store?, payer, &SOL).await?)
        }
    };
    let mut alice = open("alice", &mut chain).await?;
    let mut bob = open("bob", &mut chain).await?;
    let started = Instant::now();
    for _ in 0..valid {
        alice.deposit(&mut chain, 1_000 + fee).await?;
    }
    println!(
        "  {valid} deposits (one note each) in {}",
        ms(started.elapsed())
    );
    let started = Instant::now();
    let blockhash = chain.latest_blockhash().await?;
    let mut relays = Vec::with_capacity(valid);
    for note in alice
        .unspent_notes()?
        .into_iter()
        .filter(|n| n.amount > 0)
        .take(valid)
    {
        let relay = alice
            .prove_relayed_payment(&client, vec![note], &bob.address(), 1_000, blockhash)
            .await?;
        relays.push(RelayRequest::from(&relay));
    }
    println!("  {valid} payments proven in {}", ms(started.elapsed()));
    let relayer_before = chain.accounts(&[relayer.pubkey()]).await?[0]
        .as_ref()
        .map_or(0, |a| a.lamports);

    let load = mix(&relays, invalid_every);
    let half = load.len() / 2;
    let (first, second) = (load[..half].to_vec(), load[half..].to_vec());
    let (rss_start, _) = memory();
    let mut outcomes = Vec::new();
    let mut elapsed = std::time::Duration::ZERO;
    let mut rss = Vec::new();
    for round in [first, second] {
        let report = load::run(&client, round, concurrency, || {
            let mut chain = chain.clone();
            async move { chain.latest_blockhash().await.unwrap_or_default() }
        })
        .await;
        elapsed += report.elapsed;
        outcomes.extend(report.outcomes);
        rss.push(memory());
    }
    let report = load::LoadReport { outcomes, elapsed };
    let relayer_after = chain.accounts(&[relayer.pubkey()]).await?[0]
        .as_ref()
        .map_or(0, |a| a.lamports);
    let health = reqwest::get(format!("{}/health", local.url))
        .await?
        .status();
    local.stop().await?;
    let received = bob.sync(&mut chain).await?.new_notes;

    let mut statuses: std::collections::BTreeMap<u16, usize> = Default::default();
    for outcome in report.outcomes.iter().filter(|o| !o.valid) {
        *statuses.entry(outcome.status).or_default() += 1;
    }
    let refused_valid = report
        .outcomes
        .iter()
        .filter(|o| o.valid && o.signature.is_none())
        .count();
    let settled_invalid = report
        .outcomes
        .iter()
        .filter(|o| !o.valid && o.signature.is_some())
        .count();
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| requests / concurrency | {} / {concurrency} |",
        report.outcomes.len()
    );
    println!("| settled (200) | {} of {valid} valid |", report.settled());
    println!("| invalid answered, by status | {statuses:?} |");
    println!("| valid refused / invalid settled | {refused_valid} / {settled_invalid} |");
    println!("| payments Bob's wallet found on-chain | {received} |");
    println!(
        "| latency p50 / p99 | {} / {} |",
        ms(report.latency(0.5)),
        ms(report.latency(0.99))
    );
    println!(
        "| throughput | {:.1} answers/s ({:.1} settlements/s) |",
        report.throughput(),
        report.settled() as f64 / report.elapsed.as_secs_f64()
    );
    println!(
        "| process memory (RSS) before / after half / after all; peak | {:.0} / {:.0} / {:.0} MiB; {:.0} MiB |",
        rss_start, rss[0].0, rss[1].0, rss[1].1
    );
    println!(
        "| relayer balance change | {:+} lamports over {} relays |",
        relayer_after as i128 - relayer_before as i128,
        report.settled()
    );
    println!("| health after the load | {health} |");
    // A replay races its original: exactly one of the two settles.
    anyhow::ensure!(
        report.settled() == valid && received == valid,
        "{} settled and Bob found {received}, for {valid} valid requests",
        report.settled()
    );
    anyhow::ensure!(relayer_after >= relayer_before, "the relayer lost lamports");
    Ok(())
}
