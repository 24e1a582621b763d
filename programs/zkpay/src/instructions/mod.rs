//! The program's instructions, one per file.

pub mod initialize_pool;
pub mod token;
pub mod transact;

pub use initialize_pool::{InitializePool, InitializePoolArgs};
pub use transact::{Transact, TransactArgs};

// Anchor's generated client-side account structs.
pub(crate) use initialize_pool::__client_accounts_initialize_pool;
pub(crate) use transact::__client_accounts_transact;
