//! The program's instructions, one per file.

pub mod initialize_pool;
pub mod split_nullifier_page;
pub mod token;
pub mod transact;

pub use initialize_pool::{InitializePool, InitializePoolArgs};
pub use split_nullifier_page::{SplitNullifierPage, SplitNullifierPageArgs};
pub use transact::{Transact, TransactArgs};

// Anchor's generated client-side account structs.
pub(crate) use initialize_pool::__client_accounts_initialize_pool;
pub(crate) use split_nullifier_page::__client_accounts_split_nullifier_page;
pub(crate) use transact::__client_accounts_transact;
