//! Proving transfers.
//!
//! Groth16 as in ark-groth16 (libsnark QAP reduction), with two changes
//! that matter for speed:
//! - the constraint matrices are built once per prover; each proof only
//!   computes the witness (synthesis without building constraints);
//! - the five multi-scalar multiplications run on halo2curves' faster MSM
//!   over bases converted once ([`msm`]).

mod msm;

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError,
    SynthesisMode,
};
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;

use self::msm::{to_halo_scalars, FixedBases, G1, G2};
use crate::export::solana::proof_to_solana;
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
            a: FixedBases::new(&pk.a_query[1..]),
            b_g1: FixedBases::new(&pk.b_g1_query[1..]),
            b_g2: FixedBases::new(&pk.b_g2_query[1..]),
            h: FixedBases::new(&pk.h_query),
            l: FixedBases::new(&pk.l_query),
        }
    }
}

/// A proving key with its constraint matrices, ready to prove transfers.
pub struct TransferProver {
    mode: PublicInputMode,
    pk: ProvingKey<Bn254>,
    pvk: PreparedVerifyingKey<Bn254>,
    matrices: ConstraintMatrices<Fr>,
    bases: QueryBases,
}

impl TransferProver {
    /// A prover for `pk`, a key for the `mode` circuit.
    pub fn new(mode: PublicInputMode, pk: ProvingKey<Bn254>) -> Result<Self, SynthesisError> {
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        TransferCircuit::blank(mode).generate_constraints(cs.clone())?;
        cs.finalize();
        let matrices = cs.to_matrices().ok_or(SynthesisError::MissingCS)?;
        let pvk = prepare_verifying_key(&pk.vk);
        let bases = QueryBases::new(&pk);
        Ok(TransferProver {
            mode,
            pk,
            pvk,
            matrices,
            bases,
        })
    }

    /// The prover for the deployed (hashed) circuit, with the proving key of
    /// the committed verifying key from the cache ([`default_key_dir`]),
    /// generated on first use.
    pub fn load() -> Result<Self, KeyError> {
        let pk = load_or_generate_proving_key(&default_key_dir())?;
        Ok(Self::new(PublicInputMode::Hashed, pk)?)
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.pk
    }

    /// Number of R1CS constraints of the circuit.
    pub fn num_constraints(&self) -> usize {
        self.matrices.num_constraints
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
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
        });
        circuit.generate_constraints(cs.clone())?;
        let cs = cs.into_inner().ok_or(SynthesisError::MissingCS)?;
        let num_inputs = cs.instance_assignment.len();
        if num_inputs != self.matrices.num_instance_variables
            || cs.witness_assignment.len() != self.matrices.num_witness_variables
        {
            return Err(SynthesisError::Unsatisfiable.into());
        }
        let full_assignment: Vec<Fr> = cs
            .instance_assignment
            .iter()
            .chain(&cs.witness_assignment)
            .copied()
            .collect();
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        self.create_proof(r, s, num_inputs, &full_assignment)
            .ok_or(ProveError::Synthesis(SynthesisError::Unsatisfiable))
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
    ) -> Option<Proof<Bn254>> {
        let pk = &self.pk;
        let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            &self.matrices,
            num_inputs,
            self.matrices.num_constraints,
            full_assignment,
        )
        .ok()?;
        let h = to_halo_scalars(&h);
        let assignment = to_halo_scalars(&full_assignment[1..]);
        let witness = &assignment[num_inputs - 1..];

        let a: G1Projective =
            pk.vk.alpha_g1 + pk.a_query[0] + self.bases.a.msm(&assignment)? + pk.delta_g1 * r;
        let b_g1: G1Projective =
            pk.beta_g1 + pk.b_g1_query[0] + self.bases.b_g1.msm(&assignment)? + pk.delta_g1 * s;
        let b_g2: G2Projective = pk.vk.beta_g2
            + pk.b_g2_query[0]
            + self.bases.b_g2.msm(&assignment)?
            + pk.vk.delta_g2 * s;
        let c: G1Projective = self.bases.l.msm(witness)? + self.bases.h.msm(&h)? + a * s + b_g1 * r
            - pk.delta_g1 * (r * s);
        Some(Proof {
            a: a.into_affine(),
            b: b_g2.into_affine(),
            c: c.into_affine(),
        })
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
        Groth16::<Bn254>::verify_proof(&self.pvk, proof, public_inputs).unwrap_or(false)
    }
}
