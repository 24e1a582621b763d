//! The wallet's side of proof of funds ([`crate::funds`]).

use rand::rngs::OsRng;
use zkpay_circuits::field::from_bytes;
use zkpay_circuits::funds::{challenge_value, FundsWitness, FUNDS_NOTES};
use zkpay_circuits::note::SpendingKey;
use zkpay_circuits::prover::FundsProver;
use zkpay_circuits::transfer::InputNote;

use super::{Wallet, WalletError};
use crate::chain::Chain;
use crate::funds::{is_recent_root, FundsError, ProofOfFunds};
use crate::store::{NoteState, StoredNote};

impl Wallet {
    /// A proof that this wallet's unspent notes are worth at least
    /// `at_least`, for the verifier's `challenge`, at the root of the
    /// wallet's tree (sync first: the root must be one the pool holds).
    /// Counts the fewest of the largest notes that reach the threshold, at
    /// most [`FUNDS_NOTES`]: the proof's nullifiers are those notes', and a
    /// verifier who keeps them sees when they are spent.
    pub async fn prove_funds<C: Chain>(
        &self,
        chain: &mut C,
        at_least: u64,
        challenge: &str,
    ) -> Result<ProofOfFunds, FundsError> {
        self.keys.spending_key().map_err(WalletError::from)?;
        let counted = self.notes_reaching(at_least)?;
        let root = from_bytes(&self.tree.root()).expect("tree roots are canonical");
        if !is_recent_root(chain, &self.pool, &root).await? {
            return Err(FundsError::StaleTree);
        }
        let mut rng = OsRng;
        let asset_id = self.pool.asset_id;
        let mut notes = counted
            .iter()
            .map(|stored| self.input_note(stored))
            .collect::<Result<Vec<_>, _>>()?;
        while notes.len() < FUNDS_NOTES {
            // Random blindings: dummies publish distinct random nullifiers.
            notes.push(InputNote::dummy(
                SpendingKey::random(&mut rng),
                asset_id,
                &mut rng,
            ));
        }
        let witness = FundsWitness {
            root,
            at_least,
            challenge: challenge_value(&self.pool.pool.to_bytes(), challenge),
            asset_id,
            notes: notes.try_into().expect("exactly FUNDS_NOTES notes"),
        };
        let proof = funds_prover()?.prove_funds(&witness, &mut rng)?;
        Ok(ProofOfFunds::new(
            &self.pool.pool,
            at_least,
            challenge,
            &witness.statement(),
            &proof,
        ))
    }

    /// The fewest of the largest unspent notes worth `at_least` together.
    fn notes_reaching(&self, at_least: u64) -> Result<Vec<StoredNote>, FundsError> {
        let mut notes: Vec<StoredNote> = self
            .store
            .notes(&self.pool.pool, &[NoteState::Unspent])?
            .into_iter()
            .filter(|note| note.amount > 0)
            .collect();
        notes.sort_by(|a, b| b.amount.cmp(&a.amount));
        let all: u128 = notes.iter().map(|note| u128::from(note.amount)).sum();
        if all < u128::from(at_least) {
            return Err(FundsError::InsufficientFunds {
                available: self.format(u64::try_from(all).unwrap_or(u64::MAX)),
                requested: self.format(at_least),
            });
        }
        let mut sum = 0u128;
        let counted: Vec<StoredNote> = notes
            .into_iter()
            .take_while(|note| {
                let short = sum < u128::from(at_least);
                sum += u128::from(note.amount);
                short
            })
            .take(FUNDS_NOTES)
            .collect();
        let reached: u128 = counted.iter().map(|note| u128::from(note.amount)).sum();
        if reached < u128::from(at_least) {
            return Err(FundsError::TooManyNotes {
                largest: self.format(u64::try_from(reached).unwrap_or(u64::MAX)),
                requested: self.format(at_least),
            });
        }
        Ok(counted)
    }
}

/// The proof-of-funds prover, loaded once per process.
fn funds_prover() -> Result<&'static FundsProver, FundsError> {
    static PROVER: std::sync::OnceLock<FundsProver> = std::sync::OnceLock::new();
    if let Some(prover) = PROVER.get() {
        return Ok(prover);
    }
    let prover = FundsProver::load().map_err(|e| FundsError::ProvingKey(e.to_string()))?;
    Ok(PROVER.get_or_init(|| prover))
}
