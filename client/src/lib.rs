//! The zkpay wallet library: what a dApp integrates to pay privately.
//!
//! - [`keys`], [`address`]: a wallet from a BIP39 mnemonic and the shielded
//!   address it shares;
//! - [`encryption`]: notes encrypted to their owners, with view tags and an
//!   outgoing view;
//! - [`chain`]: where the chain is, embedded (the real runtime in-process)
//!   or a cluster over RPC;
//! - [`store`]: the wallet's notes and sync position in SQLite;
//! - [`wallet`]: sync, deposit, pay, withdraw, balance and history;
//! - [`relayer`]: a relayer service and the wallet's client of it, so
//!   payments need no public account of the payer;
//! - [`text`]: memos and other outside text made safe to print.

pub mod address;
pub mod amount;
pub mod chain;
pub mod encryption;
pub mod keys;
pub mod pool;
pub mod relayer;
pub mod store;
pub mod text;
pub mod transact;
pub mod wallet;

#[cfg(test)]
mod test_vectors;
