//! Anchor IDL descriptions of the on-chain types (the accounts' layouts and
//! the tree types in them), so the program's IDL describes its accounts.

extern crate alloc;

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use anchor_lang_idl::build::IdlBuild;
use anchor_lang_idl::types::{
    IdlArrayLen, IdlDefinedFields, IdlField, IdlRepr, IdlReprModifier, IdlSerialization, IdlType,
    IdlTypeDef, IdlTypeDefTy,
};

use crate::constants::{ROOT_HISTORY_SIZE, TREE_DEPTH};
use crate::program::nullifier_page::{NullifierPage, PAGE_SLOTS};
use crate::program::state::{PoolState, TreeState};
use crate::tree::{Frontier, RootHistory};

fn field(name: &str, ty: IdlType) -> IdlField {
    IdlField {
        name: name.into(),
        docs: Vec::new(),
        ty,
    }
}

fn array(of: IdlType, len: usize) -> IdlType {
    IdlType::Array(Box::new(of), IdlArrayLen::Value(len))
}

fn field_elements(len: usize) -> IdlType {
    array(array(IdlType::U8, 32), len)
}

fn zero_copy_struct(name: &str, docs: &str, fields: Vec<IdlField>) -> IdlTypeDef {
    IdlTypeDef {
        name: String::from(name),
        docs: vec![docs.into()],
        serialization: IdlSerialization::Bytemuck,
        repr: Some(IdlRepr::C(IdlReprModifier {
            packed: false,
            align: None,
        })),
        generics: Vec::new(),
        ty: IdlTypeDefTy::Struct {
            fields: Some(IdlDefinedFields::Named(fields)),
        },
    }
}

impl IdlBuild for Frontier {
    fn create_type() -> Option<IdlTypeDef> {
        Some(zero_copy_struct(
            "Frontier",
            "Append-only Merkle tree: next leaf index, newest left child per height 1..26, root.",
            vec![
                field("next_index", IdlType::U64),
                field("filled", field_elements(TREE_DEPTH - 1)),
                field("root", array(IdlType::U8, 32)),
            ],
        ))
    }
}

impl IdlBuild for RootHistory {
    fn create_type() -> Option<IdlTypeDef> {
        Some(zero_copy_struct(
            "RootHistory",
            "Ring of the last 1,024 roots; `next_slot` is where the next root goes.",
            vec![
                field("next_slot", IdlType::U64),
                field("roots", field_elements(ROOT_HISTORY_SIZE)),
            ],
        ))
    }
}

impl IdlBuild for PoolState {
    fn create_type() -> Option<IdlTypeDef> {
        let key = || array(IdlType::U8, 32);
        Some(zero_copy_struct(
            "PoolState",
            "A pool: mint, asset id, tree, vault, PDA bumps, asset kind (0 SOL, 1 SPL), decimals.",
            vec![
                field("mint", key()),
                field("asset_id", key()),
                field("tree", key()),
                field("vault", key()),
                field("bump", IdlType::U8),
                field("vault_bump", IdlType::U8),
                field("kind", IdlType::U8),
                field("decimals", IdlType::U8),
                field("reserved", array(IdlType::U8, 4)),
            ],
        ))
    }
}

impl IdlBuild for NullifierPage {
    fn create_type() -> Option<IdlTypeDef> {
        Some(zero_copy_struct(
            "NullifierPage",
            "Spent nullifiers of a pool whose low `depth` bits are `prefix`: an open-addressing table of 63-bit keys (0: empty).",
            vec![
                field("pool", array(IdlType::U8, 32)),
                field("prefix", IdlType::U32),
                field("count", IdlType::U32),
                field("depth", IdlType::U8),
                field("reserved", array(IdlType::U8, 7)),
                field("slots", array(IdlType::U64, PAGE_SLOTS)),
            ],
        ))
    }
}

/// A field of a type defined in the IDL.
fn defined<T: IdlBuild>() -> IdlType {
    IdlType::Defined {
        name: T::get_full_path(),
        generics: Vec::new(),
    }
}

/// Adds `T` to the IDL's types.
fn insert<T: IdlBuild>(types: &mut BTreeMap<String, IdlTypeDef>) {
    if let Some(ty) = T::create_type() {
        types.insert(T::get_full_path(), ty);
    }
}

impl IdlBuild for TreeState {
    fn create_type() -> Option<IdlTypeDef> {
        Some(zero_copy_struct(
            "TreeState",
            "A pool's commitment tree: its pool, the frontier, the recent roots.",
            vec![
                field("pool", array(IdlType::U8, 32)),
                field("frontier", defined::<Frontier>()),
                field("history", defined::<RootHistory>()),
            ],
        ))
    }

    fn insert_types(types: &mut BTreeMap<String, IdlTypeDef>) {
        insert::<Frontier>(types);
        insert::<RootHistory>(types);
    }
}
