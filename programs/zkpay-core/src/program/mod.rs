//! The program's interface, shared by both builds of the program (the SBF
//! adapter and the Anchor entry), the client and the tests: its id, seeds
//! and discriminators ([`ids`]), account layouts ([`state`]), instruction
//! encoding ([`instruction`]), the event ([`event`]) and the settlement
//! logic itself ([`settle`]), written once against a small account
//! interface ([`settle::Ledger`]).

pub mod event;
pub mod ids;
pub mod instruction;
pub mod nullifier_page;
pub mod settle;
pub mod state;
pub mod token;
