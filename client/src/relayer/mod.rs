//! Relayers: a service that submits proven payments and withdrawals for a
//! fee from the pool (`server`, with the `relayer-server` feature, on by
//! default), and the wallet's side of it ([`client`]), over the JSON API of
//! [`api`].

pub mod api;
pub mod client;
pub mod load;
#[cfg(feature = "relayer-server")]
pub mod server;

pub use client::{RelayerClient, RelayerError};
#[cfg(feature = "relayer-server")]
pub use server::{Limits, LocalRelayer, RelayerConfig, RelayerService, ServedPool};
