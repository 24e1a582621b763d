//! The RPC path against a real validator: solana-test-validator 3.1.12 with
//! the SBF program (`scripts/localnet.sh`, on its own port so a validator a
//! developer runs on 8899 is left alone). Each test starts it if no other
//! test of this file holds it, and the last one out stops it. Without the
//! validator installed, each test prints a `skipped:` line saying how to
//! install it, and passes; the mainnet-beta refusal needs no validator.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rand::rngs::OsRng;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{write_keypair_file, Keypair, Signature, Signer};
use solana_sdk::transaction::VersionedTransaction;
use solana_transaction_status_client_types::UiInstruction;
use tempfile::TempDir;
use zkpay_client::chain::rpc::{
    compute_unit_limit, RpcChain, COMPUTE_BUDGET_PROGRAM, RESEND_INTERVAL,
};
use zkpay_client::chain::{Chain, ChainError, TransactionStatus};
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{load_pool, SOL, SYSTEM_PROGRAM};
use zkpay_client::store::{ClusterBinding, HistoryKind, Store, StoreError};
use zkpay_client::wallet::{Wallet, WalletError};

/// RPC port of the tests' validator (faucet: + 1001).
const PORT: u16 = 18899;

/// Where `scripts/localnet.sh` loads `tests/cpi-caller`.
const CPI_CALLER: Pubkey = Pubkey::from_str_const("51BhhzVjpzKYKDiWdUWxf9ZwtnhWJW5o3Lb9d1rQrn8z");

/// The address lookup table program.
const LOOKUP_TABLE_PROGRAM: Pubkey =
    Pubkey::from_str_const("AddressLookupTab1e1111111111111111111111111");

use common::{deposit_instruction, funded, wallet, SOL_UNIT};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn localnet_script(command: &str) -> Output {
    Command::new(repo().join("scripts/localnet.sh"))
        .arg(command)
        .env("ZKPAY_LOCALNET_PORT", PORT.to_string())
        .env(
            "ZKPAY_LOCALNET_DIR",
            std::env::temp_dir().join(format!("zkpay-localnet-test-{PORT}")),
        )
        .output()
        .expect("running scripts/localnet.sh")
}

/// How many tests hold the validator.
static HOLDERS: Mutex<usize> = Mutex::new(0);

/// The tests' validator, held while a test runs; the SOL pool is open.
struct Localnet {
    url: String,
}

impl Localnet {
    /// Starts the validator unless another test holds it; None (after
    /// printing why) when it is not installed.
    fn acquire() -> Option<Localnet> {
        if !localnet_script("check").status.success() {
            println!(
                "skipped: solana-test-validator is not installed; install it once with \
                 `scripts/localnet.sh install` (about 28 min on 2 cores)"
            );
            return None;
        }
        let mut holders = HOLDERS.lock().unwrap_or_else(PoisonError::into_inner);
        let url = format!("http://127.0.0.1:{PORT}");
        if *holders == 0 {
            let started = localnet_script("start");
            assert!(
                started.status.success(),
                "scripts/localnet.sh start failed:\n{}",
                String::from_utf8_lossy(&started.stderr)
            );
            open_sol_pool(&url);
        }
        *holders += 1;
        Some(Localnet { url })
    }

    /// The `zkpay` command on this validator, paying with `keypair`, its
    /// home (and wallet) in `home`.
    fn zkpay(&self, home: &Path, keypair: &Path, args: &[&str]) -> Output {
        zkpay(
            home,
            &[&["--url", &self.url, "--keypair", path(keypair)], args].concat(),
        )
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        let mut holders = HOLDERS.lock().unwrap_or_else(PoisonError::into_inner);
        *holders -= 1;
        if *holders == 0 {
            let stopped = localnet_script("stop");
            assert!(stopped.status.success(), "scripts/localnet.sh stop failed");
        }
    }
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temporary paths")
}

fn zkpay(home: &Path, args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin("zkpay"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("ZKPAY_HOME")
        .output()
        .expect("running zkpay")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A keypair file for the CLI, in `dir`.
fn keypair_file(dir: &Path, name: &str) -> (Keypair, PathBuf) {
    let keypair = Keypair::new();
    let file = dir.join(name);
    write_keypair_file(&keypair, &file).expect("writing a keypair");
    (keypair, file)
}

/// Opens the SOL pool with the `zkpay` command (a validator kept from an
/// earlier run may have it open already).
fn open_sol_pool(url: &str) {
    let home = TempDir::new().unwrap();
    let (_, keypair) = keypair_file(home.path(), "opener.json");
    let with = |args: &[&str]| {
        zkpay(
            home.path(),
            &[&["--url", url, "--keypair", path(&keypair)], args].concat(),
        )
    };
    let airdrop = with(&["airdrop", "10"]);
    assert!(airdrop.status.success(), "{}", stderr(&airdrop));
    let opened = with(&["pool", "open"]);
    assert!(
        opened.status.success() || stderr(&opened).contains("PoolAlreadyInitialized"),
        "{}",
        stderr(&opened)
    );
}

/// An address lookup table of `payer` holding `addresses`, usable (its
/// extension a slot old) when this returns.
async fn lookup_table(
    client: &RpcClient,
    payer: &Keypair,
    addresses: &[Pubkey],
) -> AddressLookupTableAccount {
    let slot = client
        .get_slot_with_commitment(CommitmentConfig::finalized())
        .await
        .unwrap();
    let authority = payer.pubkey();
    let (table, bump) = Pubkey::find_program_address(
        &[authority.as_ref(), &slot.to_le_bytes()],
        &LOOKUP_TABLE_PROGRAM,
    );
    let accounts = vec![
        AccountMeta::new(table, false),
        AccountMeta::new_readonly(authority, true),
        AccountMeta::new(authority, true),
        AccountMeta::new_readonly(SYSTEM_PROGRAM, false),
    ];
    // The program's bincode encoding: a u32 variant, then its fields.
    let mut create = 0u32.to_le_bytes().to_vec();
    create.extend_from_slice(&slot.to_le_bytes());
    create.push(bump);
    let mut extend = 2u32.to_le_bytes().to_vec();
    extend.extend_from_slice(&(addresses.len() as u64).to_le_bytes());
    for address in addresses {
        extend.extend_from_slice(address.as_ref());
    }
    let instructions = [create, extend].map(|data| Instruction {
        program_id: LOOKUP_TABLE_PROGRAM,
        accounts: accounts.clone(),
        data,
    });
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let transaction = solana_sdk::transaction::Transaction::new_signed_with_payer(
        &instructions,
        Some(&authority),
        &[payer],
        blockhash,
    );
    client
        .send_and_confirm_transaction(&transaction)
        .await
        .unwrap();
    // The table's metadata (56 bytes: type, deactivation slot, last
    // extended slot at 12..20, ...), then its addresses.
    let data = client.get_account_data(&table).await.unwrap();
    let stored: Vec<Pubkey> = data[56..]
        .chunks(32)
        .map(|a| Pubkey::try_from(a).unwrap())
        .collect();
    assert_eq!(stored, addresses);
    let extended = u64::from_le_bytes(data[12..20].try_into().unwrap());
    // The addresses are usable in a slot after `extended`; `send_transaction`
    // simulates on the confirmed bank, so wait until that bank is past it.
    while client
        .get_slot_with_commitment(CommitmentConfig::confirmed())
        .await
        .unwrap()
        <= extended
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    AddressLookupTableAccount {
        key: table,
        addresses: addresses.to_vec(),
    }
}

#[tokio::test]
async fn a_settlement_made_by_another_program_through_a_lookup_table_is_found_and_junk_is_skipped()
{
    let Some(localnet) = Localnet::acquire() else {
        return;
    };
    let mut chain = RpcChain::new(&localnet.url);
    let client =
        RpcClient::new_with_commitment(localnet.url.clone(), CommitmentConfig::confirmed());
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut chain, &dir, "bob.db").await;
    let pool = load_pool(&mut chain, &SOL).await.unwrap();

    // A dApp's program pays Bob: it calls zkpay's `transact` by CPI, in a v0
    // transaction whose zkpay program id and pool accounts come from a
    // lookup table.
    let dapp = funded(&mut chain, 10).await;
    let amount = SOL_UNIT / 4;
    let transact = deposit_instruction(
        &mut chain,
        &pool,
        &dapp.pubkey(),
        &bob.address(),
        amount,
        b"via cpi",
    )
    .await;
    let mut accounts = vec![AccountMeta::new_readonly(zkpay::ID, false)];
    accounts.extend(transact.accounts.iter().cloned());
    let forwarded = Instruction {
        program_id: CPI_CALLER,
        accounts,
        data: transact.data.clone(),
    };
    let mut table_addresses = vec![zkpay::ID];
    for meta in &transact.accounts {
        if !meta.is_signer && !table_addresses.contains(&meta.pubkey) {
            table_addresses.push(meta.pubkey);
        }
    }
    assert!(table_addresses.contains(&pool.tree) && table_addresses.len() >= 8);
    let table = lookup_table(&client, &dapp, &table_addresses).await;
    let mut instructions = chain
        .compute_budget(&dapp.pubkey(), std::slice::from_ref(&forwarded))
        .await
        .unwrap();
    instructions.push(forwarded);
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let message =
        v0::Message::try_compile(&dapp.pubkey(), &instructions, &[table], blockhash).unwrap();
    let static_keys = message.account_keys.clone();
    assert!(!static_keys.contains(&zkpay::ID), "{static_keys:?}");
    assert!(!static_keys.contains(&pool.tree), "{static_keys:?}");
    let budget = usize::from(instructions.len() > 1);
    assert_eq!(
        static_keys.len(),
        2 + budget,
        "only the payer, the caller (and the compute budget program if a limit is set) are static: {static_keys:?}"
    );
    let transaction =
        VersionedTransaction::try_new(VersionedMessage::V0(message), &[&dapp]).unwrap();
    let signature = client
        .send_and_confirm_transaction(&transaction)
        .await
        .unwrap();

    // The event is an inner instruction whose program (zkpay) is a loaded
    // address: past the static keys.
    let confirmed = chain.transaction(&signature).await.unwrap();
    let meta = confirmed.transaction.meta.unwrap();
    let inner: Option<Vec<_>> = meta.inner_instructions.into();
    let loaded_programs: Vec<u8> = inner
        .unwrap()
        .into_iter()
        .flat_map(|i| i.instructions)
        .filter_map(|ix| match ix {
            UiInstruction::Compiled(ix) => Some(ix.program_id_index),
            UiInstruction::Parsed(_) => None,
        })
        .filter(|index| usize::from(*index) >= static_keys.len())
        .collect();
    assert!(
        loaded_programs.len() >= 2,
        "zkpay's transact and its event run from a loaded address: {loaded_programs:?}"
    );

    // Bob's ordinary sync finds the payment.
    let report = bob.sync(&mut chain).await.unwrap();
    assert_eq!(report.new_notes, 1, "{report:?}");
    assert_eq!(report.received, amount);
    assert_eq!(bob.balance().unwrap().spendable, amount);
    let history = bob.history().unwrap();
    let received = history.last().unwrap();
    assert_eq!(
        (
            received.kind,
            received.amount,
            received.memo.as_slice(),
            received.signature
        ),
        (HistoryKind::Received, amount, &b"via cpi"[..], signature)
    );

    // Transactions naming the tree that settle nothing: one that failed
    // (sent without preflight, it lands as failed and the node lists it),
    // and one that did something else.
    let naming_the_tree = |lamports| Instruction {
        program_id: SYSTEM_PROGRAM,
        accounts: vec![
            AccountMeta::new(dapp.pubkey(), true),
            AccountMeta::new(dapp.pubkey(), false),
            AccountMeta::new_readonly(pool.tree, false),
        ],
        data: anchor_lang::solana_program::system_instruction::transfer(
            &dapp.pubkey(),
            &dapp.pubkey(),
            lamports,
        )
        .data,
    };
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let failing = solana_sdk::transaction::Transaction::new_signed_with_payer(
        &[naming_the_tree(1_000_000 * SOL_UNIT)],
        Some(&dapp.pubkey()),
        &[&dapp],
        blockhash,
    );
    let failed = client
        .send_transaction_with_config(
            &failing,
            solana_client::rpc_config::RpcSendTransactionConfig {
                skip_preflight: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let outcome = loop {
        if let Some(outcome) = client.get_signature_status(&failed).await.unwrap() {
            break outcome;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(outcome.is_err(), "{outcome:?}");
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let unrelated = solana_sdk::transaction::Transaction::new_signed_with_payer(
        &[naming_the_tree(1)],
        Some(&dapp.pubkey()),
        &[&dapp],
        blockhash,
    );
    client
        .send_and_confirm_transaction(&unrelated)
        .await
        .unwrap();
    // The node lists both (at `confirmed`, as the wallet reads).
    let listed: Vec<_> = client
        .get_signatures_for_address_with_config(
            &pool.tree,
            solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config {
                commitment: Some(CommitmentConfig::confirmed()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.signature, entry.err.is_some()))
        .collect();
    for (signature, failed) in [(failed, true), (unrelated.signatures[0], false)] {
        assert!(
            listed.contains(&(signature.to_string(), failed)),
            "the node lists {signature}: {listed:?}"
        );
    }

    // And still finds an ordinary payment afterwards.
    let mut alice = wallet(&mut chain, &dir, "alice.db").await;
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    let payment = SOL_UNIT / 10;
    alice
        .pay(&mut chain, &bob.address(), payment, b"after")
        .await
        .unwrap();
    let report = bob.sync(&mut chain).await.unwrap();
    assert_eq!(
        (report.new_notes, report.received),
        (1, payment),
        "{report:?}"
    );
    let balance = bob.balance().unwrap();
    assert_eq!((balance.spendable, balance.notes), (amount + payment, 2));
}

/// Checks the compute budget of the confirmed transaction `signature`: a
/// limit from simulation, then `price`, and the fee they make. Returns the
/// limit and the units used.
async fn check_budget(chain: &RpcChain, signature: Signature, price: u64) -> (u64, u64) {
    let confirmed = chain.transaction(&signature).await.unwrap();
    let transaction = confirmed.transaction.transaction.decode().unwrap();
    let meta = confirmed.transaction.meta.unwrap();
    let keys = transaction.message.static_account_keys();
    let budget: Vec<&[u8]> = transaction
        .message
        .instructions()
        .iter()
        .filter(|ix| keys[usize::from(ix.program_id_index)] == COMPUTE_BUDGET_PROGRAM)
        .map(|ix| ix.data.as_slice())
        .collect();
    assert_eq!(budget.len(), 2, "a limit and a price: {budget:?}");
    assert_eq!(budget[0][0], 2, "SetComputeUnitLimit first");
    let limit = u64::from(u32::from_le_bytes(budget[0][1..5].try_into().unwrap()));
    assert_eq!(budget[1], [&[3u8][..], &price.to_le_bytes()].concat());
    let used = Option::<u64>::from(meta.compute_units_consumed).unwrap();
    // Simulated, then executed on (nearly) the same state.
    assert!(used <= limit, "used {used} over the limit {limit}");
    assert!(
        limit <= u64::from(compute_unit_limit(used + used / 20)),
        "limit {limit} is not simulation-based for {used} units used"
    );
    // One signature, plus the priority fee on the limit asked for.
    assert_eq!(meta.fee, 5_000 + (limit * price).div_ceil(1_000_000));
    (limit, used)
}

#[tokio::test]
async fn the_compute_unit_limit_comes_from_simulation_and_the_priority_fee_is_paid() {
    let Some(localnet) = Localnet::acquire() else {
        return;
    };
    const PRICE: u64 = 10_000;
    let mut chain = RpcChain::new(&localnet.url).with_compute_unit_price(Some(PRICE));
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice.db").await;
    let receipt = alice.deposit(&mut chain, SOL_UNIT / 2).await.unwrap();

    let (limit, used) = check_budget(&chain, receipt.signature, PRICE).await;
    println!("deposit: limit {limit} CU, used {used} CU, priority fee {PRICE} micro-lamports/CU");

    // The same through the command line, with its flag.
    let home = TempDir::new().unwrap();
    let (_, keypair) = keypair_file(home.path(), "payer.json");
    let out = localnet.zkpay(home.path(), &keypair, &["airdrop", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = localnet.zkpay(home.path(), &keypair, &["wallet", "new"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = localnet.zkpay(
        home.path(),
        &keypair,
        &["--with-compute-unit-price", "2500", "deposit", "0.5"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Deposited 0.5 SOL"), "{text}");
    let line = text.lines().find(|l| l.contains("  transaction ")).unwrap();
    assert!(line.contains(" CU, proof "), "{line}");
    let signature: Signature = line
        .trim()
        .trim_start_matches("transaction ")
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    check_budget(&chain, signature, 2500).await;
}

/// A JSON-RPC proxy to the validator that answers `sendTransaction` as a
/// node dropping the transaction under load would: with its signature,
/// passing nothing on. Counts the sends.
struct DroppingProxy {
    url: String,
    sends: Arc<AtomicU32>,
}

impl DroppingProxy {
    fn start(upstream: u16) -> DroppingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sends = Arc::new(AtomicU32::new(0));
        let counter = sends.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    // The connection ends when either side closes it.
                    let _ = proxy_connection(client, upstream, &counter);
                });
            }
        });
        DroppingProxy { url, sends }
    }
}

fn proxy_connection(client: TcpStream, upstream: u16, sends: &AtomicU32) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let request = String::from_utf8_lossy(&body).into_owned();
        let response = if request.contains("\"method\":\"sendTransaction\"") {
            sends.fetch_add(1, Ordering::SeqCst);
            let id = json_field(&request, "\"id\":", |c| c.is_ascii_digit());
            let transaction = json_field(&request, "\"params\":[\"", |c| c != '"');
            let bytes = base64_decode(transaction);
            // Signature count (one), then the first signature.
            let signature = bs58::encode(&bytes[1..65]).into_string();
            format!("{{\"jsonrpc\":\"2.0\",\"result\":\"{signature}\",\"id\":{id}}}")
        } else {
            let mut node = TcpStream::connect(("127.0.0.1", upstream))?;
            write!(
                node,
                "POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )?;
            node.write_all(&body)?;
            let mut answer = Vec::new();
            node.read_to_end(&mut answer)?;
            let answer = String::from_utf8_lossy(&answer).into_owned();
            answer
                .split_once("\r\n\r\n")
                .map(|(_, body)| body.to_string())
                .unwrap_or_default()
        };
        write!(
            client,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{response}",
            response.len()
        )?;
        client.flush()?;
    }
}

/// The characters after `key` in `json` while `keep` holds.
fn json_field<'a>(json: &'a str, key: &str, keep: impl Fn(char) -> bool) -> &'a str {
    let start = json.find(key).expect("field in the request") + key.len();
    let rest = &json[start..];
    &rest[..rest.find(|c| !keep(c)).unwrap_or(rest.len())]
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().take_while(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    bytes
}

#[tokio::test]
async fn a_payment_is_sent_again_until_its_blockhash_expires() {
    let Some(localnet) = Localnet::acquire() else {
        return;
    };
    let mut chain = RpcChain::new(&localnet.url);
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice.db").await;
    let bob = WalletKeys::generate(&mut OsRng).1.address();
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();

    // Every send is dropped: the wallet keeps sending until the blockhash
    // expires (150 blocks, about a minute), then says so and frees the note.
    let proxy = DroppingProxy::start(PORT);
    let mut dropping = RpcChain::new(&proxy.url);
    let started = std::time::Instant::now();
    let error = alice
        .pay(&mut dropping, &bob, SOL_UNIT / 4, b"")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let &WalletError::Chain(ChainError::Expired { sends, seconds }) = &error else {
        panic!("expected an expiry, got: {error}");
    };
    println!("expired after {sends} sends over {seconds} s ({elapsed:?})");
    assert!(error.to_string().contains("blockhash expired"), "{error}");
    assert_eq!(proxy.sends.load(Ordering::SeqCst), sends);
    // 150 blocks of 400 ms, one send every RESEND_INTERVAL (plus polling).
    assert!(
        seconds >= 40 && u64::from(sends) >= seconds / (2 * RESEND_INTERVAL.as_secs()),
        "{sends} sends over {seconds} s: not sent again every {RESEND_INTERVAL:?} until the expiry"
    );

    // Nothing landed: the note is spendable again, with nothing pending.
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (SOL_UNIT, 0));
    let last = alice.history().unwrap().pop().unwrap();
    assert_eq!(last.kind, HistoryKind::Deposit, "no payment in the history");
    // And it pays normally.
    let receipts = alice
        .pay(&mut chain, &bob, SOL_UNIT / 4, b"")
        .await
        .unwrap();
    assert_eq!(
        chain.status(&receipts[0].signature).await.unwrap(),
        TransactionStatus::Succeeded
    );
    assert_eq!(alice.balance().unwrap().spendable, SOL_UNIT * 3 / 4);
}

#[tokio::test]
async fn a_wallet_is_bound_to_its_cluster() {
    let Some(localnet) = Localnet::acquire() else {
        return;
    };
    let mut chain = RpcChain::new(&localnet.url);
    let genesis = chain
        .genesis_hash()
        .await
        .unwrap()
        .expect("a cluster has one");
    let here = ClusterBinding {
        genesis_hash: Some(genesis),
        program_id: zkpay::ID,
    };
    let dir = TempDir::new().unwrap();

    // Bound at first use.
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let path = dir.path().join("local.db");
    let store = Store::create(&path, &phrase).unwrap();
    let payer = funded(&mut chain, 1).await;
    drop(Wallet::open(&mut chain, store, payer, &SOL).await.unwrap());
    assert_eq!(
        Store::open(&path).unwrap().cluster_binding().unwrap(),
        Some(here)
    );

    // A wallet of another cluster is refused.
    let mut store = Store::create(&dir.path().join("other.db"), &phrase).unwrap();
    let elsewhere = ClusterBinding {
        genesis_hash: Some(Hash::new_unique()),
        program_id: zkpay::ID,
    };
    store.bind_cluster(&elsewhere).unwrap();
    let error = Wallet::open(&mut chain, store, Keypair::new(), &SOL)
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(
            &error,
            WalletError::Store(StoreError::WrongCluster { bound, found })
                if *bound == elsewhere && *found == here
        ),
        "{error}"
    );

    // The command line says so: a wallet used on the embedded chain, then
    // pointed at the validator.
    let home = TempDir::new().unwrap();
    let (_, keypair) = keypair_file(home.path(), "payer.json");
    for args in [&["wallet", "new"][..], &["balance"]] {
        let out = zkpay(home.path(), args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = localnet.zkpay(home.path(), &keypair, &["balance"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains(&format!(
            "this wallet belongs to the embedded chain with program {}, not to the cluster with genesis hash {genesis}",
            zkpay::ID
        )),
        "{text}"
    );
    assert!(text.contains("pass the --url it was made with"), "{text}");
}

#[test]
fn public_clusters_are_refused_while_the_keys_are_the_development_ones() {
    let home = TempDir::new().unwrap();
    for (url, name) in [
        ("mainnet-beta", "mainnet-beta"),
        ("https://api.mainnet-beta.solana.com", "mainnet-beta"),
        ("devnet", "devnet"),
        ("t", "testnet"),
        ("https://rpc.example.com", "https://rpc.example.com"),
    ] {
        let out = zkpay(home.path(), &["--url", url, "balance"]);
        assert!(!out.status.success(), "{url}");
        let text = stderr(&out);
        for expected in [
            &format!("refusing {name}: this build of zkpay is for development only")[..],
            "the program id CHX54C3F4wvBCYX5usizzTzxpZHYZZyQDHwBDG8iEmh4 is the development keypair",
            "the verifying key comes from the single-party development setup, whose randomness is a public seed",
            "multi-party ceremony",
        ] {
            assert!(text.contains(expected), "{url}: expected {expected:?} in:\n{text}");
        }
        assert!(
            !text.contains("cannot reach"),
            "{url}: refused before connecting: {text}"
        );
    }
}

#[tokio::test]
async fn a_program_error_is_shown_by_name_meaning_and_what_to_do() {
    let Some(localnet) = Localnet::acquire() else {
        return;
    };
    // The pool is open (Localnet::acquire): opening it again fails in the
    // program, with PoolAlreadyInitialized.
    let home = TempDir::new().unwrap();
    let (_, keypair) = keypair_file(home.path(), "payer.json");
    let out = localnet.zkpay(home.path(), &keypair, &["airdrop", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = localnet.zkpay(home.path(), &keypair, &["pool", "open"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    for expected in [
        "error: the zkpay program refused the transaction: PoolAlreadyInitialized (error 6011)",
        "meaning: this asset's pool is already initialised",
        "nothing changed on-chain",
        "what to do: nothing: the pool of this asset is already open, use it",
    ] {
        assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
    }
    assert!(!text.contains("custom program error"), "{text}");
    assert!(!text.contains("0x"), "{text}");
}
