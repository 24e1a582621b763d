//! `zkpay-circuits`: trusted setup, key export, an end-to-end proof, and the
//! prover benchmark.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use ark_groth16::ProvingKey;
use ark_serialize::CanonicalSerialize;
use clap::{Parser, Subcommand};
use rand::rngs::OsRng;
use zkpay_circuits::codegen::{
    funds_verifying_key_source, verifying_key_source, zero_hashes_source, FUNDS_VERIFYING_KEY_FILE,
    VERIFYING_KEY_FILE, ZERO_HASHES_FILE,
};
use zkpay_circuits::export::circom::circom_input;
use zkpay_circuits::export::snarkjs::{proof_json, public_inputs_json, verifying_key_json};
use zkpay_circuits::export::solana::{proof_to_solana, SolanaVerifyingKey};
use zkpay_circuits::funds::{
    challenge_value, statement_hash as funds_statement_hash, verify_funds, CHALLENGE_DOMAIN,
    FUNDS_NOTES,
};
use zkpay_circuits::prover::FundsProver;
use zkpay_circuits::prover::TransferProver;
use zkpay_circuits::scenario::alice_proves_funds;
use zkpay_circuits::scenario::{alice_pays_bob, PAYMENT};
use zkpay_circuits::setup::{
    default_key_dir, funds_proving_key_path, generate_funds_proving_key, generate_proving_key,
    proving_key_path, write_atomically, DEVELOPMENT_SEED, FUNDS_DEVELOPMENT_SEED,
};
use zkpay_circuits::transfer::PublicInputMode;
use zkpay_circuits::Bn254;
use zkpay_core::public_inputs::STATEMENT_VALUES;
use zkpay_core::verifier::verify_transfer;

#[derive(Parser)]
#[command(
    name = "zkpay-circuits",
    about = "zkpay's transfer circuit: setup, proofs, benchmark"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the development setup from its seed, cache the proving key and
    /// write the generated verifying key and zero hashes into zkpay-core.
    Setup {
        /// Workspace root to write the generated sources into.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/.."))]
        workspace: PathBuf,
    },
    /// Prove one private payment end to end and verify it as the program does.
    Demo,
    /// Export a fresh proof, its public inputs and the verifying key as
    /// snarkjs JSON files into a folder.
    ExportSnarkjs {
        /// Output folder.
        out: PathBuf,
    },
    /// Export a fixed proof of funds as snarkjs JSON files, with its public
    /// values in `statement.json`, into a folder (checked by
    /// bench/peers/check-funds.mjs).
    ExportFundsSnarkjs {
        /// Output folder.
        out: PathBuf,
    },
    /// For the peer benchmark (bench/peers): prove a fixed payment and write
    /// its circom input, our proof with the verifying key and public inputs
    /// as snarkjs JSON, and a line of JSON with our figures.
    Peer {
        /// Output folder.
        dir: PathBuf,
        /// Timed proofs (after one warm-up).
        #[arg(long, default_value_t = 1)]
        runs: usize,
    },
    /// For the peer benchmark (bench/peers): prove circom's compiled
    /// transfer circuit with stock arkworks Groth16 (a circuit-specific
    /// setup from a fixed seed), from the witness snarkjs computed, and
    /// print a line of JSON with the figures.
    PeerArkworks {
        /// circom's `.r1cs` file.
        r1cs: PathBuf,
        /// snarkjs' `.wtns` file for it.
        wtns: PathBuf,
        /// Timed proofs (after one warm-up).
        #[arg(long, default_value_t = 1)]
        runs: usize,
    },
    /// Measure constraints, proving and verification time, key size and
    /// memory, for the hashed (deployed) and direct public-input layouts.
    Bench {
        /// Proofs per layout.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Time each step of a proof beside the same MSM and FFT work alone,
    /// with the prover's tables, halo2curves and arkworks: the prover's
    /// distance from its floor.
    Floor {
        /// Runs per measurement (medians).
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Setup { workspace } => setup(&workspace),
        Command::Demo => demo(),
        Command::ExportSnarkjs { out } => export_snarkjs(&out),
        Command::ExportFundsSnarkjs { out } => export_funds_snarkjs(&out),
        Command::Peer { dir, runs } => peer(&dir, runs),
        Command::PeerArkworks { r1cs, wtns, runs } => peer_arkworks(&r1cs, &wtns, runs),
        Command::Bench { runs } => bench(runs),
        Command::Floor { runs } => floor(runs),
    }
}

fn load_prover() -> Result<TransferProver> {
    let dir = default_key_dir();
    if !proving_key_path(&dir, &SolanaVerifyingKey::committed()).exists() {
        eprintln!(
            "No cached proving key in {}: regenerating it from the development seed...",
            dir.display()
        );
    }
    TransferProver::load().context("cannot load the transfer proving key")
}

fn setup(workspace: &Path) -> Result<()> {
    let started = Instant::now();
    let pk = generate_proving_key(PublicInputMode::Hashed, DEVELOPMENT_SEED)?;
    println!("setup: {:.1} s", started.elapsed().as_secs_f64());
    let vk = SolanaVerifyingKey::from_arkworks(&pk.vk);
    for (file, source) in [
        (
            VERIFYING_KEY_FILE,
            verifying_key_source(&vk, DEVELOPMENT_SEED),
        ),
        (ZERO_HASHES_FILE, zero_hashes_source()),
    ] {
        let path = workspace.join(file);
        std::fs::write(&path, source)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    let key_path = proving_key_path(&default_key_dir(), &vk);
    write_atomically(&key_path, &pk)?;
    println!(
        "proving key: {} ({} bytes)",
        key_path.display(),
        pk.uncompressed_size()
    );

    let funds_pk = generate_funds_proving_key(FUNDS_DEVELOPMENT_SEED)?;
    let funds_vk = SolanaVerifyingKey::from_arkworks(&funds_pk.vk);
    let path = workspace.join(FUNDS_VERIFYING_KEY_FILE);
    std::fs::write(
        &path,
        funds_verifying_key_source(&funds_vk, FUNDS_DEVELOPMENT_SEED),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    let key_path = funds_proving_key_path(&default_key_dir(), &funds_vk);
    write_atomically(&key_path, &funds_pk)?;
    println!(
        "proof-of-funds proving key: {} ({} bytes)",
        key_path.display(),
        funds_pk.uncompressed_size()
    );
    println!("WARNING: a single-party setup from a public seed lets anyone forge proofs; production needs a multi-party ceremony.");
    Ok(())
}

fn demo() -> Result<()> {
    let mut rng = OsRng;
    let started = Instant::now();
    let prover = load_prover()?;
    println!(
        "1. proving key ready ({} constraints) in {:.2} s",
        prover.num_constraints(),
        started.elapsed().as_secs_f64()
    );

    let scenario = alice_pays_bob(500, &mut rng);
    println!(
        "2. tree of {} notes built; Alice owns two of them ({} and {} base units)",
        scenario.tree.len(),
        scenario.witness.inputs[0].note.amount,
        scenario.witness.inputs[1].note.amount
    );

    let started = Instant::now();
    let (proof, public_inputs) = prover.prove_transfer(&scenario.witness, &mut rng)?;
    println!(
        "3. Alice proves she pays Bob {PAYMENT} base units: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let started = Instant::now();
    verify_transfer(&proof, &public_inputs).context("the proof must verify")?;
    println!(
        "4. verified with groth16-solana (host backend of the on-chain verifier): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "   proof: {} bytes; public values: {} field elements hashed into 1 Groth16 input",
        proof.to_bytes().len(),
        STATEMENT_VALUES
    );

    let mut tampered = public_inputs;
    tampered.ext_data_hash[31] ^= 1;
    match verify_transfer(&proof, &tampered) {
        Err(err) => {
            println!("5. the same proof with a changed external-data hash is rejected: {err}")
        }
        Ok(()) => bail!("a tampered public input was accepted"),
    }
    println!(
        "   an observer sees two nullifiers and two commitments; not who paid whom, nor how much."
    );
    Ok(())
}

fn export_snarkjs(out: &Path) -> Result<()> {
    let mut rng = OsRng;
    let prover = load_prover()?;
    let circuit = alice_pays_bob(4, &mut rng)
        .witness
        .circuit(PublicInputMode::Hashed);
    let proof = prover.prove(circuit.clone(), &mut rng)?;
    write_snarkjs(out, &prover, &circuit, &proof)
}

/// Challenge text of the exported and benchmarked proofs of funds.
const EXPORT_CHALLENGE: &str = "exchange KYC 2026-12-05, ticket 4417";
/// Pool address of the exported and benchmarked proofs of funds.
const EXPORT_POOL: [u8; 32] = [7u8; 32];

fn export_funds_snarkjs(out: &Path) -> Result<()> {
    use rand::SeedableRng;
    let prover = FundsProver::load().context("cannot load the proof-of-funds proving key")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(PEER_SEED);
    let challenge = challenge_value(&EXPORT_POOL, EXPORT_CHALLENGE);
    let witness = alice_proves_funds(8, 1_400_000_000, challenge, &mut rng).witness;
    let circuit = witness.circuit();
    let proof = prover.prove(circuit.clone(), &mut OsRng)?;
    if !prover.verify(&proof, &circuit.public_inputs()) {
        bail!("the proof of funds does not verify");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let vk = verifying_key_json(&prover.proving_key().vk);
    write_json(&out.join("verification_key.json"), &vk)?;
    write_json(&out.join("proof.json"), &proof_json(&proof))?;
    write_json(
        &out.join("public.json"),
        &public_inputs_json(&[funds_statement_hash(&circuit.statement)]),
    )?;
    write_json(
        &out.join("statement.json"),
        &public_inputs_json(&circuit.statement.to_array()),
    )?;
    write_json(
        &out.join("challenge.json"),
        &serde_json::json!({
            "domain": String::from_utf8_lossy(CHALLENGE_DOMAIN),
            "pool": EXPORT_POOL.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "text": EXPORT_CHALLENGE,
        }),
    )?;
    eprintln!(
        "wrote verification_key.json, proof.json, public.json, statement.json, challenge.json to {}",
        out.display()
    );
    Ok(())
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(value)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_snarkjs(
    out: &Path,
    prover: &TransferProver,
    circuit: &zkpay_circuits::transfer::TransferCircuit,
    proof: &ark_groth16::Proof<Bn254>,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let vk = verifying_key_json(&prover.proving_key().vk);
    write_json(&out.join("verification_key.json"), &vk)?;
    write_json(&out.join("proof.json"), &proof_json(proof))?;
    write_json(
        &out.join("public.json"),
        &public_inputs_json(&circuit.public_inputs()),
    )?;
    eprintln!(
        "wrote verification_key.json, proof.json, public.json to {}",
        out.display()
    );
    Ok(())
}

/// Seed of the payment both provers of the peer benchmark prove.
const PEER_SEED: u64 = 2026;

fn peer(dir: &Path, runs: usize) -> Result<()> {
    use rand::SeedableRng;
    let prover = load_prover()?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(PEER_SEED);
    let circuit = alice_pays_bob(64, &mut rng)
        .witness
        .circuit(PublicInputMode::Hashed);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_json(&dir.join("input.json"), &circom_input(&circuit))?;

    let mut proof = prover.prove(circuit.clone(), &mut OsRng)?;
    reset_peak_rss();
    let mut prove_ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        proof = prover.prove(circuit.clone(), &mut OsRng)?;
        prove_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let peak_kb = peak_rss_kb();
    let started = Instant::now();
    if !prover.verify(&proof, &circuit.public_inputs()) {
        bail!("our proof does not verify");
    }
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    write_snarkjs(dir, &prover, &circuit, &proof)?;
    let figures = serde_json::json!({
        "constraints": prover.num_constraints(),
        "prove_ms": prove_ms,
        "verify_ms": verify_ms,
        "peak_rss_kb": peak_kb,
        "proof_bytes": zkpay_core::proof::TransferProof::SIZE,
    });
    println!("{figures}");
    Ok(())
}

fn peer_arkworks(r1cs: &Path, wtns: &Path, runs: usize) -> Result<()> {
    use ark_groth16::Groth16;
    use ark_snark::SNARK;
    use rand::SeedableRng;
    use zkpay_circuits::export::iden3::{parse_witness, CircomCircuit, CircomR1cs};
    let read = |path: &Path| {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let r1cs = CircomR1cs::parse(&read(r1cs)?).context("cannot parse the .r1cs file")?;
    let witness = parse_witness(&read(wtns)?).context("cannot parse the .wtns file")?;
    if witness.len() != r1cs.wires as usize {
        bail!(
            "the witness has {} values for {} wires",
            witness.len(),
            r1cs.wires
        );
    }
    let public = &witness[1..=r1cs.public as usize];
    let mut rng = rand::rngs::StdRng::seed_from_u64(PEER_SEED);
    let started = Instant::now();
    let setup = CircomCircuit {
        r1cs: &r1cs,
        witness: None,
    };
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(setup, &mut rng)?;
    let setup_ms = started.elapsed().as_secs_f64() * 1e3;
    let circuit = CircomCircuit {
        r1cs: &r1cs,
        witness: Some(&witness),
    };
    let mut proof = Groth16::<Bn254>::prove(&pk, circuit.clone(), &mut rng)?;
    reset_peak_rss();
    let mut prove_ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        proof = Groth16::<Bn254>::prove(&pk, circuit.clone(), &mut rng)?;
        prove_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let peak_kb = peak_rss_kb();
    let started = Instant::now();
    if !Groth16::<Bn254>::verify(&vk, public, &proof)? {
        bail!("the arkworks proof of circom's circuit does not verify");
    }
    let verify_ms = started.elapsed().as_secs_f64() * 1e3;
    let figures = serde_json::json!({
        "constraints": r1cs.constraints.len(),
        "setup_ms": setup_ms,
        "prove_ms": prove_ms,
        "verify_ms": verify_ms,
        "peak_rss_kb": peak_kb,
    });
    println!("{figures}");
    Ok(())
}

/// Published compute-unit prices of the syscalls the verifier makes.
mod syscall_prices {
    pub const G1_ADD: u64 = 334;
    pub const G1_MUL: u64 = 3_840;
    pub const PAIRING_FIRST: u64 = 36_364;
    pub const PAIRING_OTHER: u64 = 12_121;
    pub const POSEIDON_A: u64 = 61;
    pub const POSEIDON_C: u64 = 542;
}

fn estimated_verify_cu(mode: PublicInputMode) -> u64 {
    use syscall_prices::*;
    let pairing = PAIRING_FIRST + 3 * PAIRING_OTHER;
    match mode {
        PublicInputMode::Direct => pairing + STATEMENT_VALUES as u64 * (G1_MUL + G1_ADD),
        PublicInputMode::Hashed => {
            let n = STATEMENT_VALUES as u64;
            pairing + (G1_MUL + G1_ADD) + POSEIDON_A * n * n + POSEIDON_C
        }
    }
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// Peak resident memory of this process (kB), from /proc.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak-memory mark so the next reading covers what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Row {
    mode: PublicInputMode,
    constraints: usize,
    public_inputs: usize,
    setup: Duration,
    pk_bytes: usize,
    prove: Vec<Duration>,
    verify: Duration,
    peak_kb: Option<u64>,
}

fn bench_mode(mode: PublicInputMode, runs: usize) -> Result<Row> {
    let mut rng = OsRng;
    let started = Instant::now();
    let pk: ProvingKey<Bn254> = generate_proving_key(mode, DEVELOPMENT_SEED)?;
    let setup = started.elapsed();
    let pk_bytes = pk.uncompressed_size();
    let prover = TransferProver::new(mode, pk)?;
    let scenario = alice_pays_bob(64, &mut rng);
    let circuit = scenario.witness.circuit(mode);
    let public = circuit.public_inputs();

    // One warm-up proof, then the measured ones.
    let proof = prover.prove(circuit.clone(), &mut rng)?;
    reset_peak_rss();
    let mut prove = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let proof = prover.prove(circuit.clone(), &mut rng)?;
        prove.push(started.elapsed());
        std::hint::black_box(proof);
    }
    let peak_kb = peak_rss_kb();

    let mut verify = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let ok = prover.verify(&proof, &public);
        verify.push(started.elapsed());
        if !ok {
            bail!("benchmark proof does not verify");
        }
    }
    if mode == PublicInputMode::Hashed {
        verify_transfer(&proof_to_solana(&proof), &scenario.witness.public_inputs())
            .context("groth16-solana rejects the benchmark proof")?;
    }
    Ok(Row {
        mode,
        constraints: prover.num_constraints(),
        public_inputs: public.len(),
        setup,
        pk_bytes,
        prove,
        verify: median(&mut verify),
        peak_kb,
    })
}

fn bench(runs: usize) -> Result<()> {
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    println!(
        "zkpay transfer circuit (2 inputs, 2 outputs, tree depth {}), {} proofs per layout, {} threads, MSM additions: {}",
        zkpay_core::constants::TREE_DEPTH,
        runs,
        rayon_threads(),
        zkpay_circuits::prover::msm_arithmetic()
    );
    let rows = [
        bench_mode(PublicInputMode::Hashed, runs)?,
        bench_mode(PublicInputMode::Direct, runs)?,
    ];
    println!();
    println!("| layout | constraints | Groth16 public inputs | setup (s) | proving key (MB) | prove median (ms) | prove min..max (ms) | verify native (ms) | on-chain verify (CU, est.) | prover peak RSS (MB) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let mut prove = row.prove.clone();
        let median = median(&mut prove);
        println!(
            "| {:?}{} | {} | {} | {:.1} | {:.1} | {} | {}..{} | {} | {} | {} |",
            row.mode,
            if row.mode == PublicInputMode::Hashed {
                " (deployed)"
            } else {
                ""
            },
            row.constraints,
            row.public_inputs,
            row.setup.as_secs_f64(),
            row.pk_bytes as f64 / 1e6,
            ms(median),
            ms(prove[0]),
            ms(prove[prove.len() - 1]),
            ms(row.verify),
            estimated_verify_cu(row.mode),
            row.peak_kb
                .map_or("n/a".into(), |kb| format!("{:.0}", kb as f64 / 1024.0)),
        );
    }
    bench_funds(runs)?;
    println!();
    println!("On-chain CU are estimated from published syscall prices (pairing 36,364 + 3 x 12,121; G1 mul 3,840 + add 334 per public input; Poseidon 61 n^2 + 542); the SBF build measures them.");
    Ok(())
}

/// The proof-of-funds row: Alice's three notes and a dummy among 128
/// foreign leaves, proved `runs` times after a warm-up.
fn bench_funds(runs: usize) -> Result<()> {
    let mut rng = OsRng;
    let started = Instant::now();
    let prover = FundsProver::load().context("cannot load the proof-of-funds proving key")?;
    let load = started.elapsed();
    let challenge = challenge_value(&EXPORT_POOL, EXPORT_CHALLENGE);
    let witness = alice_proves_funds(64, 1_400_000_000, challenge, &mut rng).witness;
    let circuit = witness.circuit();
    let proof = prover.prove(circuit.clone(), &mut rng)?;
    let mut prove = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(prover.prove(circuit.clone(), &mut rng)?);
        prove.push(started.elapsed());
    }
    let solana = proof_to_solana(&proof);
    let mut verify = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        verify_funds(&solana, &circuit.statement)
            .context("groth16-solana rejects the benchmark proof of funds")?;
        verify.push(started.elapsed());
    }
    let prove_median = median(&mut prove);
    println!();
    println!(
        "| proof of funds ({FUNDS_NOTES} notes) | constraints | prover load (ms) | prove median (ms) | prove min..max (ms) | verify, groth16-solana code (ms) | proof (bytes) |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| committed key | {} | {} | {} | {}..{} | {} | {} |",
        prover.num_constraints(),
        ms(load),
        ms(prove_median),
        ms(prove[0]),
        ms(prove[prove.len() - 1]),
        ms(median(&mut verify)),
        zkpay_core::proof::TransferProof::SIZE
    );
    Ok(())
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn floor(runs: usize) -> Result<()> {
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let mut rng = OsRng;
    let started = Instant::now();
    let prover = TransferProver::load().context("cannot load the transfer proving key")?;
    let load = started.elapsed();
    let circuit = alice_pays_bob(64, &mut rng)
        .witness
        .circuit(PublicInputMode::Hashed);
    let report = zkpay_circuits::prover::floor::measure(&prover, &circuit, runs, &mut rng)?;
    println!(
        "zkpay transfer proof against its floor: {} constraints, {} threads, MSM additions: {}, medians of {} runs; prover load {} ms, MSM tables {:.1} MB",
        prover.num_constraints(),
        rayon_threads(),
        zkpay_circuits::prover::msm_arithmetic(),
        runs,
        ms(load),
        prover.table_bytes() as f64 / 1e6
    );
    println!();
    println!("| step | size | in the proof (ms) | ours alone (ms) | halo2curves alone (ms) | arkworks alone (ms) | floor (ms) |");
    println!("|---|---|---|---|---|---|---|");
    println!("| witness synthesis | | {} | | | | |", ms(report.witness));
    let mut floor_sum = report.witness;
    for row in &report.rows {
        floor_sum += row.floor();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.step,
            row.size,
            ms(row.in_proof),
            ms(row.ours),
            ms(row.halo2curves),
            ms(row.arkworks),
            ms(row.floor())
        );
    }
    println!(
        "| whole proof | | {} | | | | {} |",
        ms(report.proof),
        ms(floor_sum)
    );
    println!();
    println!(
        "The proof takes {:.2}x its floor (witness synthesis plus the fastest time alone of each step).",
        report.proof.as_secs_f64() / floor_sum.as_secs_f64()
    );
    Ok(())
}
