//! The zkpay wallet library: what a dApp integrates to pay privately.
//!
//! - [`keys`], [`address`]: a wallet from a BIP39 mnemonic and the shielded
//!   address it shares;
//! - [`encryption`]: notes encrypted to their owners, with view tags and an
//!   outgoing view;
//! - [`chain`]: where the chain is, embedded (the real runtime in-process;
//!   the `embedded` feature) or a cluster over RPC;
//! - [`store`]: the wallet's notes and sync position in SQLite;
//! - [`wallet`]: sync, deposit, pay, withdraw, balance and history;
//! - [`relayer`]: a relayer service (the `relayer-server` feature) and the
//!   wallet's client of it, so payments need no public account of the payer;
//! - [`text`]: memos and other outside text made safe to print.
//!
//! # Example
//!
//! The README's integration snippet (a unit test keeps the two the same):
//!
//! ```no_run
//! # #[cfg(feature = "embedded")]
//! # use zkpay_client::chain::embedded::EmbeddedChain;
//! # use zkpay_client::pool::SOL;
//! # use zkpay_client::store::Store;
//! # use zkpay_client::wallet::Wallet;
//! # #[cfg(feature = "embedded")]
//! # async fn example(
//! #     path: &std::path::Path,
//! #     phrase: &str,
//! #     payer: solana_sdk::signature::Keypair,
//! # ) -> anyhow::Result<()> {
//! let mut chain = EmbeddedChain::start().await?;          // or RpcChain::new("devnet")
//! let store = Store::create(path, &phrase)?;              // SQLite, mode 0600
//! let mut wallet = Wallet::open(&mut chain, store, payer, &SOL).await?;
//! wallet.deposit(&mut chain, 2_000_000_000).await?;
//! wallet.pay(&mut chain, &"zkpay:...".parse()?, 750_000_000, b"rent").await?;
//! wallet.set_history_listener(|line| println!("{:?} {}", line.kind, line.amount));
//! wallet.sync(&mut chain).await?;                        // announces what it stores
//! let balance = wallet.balance()?;
//! # let _ = balance;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod address;
pub mod amount;
pub mod chain;
mod checked_text;
pub mod disclosure;
pub mod encryption;
pub mod funds;
pub mod keys;
pub mod nullifier_pages;
pub mod pool;
pub mod relayer;
pub mod store;
pub mod text;
pub mod transact;
pub mod viewing_key;
pub mod wallet;

#[cfg(test)]
mod test_vectors;

#[cfg(test)]
mod readme {
    /// The lines of the crate's example as rustdoc shows them (hidden lines
    /// left out).
    fn crate_example() -> String {
        let lines = include_str!("lib.rs")
            .lines()
            .skip_while(|line| *line != "//! ```no_run")
            .skip(1)
            .take_while(|line| *line != "//! ```");
        let mut example = String::new();
        for line in lines {
            let line = line
                .strip_prefix("//! ")
                .unwrap_or(line.trim_start_matches("//!"));
            if !line.starts_with("# ") {
                example.push_str(line);
                example.push('\n');
            }
        }
        example
    }

    #[test]
    fn the_readme_snippet_is_the_compiled_crate_example() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```rust\n")
            .expect("the README has a Rust snippet")
            + 8;
        let snippet = &readme[start..start + readme[start..].find("```").unwrap()];
        assert!(snippet.lines().count() > 5);
        assert_eq!(crate_example(), snippet);
    }
}
