//! Accounts of the zkpay program, all zero-copy with explicit sizes.

mod pool;
mod tree;

pub use pool::{AssetKind, Pool};
pub use tree::CommitmentTreeAccount;
