//! A transfer assignment as the input of the equivalent circom circuit
//! (`bench/peers/transfer.circom`): the same witness values under the
//! circuit's signal names, as decimal strings.

use ark_bn254::Fr;
use serde_json::{json, Value};
use zkpay_core::constants::TREE_DEPTH;

use crate::field::from_bytes;
use crate::transfer::TransferCircuit;

fn dec(value: &Fr) -> Value {
    Value::String(value.to_string())
}

/// `input.json` for `transfer.circom`, from `circuit` (hashed layout).
pub fn circom_input(circuit: &TransferCircuit) -> Value {
    let statement = &circuit.statement;
    let bits = |index: u64| -> Vec<Value> {
        (0..TREE_DEPTH)
            .map(|h| Value::String(((index >> h) & 1).to_string()))
            .collect()
    };
    let siblings = |siblings: &[[u8; 32]; TREE_DEPTH]| -> Vec<Value> {
        siblings
            .iter()
            .map(|s| dec(&from_bytes(s).unwrap_or_default()))
            .collect()
    };
    json!({
        "publicInputsHash": dec(&circuit.public_inputs_hash),
        "root": dec(&statement.root),
        "publicAmount": dec(&statement.public_amount),
        "extDataHash": dec(&statement.ext_data_hash),
        "assetId": dec(&statement.asset_id),
        "inputNullifier": statement.input_nullifiers.iter().map(dec).collect::<Vec<_>>(),
        "outputCommitment": statement.output_commitments.iter().map(dec).collect::<Vec<_>>(),
        "inAmount": circuit.inputs.iter().map(|i| dec(&i.amount)).collect::<Vec<_>>(),
        "inBlinding": circuit.inputs.iter().map(|i| dec(&i.blinding)).collect::<Vec<_>>(),
        "inSecret": circuit.inputs.iter().map(|i| dec(&i.secret)).collect::<Vec<_>>(),
        "inPathIndices": circuit.inputs.iter().map(|i| bits(i.path.leaf_index)).collect::<Vec<_>>(),
        "inPathElements": circuit.inputs.iter().map(|i| siblings(&i.path.siblings)).collect::<Vec<_>>(),
        "outAmount": circuit.outputs.iter().map(|o| dec(&o.amount)).collect::<Vec<_>>(),
        "outOwner": circuit.outputs.iter().map(|o| dec(&o.owner)).collect::<Vec<_>>(),
        "outBlinding": circuit.outputs.iter().map(|o| dec(&o.blinding)).collect::<Vec<_>>(),
    })
}
