//! Proving proofs of funds, with the same engine as transfers.

use std::path::Path;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Proof, ProvingKey};
use ark_relations::r1cs::SynthesisError;
use ark_std::rand::{CryptoRng, RngCore};
use zkpay_core::proof::TransferProof;

use super::{cache, Engine, ProvingTimes};
use crate::export::solana::{proof_to_solana, SolanaVerifyingKey};
use crate::funds::{FundsCircuit, FundsStatementError, FundsWitness};
use crate::setup::{default_key_dir, load_or_generate_funds_proving_key, KeyError};

/// Why no proof of funds was produced.
#[derive(Debug, thiserror::Error)]
pub enum FundsProveError {
    /// The witness does not satisfy the statement; no proof exists.
    #[error("the proof of funds is invalid: {0}")]
    Statement(#[from] FundsStatementError),
    /// Synthesis or the prover failed.
    #[error("proving failed: {0}")]
    Synthesis(#[from] SynthesisError),
}

/// The proof-of-funds proving key with its matrices and MSM tables.
pub struct FundsProver {
    engine: Engine,
}

impl FundsProver {
    /// The prover of the committed proof-of-funds key, from the key cache
    /// ([`default_key_dir`]), generated on first use.
    pub fn load() -> Result<Self, KeyError> {
        Self::load_from(&default_key_dir())
    }

    /// [`Self::load`] with the key cache (key and MSM tables) in `dir`.
    pub fn load_from(dir: &Path) -> Result<Self, KeyError> {
        let pk = load_or_generate_funds_proving_key(dir)?;
        let tables = cache::tables_path(dir, "funds", &SolanaVerifyingKey::committed_funds());
        let engine = Engine::with_cached_tables(pk, FundsCircuit::blank(), &tables)?;
        Ok(FundsProver { engine })
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.engine.pk
    }

    /// Number of R1CS constraints of the circuit.
    pub fn num_constraints(&self) -> usize {
        self.engine.num_constraints
    }

    /// Proves `circuit` after checking it natively.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        circuit: FundsCircuit,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, FundsProveError> {
        circuit.check()?;
        self.prove_unchecked(circuit, rng)
    }

    /// Proves `circuit` without the native check (for tests showing that
    /// such a proof does not verify).
    pub fn prove_unchecked<R: RngCore + CryptoRng>(
        &self,
        circuit: FundsCircuit,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, FundsProveError> {
        self.prove_timed(circuit, rng).map(|(proof, _)| proof)
    }

    /// [`Self::prove_unchecked`], with the time each step took.
    pub fn prove_timed<R: RngCore + CryptoRng>(
        &self,
        circuit: FundsCircuit,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, ProvingTimes), FundsProveError> {
        Ok(self.engine.prove_timed(circuit, rng)?)
    }

    /// Proves `witness` and returns the proof in groth16-solana's layout.
    pub fn prove_funds<R: RngCore + CryptoRng>(
        &self,
        witness: &FundsWitness,
        rng: &mut R,
    ) -> Result<TransferProof, FundsProveError> {
        Ok(proof_to_solana(&self.prove(witness.circuit(), rng)?))
    }

    /// Verifies `proof` natively (arkworks) for the Groth16 public input.
    pub fn verify(&self, proof: &Proof<Bn254>, public_inputs: &[Fr]) -> bool {
        self.engine.verify(proof, public_inputs)
    }
}
