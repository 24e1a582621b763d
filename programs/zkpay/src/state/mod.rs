//! Accounts of the zkpay program, all zero-copy with explicit sizes.

mod nullifier_page;
mod pool;
mod tree;

pub use pool::{AssetKind, Pool};
pub use nullifier_page::NullifierPage;
pub use tree::CommitmentTreeAccount;
