//! The wallet's side of payment disclosure ([`crate::disclosure`]).

use solana_sdk::signature::Signature;
use zkpay_circuits::field::to_bytes;
use zkpay_circuits::note::Note;
use zkpay_circuits::Fr;

use super::Wallet;
use crate::address::ShieldedAddress;
use crate::chain::{Chain, Settled};
use crate::disclosure::{DisclosureError, PaymentDisclosure};
use crate::encryption::{
    incoming_note_key, open_with_key, outgoing_note_key, NoteKey, OpenedNote, ViewTag,
};

/// An output the wallet can disclose.
struct Disclosable {
    output: u8,
    key: NoteKey,
    opened: OpenedNote,
    owner: Fr,
    address: ShieldedAddress,
    /// Sent to a payee (rather than received, or change).
    to_payee: bool,
}

impl Wallet {
    /// A disclosure of a note that transaction `signature` settled in this
    /// wallet's pool and that this wallet received or sent: output `output`,
    /// or without it the one note worth disclosing (a payment's note to its
    /// payee, or else the one non-zero note received). A sent note names its
    /// payee, as the wallet's history knows it (typed when paying, or read
    /// from the change note's payee record after a restore).
    pub async fn disclose<C: Chain>(
        &self,
        chain: &mut C,
        signature: &Signature,
        output: Option<u8>,
    ) -> Result<PaymentDisclosure, DisclosureError> {
        let events: Vec<Settled> = chain
            .settled_in(signature)
            .await?
            .into_iter()
            .filter(|event| event.pool == self.pool.pool.to_bytes())
            .collect();
        let event = match events.as_slice() {
            [] => return Err(DisclosureError::NoSettlement(*signature)),
            [event] => event,
            _ => {
                return Err(DisclosureError::NotDisclosable(format!(
                    "transaction {signature} settles several transfers; this wallet discloses one-transfer transactions only"
                )))
            }
        };
        if output.is_some_and(|o| o > 1) {
            return Err(DisclosureError::Field("output"));
        }
        let payee = self.payee_of(signature)?;
        let mut disclosable: Vec<Disclosable> = (0..2u8)
            .filter(|i| output.is_none_or(|o| o == *i))
            .filter_map(|i| self.disclosable(event, i, payee.as_ref()))
            .collect();
        if output.is_none() {
            disclosable.retain(|d| d.opened.amount > 0);
            if disclosable.iter().any(|d| d.to_payee) {
                disclosable.retain(|d| d.to_payee);
            }
        }
        let chosen = match disclosable.len() {
            1 => disclosable.remove(0),
            0 => {
                return Err(DisclosureError::NotDisclosable(match output {
                    Some(o) => format!(
                        "output {o} of {signature} is neither a note this wallet received nor one it sent to a payee in its history"
                    ),
                    None => format!(
                        "no note of {signature} is this wallet's to disclose (a restored wallet no longer knows the payees of its past payments)"
                    ),
                }))
            }
            _ => {
                return Err(DisclosureError::NotDisclosable(format!(
                    "{signature} has two notes of this wallet's: name one with --output 0 or --output 1"
                )))
            }
        };
        Ok(PaymentDisclosure::new(
            signature,
            &self.pool.pool,
            chosen.output,
            &event.commitments[usize::from(chosen.output)],
            &chosen.key,
            &chosen.owner,
            chosen.opened.amount,
            &chosen.opened.memo,
            Some(&chosen.address),
        ))
    }

    /// The shielded address this wallet paid in `signature`, from its history.
    fn payee_of(&self, signature: &Signature) -> Result<Option<ShieldedAddress>, DisclosureError> {
        Ok(self
            .store
            .history(&self.pool.pool)?
            .iter()
            .filter(|entry| entry.signature == *signature)
            .find_map(|entry| entry.counterparty.as_deref()?.parse().ok()))
    }

    /// Output `output` of `event`, if this wallet received it or sent it to
    /// `payee`.
    fn disclosable(
        &self,
        event: &Settled,
        output: u8,
        payee: Option<&ShieldedAddress>,
    ) -> Option<Disclosable> {
        let commitment = &event.commitments[usize::from(output)];
        let ciphertext = &event.encrypted_outputs[usize::from(output)];
        let commits = |opened: &OpenedNote, owner: Fr| {
            let note = Note {
                amount: opened.amount,
                owner,
                blinding: opened.blinding,
                asset_id: self.pool.asset_id,
            };
            to_bytes(&note.commitment()) == *commitment
        };
        let received = incoming_note_key(self.keys.incoming_view_key(), ciphertext, ViewTag::Check)
            .and_then(|key| {
                let opened = open_with_key(&key, commitment, ciphertext)?;
                commits(&opened, self.keys.owner()).then(|| Disclosable {
                    output,
                    key,
                    opened,
                    owner: self.keys.owner(),
                    address: self.address(),
                    to_payee: false,
                })
            });
        received.or_else(|| {
            let payee = payee?;
            let key = outgoing_note_key(self.keys.outgoing_view_key(), ciphertext)?;
            let opened = open_with_key(&key, commitment, ciphertext)?;
            commits(&opened, payee.owner()).then(|| Disclosable {
                output,
                key,
                opened,
                owner: payee.owner(),
                address: payee.clone(),
                to_payee: true,
            })
        })
    }
}
