//! Relayers: a service that submits proven payments and withdrawals for a
//! fee from the pool ([`server`]), and the wallet's side of it
//! ([`client`]), over the JSON API of [`api`].

pub mod api;
pub mod client;
pub mod load;
pub mod server;

pub use client::{RelayerClient, RelayerError};
pub use server::{Limits, LocalRelayer, RelayerConfig, RelayerService, ServedPool};
