//! Anchor IDL descriptions of the on-chain tree types, so the program's IDL
//! describes the commitment tree account's layout.

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use anchor_lang_idl::build::IdlBuild;
use anchor_lang_idl::types::{
    IdlArrayLen, IdlDefinedFields, IdlField, IdlRepr, IdlReprModifier, IdlSerialization, IdlType,
    IdlTypeDef, IdlTypeDefTy,
};

use super::{Frontier, RootHistory};
use crate::constants::{ROOT_HISTORY_SIZE, TREE_DEPTH};

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
