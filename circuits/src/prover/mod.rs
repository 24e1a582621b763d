//! Proving transfers.
//!
//! Groth16 as in ark-groth16 (libsnark QAP reduction), with three changes
//! that matter for speed:
//! - the constraint matrices are built once per prover; each proof only
//!   computes the witness (synthesis without building constraints);
//! - the QAP's seven FFTs run on halo2curves' FFT ([`qap`]);
//! - the five multi-scalar multiplications run over tables of the proving
//!   key's bases with their shifted copies, precomputed once per prover
//!   ([`fixed`]): no doublings, one shared set of buckets, batched affine
//!   additions, eight at a time with AVX-512 IFMA where the CPU has it
//!   ([`msm_arithmetic`]). [`floor`] times each step against the same work
//!   alone.

mod cache;
mod fixed;
pub mod floor;
mod funds;
mod msm;
mod qap;

pub use self::funds::{FundsProveError, FundsProver};

/// How the MSMs' batched affine additions run on this machine: eight at
/// a time with AVX-512 IFMA where the CPU has it (set `ZKPAY_MSM_SCALAR`
/// to compare), else one at a time with halo2curves' field arithmetic.
pub fn msm_arithmetic() -> &'static str {
    if fixed::vectorized() {
        "AVX-512 IFMA, 8 lanes"
    } else {
        "scalar"
    }
}

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, Proof, ProvingKey};
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use std::path::Path;
use std::time::{Duration, Instant};
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;

use self::fixed::Layout;
use self::msm::{to_halo_scalars, FixedBases, G1, G2};
use self::qap::Qap;
use crate::export::solana::{proof_to_solana, SolanaVerifyingKey};
use crate::setup::{default_key_dir, load_or_generate_proving_key, KeyError};
use crate::transfer::{PublicInputMode, StatementError, TransferCircuit, TransferWitness};

/// Why no proof was produced.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The witness does not satisfy the statement; no proof exists.
    #[error("the transfer is invalid: {0}")]
    Statement(#[from] StatementError),
    /// The circuit's public-input mode is not the prover's.
    #[error("the circuit uses {circuit:?} public inputs but the key is for {key:?}")]
    ModeMismatch {
        /// The circuit's mode.
        circuit: PublicInputMode,
        /// The key's mode.
        key: PublicInputMode,
    },
    /// Synthesis or the prover failed.
    #[error("proving failed: {0}")]
    Synthesis(#[from] SynthesisError),
}

/// Table layout of the G1 queries: 13-bit digits, every other window
/// stored (half the memory of all windows for about 10% more time).
pub(crate) const G1_LAYOUT: Layout = Layout {
    window: 13,
    stride: 2,
};

/// Table layout of the G2 query: 13-bit digits, every window stored (the
/// costliest MSM; a stride of 2 costs it 20% more).
pub(crate) const G2_LAYOUT: Layout = Layout {
    window: 13,
    stride: 1,
};

/// The proving key's MSM bases, in the fast backend's form.
struct QueryBases {
    /// `a_query[1..]`, `b_g1_query[1..]`, `b_g2_query[1..]`: one per input
    /// and witness variable (index 0, the constant one, is added directly).
    a: FixedBases<G1>,
    b_g1: FixedBases<G1>,
    b_g2: FixedBases<G2>,
    /// One per coefficient of h.
    h: FixedBases<G1>,
    /// One per witness variable.
    l: FixedBases<G1>,
}

impl QueryBases {
    fn new(pk: &ProvingKey<Bn254>) -> Self {
        QueryBases {
            a: FixedBases::new(&pk.a_query[1..], G1_LAYOUT),
            b_g1: FixedBases::new(&pk.b_g1_query[1..], G1_LAYOUT),
            b_g2: FixedBases::new(&pk.b_g2_query[1..], G2_LAYOUT),
            h: FixedBases::new(&pk.h_query, G1_LAYOUT),
            l: FixedBases::new(&pk.l_query, G1_LAYOUT),
        }
    }

    /// The five tables, one after the other.
    fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes() + 5 * 16);
        self.a.write(&mut out);
        self.b_g1.write(&mut out);
        self.b_g2.write(&mut out);
        self.h.write(&mut out);
        self.l.write(&mut out);
        out
    }

    /// The tables of `pk` from what [`Self::write`] wrote, if they are.
    fn read(pk: &ProvingKey<Bn254>, mut body: &[u8]) -> Option<Self> {
        let bases = QueryBases {
            a: FixedBases::read(&pk.a_query[1..], G1_LAYOUT, &mut body)?,
            b_g1: FixedBases::read(&pk.b_g1_query[1..], G1_LAYOUT, &mut body)?,
            b_g2: FixedBases::read(&pk.b_g2_query[1..], G2_LAYOUT, &mut body)?,
            h: FixedBases::read(&pk.h_query, G1_LAYOUT, &mut body)?,
            l: FixedBases::read(&pk.l_query, G1_LAYOUT, &mut body)?,
        };
        body.is_empty().then_some(bases)
    }

    /// Bytes held by the tables.
    fn bytes(&self) -> usize {
        self.a.table_bytes()
            + self.b_g1.table_bytes()
            + self.b_g2.table_bytes()
            + self.h.table_bytes()
            + self.l.table_bytes()
    }
}

/// Where a proof's time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProvingTimes {
    /// Synthesis of the witness.
    pub witness: Duration,
    /// The QAP reduction: h's coefficients (seven FFTs of the domain).
    pub qap: Duration,
    /// The MSM of A in G1.
    pub a: Duration,
    /// The MSM of B in G1.
    pub b_g1: Duration,
    /// The MSM of B in G2.
    pub b_g2: Duration,
    /// The MSM of C's part over h's coefficients.
    pub h: Duration,
    /// The MSM of C's part over the witness.
    pub l: Duration,
}

/// A proving key with its constraint matrices and MSM tables: proves any
/// assignment of the circuit it was made for.
pub(crate) struct Engine {
    pk: ProvingKey<Bn254>,
    pvk: PreparedVerifyingKey<Bn254>,
    /// Constraints, instance and witness variables of the circuit.
    num_constraints: usize,
    num_instance_variables: usize,
    num_witness_variables: usize,
    qap: Qap,
    bases: QueryBases,
    tables_cached: bool,
}

impl Engine {
    /// The engine for `pk`, a key of `blank`'s circuit, with `bases` its
    /// tables.
    fn new<C: ConstraintSynthesizer<Fr>>(
        pk: ProvingKey<Bn254>,
        blank: C,
        bases: QueryBases,
        tables_cached: bool,
    ) -> Result<Self, SynthesisError> {
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        blank.generate_constraints(cs.clone())?;
        cs.finalize();
        let matrices = cs.to_matrices().ok_or(SynthesisError::MissingCS)?;
        let pvk = prepare_verifying_key(&pk.vk);
        let qap = Qap::new(&matrices);
        Ok(Engine {
            pk,
            pvk,
            num_constraints: matrices.num_constraints,
            num_instance_variables: matrices.num_instance_variables,
            num_witness_variables: matrices.num_witness_variables,
            qap,
            bases,
            tables_cached,
        })
    }

    /// The engine for `pk`, with its tables read from `tables` if sound,
    /// else computed and written there (a failed write only costs the next
    /// process the computation).
    fn with_cached_tables<C: ConstraintSynthesizer<Fr>>(
        pk: ProvingKey<Bn254>,
        blank: C,
        tables: &Path,
    ) -> Result<Self, SynthesisError> {
        let (bases, cached) = match cache::read_tables(tables, &pk) {
            Some(bases) => (bases, true),
            None => {
                let bases = QueryBases::new(&pk);
                let _ = cache::write_tables(tables, &bases);
                (bases, false)
            }
        };
        Self::new(pk, blank, bases, cached)
    }

    /// Synthesises `circuit`'s witness and proves it, timing each step.
    fn prove_timed<C: ConstraintSynthesizer<Fr>, R: RngCore + CryptoRng>(
        &self,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, ProvingTimes), SynthesisError> {
        let mut times = ProvingTimes::default();
        let started = Instant::now();
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
        });
        circuit.generate_constraints(cs.clone())?;
        let cs = cs.into_inner().ok_or(SynthesisError::MissingCS)?;
        let num_inputs = cs.instance_assignment.len();
        if num_inputs != self.num_instance_variables
            || cs.witness_assignment.len() != self.num_witness_variables
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let full_assignment: Vec<Fr> = cs
            .instance_assignment
            .iter()
            .chain(&cs.witness_assignment)
            .copied()
            .collect();
        times.witness = started.elapsed();
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        let proof = self
            .create_proof(r, s, num_inputs, &full_assignment, &mut times)
            .ok_or(SynthesisError::Unsatisfiable)?;
        Ok((proof, times))
    }

    /// The Groth16 proof with randomness `r`, `s` for `full_assignment`
    /// (the constant one, the inputs, then the witness), computed as
    /// ark-groth16's prover does:
    /// A = alpha + sum a_i(tau) w_i + r delta, B likewise with beta and s,
    /// C = sum l_i w_i + h(tau) t(tau) / delta + s A + r B - r s delta.
    fn create_proof(
        &self,
        r: Fr,
        s: Fr,
        num_inputs: usize,
        full_assignment: &[Fr],
        times: &mut ProvingTimes,
    ) -> Option<Proof<Bn254>> {
        let pk = &self.pk;
        let mut clock = Instant::now();
        let mut lap = || {
            let now = Instant::now();
            let elapsed = now - clock;
            clock = now;
            elapsed
        };
        let full_assignment = to_halo_scalars(full_assignment);
        let h = self.qap.h(&full_assignment);
        let assignment = &full_assignment[1..];
        let witness = &assignment[num_inputs - 1..];
        times.qap = lap();

        let a: G1Projective =
            pk.vk.alpha_g1 + pk.a_query[0] + self.bases.a.msm(assignment)? + pk.delta_g1 * r;
        times.a = lap();
        let b_g1: G1Projective =
            pk.beta_g1 + pk.b_g1_query[0] + self.bases.b_g1.msm(assignment)? + pk.delta_g1 * s;
        times.b_g1 = lap();
        let b_g2: G2Projective = pk.vk.beta_g2
            + pk.b_g2_query[0]
            + self.bases.b_g2.msm(assignment)?
            + pk.vk.delta_g2 * s;
        times.b_g2 = lap();
        let h = self.bases.h.msm(&h)?;
        times.h = lap();
        let c: G1Projective =
            self.bases.l.msm(witness)? + h + a * s + b_g1 * r - pk.delta_g1 * (r * s);
        times.l = lap();
        Some(Proof {
            a: a.into_affine(),
            b: b_g2.into_affine(),
            c: c.into_affine(),
        })
    }

    /// Verifies `proof` natively (arkworks) for the Groth16 public inputs.
    fn verify(&self, proof: &Proof<Bn254>, public_inputs: &[Fr]) -> bool {
        Groth16::<Bn254>::verify_proof(&self.pvk, proof, public_inputs).unwrap_or(false)
    }
}

/// A proving key with its constraint matrices, ready to prove transfers.
pub struct TransferProver {
    mode: PublicInputMode,
    engine: Engine,
}

impl TransferProver {
    /// A prover for `pk`, a key for the `mode` circuit (its MSM tables
    /// computed, about two seconds on 2 cores).
    pub fn new(mode: PublicInputMode, pk: ProvingKey<Bn254>) -> Result<Self, SynthesisError> {
        let bases = QueryBases::new(&pk);
        let engine = Engine::new(pk, TransferCircuit::blank(mode), bases, false)?;
        Ok(TransferProver { mode, engine })
    }

    /// The prover for the deployed (hashed) circuit, with the proving key of
    /// the committed verifying key from the cache ([`default_key_dir`]),
    /// generated on first use.
    pub fn load() -> Result<Self, KeyError> {
        Self::load_from(&default_key_dir())
    }

    /// [`Self::load`] with the key cache in `dir`, where the MSM tables are
    /// cached too: read if sound, else computed and written.
    pub fn load_from(dir: &Path) -> Result<Self, KeyError> {
        let pk = load_or_generate_proving_key(dir)?;
        let tables = cache::tables_path(dir, "transfer", &SolanaVerifyingKey::committed());
        let mode = PublicInputMode::Hashed;
        let engine = Engine::with_cached_tables(pk, TransferCircuit::blank(mode), &tables)?;
        Ok(TransferProver { mode, engine })
    }

    /// Whether the MSM tables were read from the cache rather than computed.
    pub fn tables_cached(&self) -> bool {
        self.engine.tables_cached
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.engine.pk
    }

    /// Bytes held by the precomputed MSM tables.
    pub fn table_bytes(&self) -> usize {
        self.engine.bases.bytes()
    }

    /// Number of instance variables (the constant one and the inputs).
    pub fn num_instance_variables(&self) -> usize {
        self.engine.num_instance_variables
    }

    /// Number of R1CS constraints of the circuit.
    pub fn num_constraints(&self) -> usize {
        self.engine.num_constraints
    }

    /// Proves `circuit` after checking it natively, so an invalid transfer
    /// gets a typed error rather than a proof that fails to verify.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        circuit: TransferCircuit,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, ProveError> {
        if circuit.mode != self.mode {
            return Err(ProveError::ModeMismatch {
                circuit: circuit.mode,
                key: self.mode,
            });
        }
        circuit.check()?;
        self.prove_unchecked(circuit, rng)
    }

    /// Proves `circuit` without the native check: the proof of an invalid
    /// assignment does not verify. For tests that show exactly that.
    pub fn prove_unchecked<R: RngCore + CryptoRng>(
        &self,
        circuit: TransferCircuit,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, ProveError> {
        self.prove_timed(circuit, rng).map(|(proof, _)| proof)
    }

    /// [`Self::prove_unchecked`], with the time each step took.
    pub fn prove_timed<R: RngCore + CryptoRng>(
        &self,
        circuit: TransferCircuit,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, ProvingTimes), ProveError> {
        Ok(self.engine.prove_timed(circuit, rng)?)
    }

    /// Proves a transfer and returns the proof in groth16-solana's layout
    /// with the public values the program must be given.
    pub fn prove_transfer<R: RngCore + CryptoRng>(
        &self,
        witness: &TransferWitness,
        rng: &mut R,
    ) -> Result<(TransferProof, TransferPublicInputs), ProveError> {
        let proof = self.prove(witness.circuit(self.mode), rng)?;
        Ok((proof_to_solana(&proof), witness.public_inputs()))
    }

    /// Verifies `proof` natively (arkworks) for the Groth16 public inputs.
    pub fn verify(&self, proof: &Proof<Bn254>, public_inputs: &[Fr]) -> bool {
        self.engine.verify(proof, public_inputs)
    }
}
