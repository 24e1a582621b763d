//! Proving transfers.
//!
//! The constraint matrices are built once per prover; each proof then only
//! computes the witness (synthesis without building constraints) and runs
//! the Groth16 prover on the precomputed matrices.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, Proof, ProvingKey};
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError,
    SynthesisMode,
};
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;

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

/// A proving key with its constraint matrices, ready to prove transfers.
pub struct TransferProver {
    mode: PublicInputMode,
    pk: ProvingKey<Bn254>,
    pvk: PreparedVerifyingKey<Bn254>,
    matrices: ConstraintMatrices<Fr>,
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
        Ok(TransferProver {
            mode,
            pk,
            pvk,
            matrices,
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
        Ok(Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
            &self.pk,
            r,
            s,
            &self.matrices,
            num_inputs,
            self.matrices.num_constraints,
            &full_assignment,
        )?)
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
