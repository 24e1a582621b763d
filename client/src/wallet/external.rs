//! Transfers signed outside the process: the wallet plans and proves a
//! deposit or a payment for an account whose key it does not hold (a
//! browser wallet, a hardware wallet, a custody service), hands back the
//! unsigned transaction, and submits it once signed.
//!
//! Until it is signed and submitted, a prepared transfer waits in the
//! wallet file as a pending payment under its provisional signature, its
//! notes reserved; if it is never submitted, sync releases them once its
//! blockhash expires.

use std::time::{Duration, Instant};

use solana_sdk::message::Message;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::Transaction;

use super::{
    budgeted, change, fits_a_packet, merges_needed, provisional_signature, select, Receipt, Route,
    Selection, Transfer, Wallet, WalletError,
};
use crate::address::ShieldedAddress;
use crate::chain::Chain;
use crate::encryption::MemoTooLong;
use crate::nullifier_pages::pages_for;
use crate::store::HistoryKind;
use crate::transact::transact_instruction;

/// A transfer proved for an outside signer, waiting for its signature.
#[derive(Debug, Clone)]
pub struct UnsignedTransfer {
    /// The transaction to sign: its fee payer (and, for a deposit, the
    /// account funding it) is the signer; its blockhash is set.
    pub transaction: Transaction,
    /// The key it waits under in the wallet file until it is signed.
    pub provisional: Signature,
    /// Time proving took.
    pub prove_time: Duration,
}

impl Wallet {
    /// Prepares a deposit of `amount` from `depositor`'s public account
    /// (for an SPL pool, its token account of the mint) as a note of this
    /// wallet: proved, unsigned, for `depositor` to sign and pay.
    pub async fn prepare_deposit<C: Chain>(
        &mut self,
        chain: &mut C,
        amount: u64,
        depositor: &Pubkey,
    ) -> Result<UnsignedTransfer, WalletError> {
        let transfer = self.deposit_transfer(amount, *depositor)?;
        self.sync(chain).await?;
        self.prepare(chain, transfer, *depositor).await
    }

    /// Prepares a private payment of `amount` to `to` for `signer` to sign
    /// and pay (its public account pays the transaction fee and the rent
    /// of the spent nullifiers, and is visible on-chain as with
    /// [`Wallet::pay`]). Refused with [`WalletError::MergeFirst`] if no two
    /// notes cover the amount: merges are transactions of their own.
    pub async fn prepare_payment<C: Chain>(
        &mut self,
        chain: &mut C,
        to: &ShieldedAddress,
        amount: u64,
        memo: &[u8],
        signer: &Pubkey,
    ) -> Result<UnsignedTransfer, WalletError> {
        self.keys.spending_key()?;
        if memo.len() > crate::encryption::MAX_MEMO_LEN {
            return Err(MemoTooLong(memo.len()).into());
        }
        self.sync(chain).await?;
        let notes = self.unspent_notes()?;
        let inputs = match select(&notes, amount) {
            Selection::Pay(inputs) => inputs,
            Selection::Insufficient { available } => {
                return Err(WalletError::InsufficientFunds {
                    available: self.format(available),
                    requested: self.format(amount),
                })
            }
            Selection::Merge(_) => {
                return Err(WalletError::MergeFirst {
                    merges: merges_needed(&notes, amount),
                })
            }
        };
        let change = change(&inputs, amount)?;
        let transfer = Transfer {
            inputs,
            outputs: [
                (*to, amount, memo.to_vec()),
                (self.address(), change, Vec::new()),
            ],
            ext_amount: 0,
            fee: 0,
            recipient: *signer,
            entry: (
                HistoryKind::Sent,
                amount,
                Some(to.to_string()),
                memo.to_vec(),
            ),
        };
        self.prepare(chain, transfer, *signer).await
    }

    /// Plans, proves and records `transfer` as pending for `signer`.
    async fn prepare<C: Chain>(
        &mut self,
        chain: &mut C,
        transfer: Transfer,
        signer: Pubkey,
    ) -> Result<UnsignedTransfer, WalletError> {
        let route = Route::External(signer);
        let accounts = self.plan(chain, &transfer, route).await?;
        let proven = self.prove(&transfer, &accounts, (1, 1))?;
        let pages = pages_for(chain, &self.pool, None, &proven.args_nullifiers).await?;
        let instruction = transact_instruction(
            &self.pool,
            &accounts,
            pages,
            proven.args_nullifiers,
            proven.args.clone(),
        );
        let instructions = budgeted(chain, &signer, instruction).await?;
        let blockhash = chain.latest_blockhash().await?;
        let transaction = Transaction::new_unsigned(Message::new_with_blockhash(
            &instructions,
            Some(&signer),
            &blockhash,
        ));
        fits_a_packet(&transaction)?;
        let provisional = provisional_signature(&proven.args_nullifiers);
        self.begin_pending(&transfer, transaction.clone(), blockhash, provisional)?;
        Ok(UnsignedTransfer {
            transaction,
            provisional,
            prove_time: proven.prove_time,
        })
    }

    /// Submits `signed`, a transaction [`Wallet::prepare_deposit`] or
    /// [`Wallet::prepare_payment`] returned, now signed, and syncs. Refused
    /// without sending if it is not one this wallet holds prepared (its
    /// message changed, or it was released) or its signatures do not
    /// verify. The receipt's proving time is zero: the proof was made when
    /// it was prepared.
    pub async fn submit_signed<C: Chain>(
        &mut self,
        chain: &mut C,
        signed: &Transaction,
    ) -> Result<Receipt, WalletError> {
        let pending = self
            .store
            .pending(&self.pool.pool)?
            .into_iter()
            .find(|p| {
                p.transaction.message == signed.message
                    && p.transaction
                        .signatures
                        .iter()
                        .all(|s| *s == Signature::default())
            })
            .ok_or(WalletError::NotPrepared)?;
        signed.verify().map_err(|_| WalletError::BadSignature)?;
        let signature = signed.signatures[0];
        self.store
            .confirm_relayed(&pending.entry.signature, &signature, signed)?;
        let size = bincode::serialized_size(signed).map_or(usize::MAX, |s| s as usize);
        let sent = Instant::now();
        self.send_pending(chain, signed).await?;
        Ok(Receipt {
            signature,
            kind: pending.entry.kind,
            amount: pending.entry.amount,
            fee: pending.entry.fee,
            prove_time: Duration::ZERO,
            settle_time: sent.elapsed(),
            size,
        })
    }
}
