pragma circom 2.1.0;

// zkpay's transfer statement written for circom + snarkjs, the stack of
// Tornado Cash, Privacy Pools and Light Protocol's first shielded pool.
// Same statement as circuits/src/transfer (see docs/PROTOCOL.md): 2 inputs,
// 2 outputs, tree depth 26, circomlib's Poseidon, one public input (the
// Poseidon hash of the eight public values).

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

// Root of the tree in which `leaf` sits at the position whose bits (least
// significant first) are `pathIndices`.
template MerkleRoot(levels) {
    signal input leaf;
    signal input pathIndices[levels];
    signal input pathElements[levels];
    signal output root;

    component hashers[levels];
    signal nodes[levels + 1];
    signal swap[levels];
    nodes[0] <== leaf;
    for (var i = 0; i < levels; i++) {
        pathIndices[i] * (1 - pathIndices[i]) === 0;
        swap[i] <== pathIndices[i] * (pathElements[i] - nodes[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== nodes[i] + swap[i];
        hashers[i].inputs[1] <== pathElements[i] - swap[i];
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[levels];
}

template Transfer(levels) {
    signal input publicInputsHash;

    // The eight public values, hashed into publicInputsHash.
    signal input root;
    signal input publicAmount;
    signal input extDataHash;
    signal input assetId;
    signal input inputNullifier[2];
    signal input outputCommitment[2];

    signal input inAmount[2];
    signal input inBlinding[2];
    signal input inSecret[2];
    signal input inPathIndices[2][levels];
    signal input inPathElements[2][levels];

    signal input outAmount[2];
    signal input outOwner[2];
    signal input outBlinding[2];

    component statement = Poseidon(8);
    statement.inputs[0] <== root;
    statement.inputs[1] <== publicAmount;
    statement.inputs[2] <== extDataHash;
    statement.inputs[3] <== assetId;
    statement.inputs[4] <== inputNullifier[0];
    statement.inputs[5] <== inputNullifier[1];
    statement.inputs[6] <== outputCommitment[0];
    statement.inputs[7] <== outputCommitment[1];
    statement.out === publicInputsHash;

    component inRange[2];
    component owner[2];
    component inCommitment[2];
    component tree[2];
    component nullifierKey[2];
    component nullifier[2];
    signal leafIndex[2];
    var valueIn = publicAmount;
    for (var i = 0; i < 2; i++) {
        inRange[i] = Num2Bits(64);
        inRange[i].in <== inAmount[i];

        owner[i] = Poseidon(1);
        owner[i].inputs[0] <== inSecret[i];

        inCommitment[i] = Poseidon(4);
        inCommitment[i].inputs[0] <== inAmount[i];
        inCommitment[i].inputs[1] <== owner[i].out;
        inCommitment[i].inputs[2] <== inBlinding[i];
        inCommitment[i].inputs[3] <== assetId;

        tree[i] = MerkleRoot(levels);
        tree[i].leaf <== inCommitment[i].out;
        var index = 0;
        for (var j = 0; j < levels; j++) {
            tree[i].pathIndices[j] <== inPathIndices[i][j];
            tree[i].pathElements[j] <== inPathElements[i][j];
            index += inPathIndices[i][j] * (1 << j);
        }
        // Membership, waived only for a zero amount.
        (tree[i].root - root) * inAmount[i] === 0;

        leafIndex[i] <== index;
        // The nullifier key: Poseidon(secret, the integer of the ASCII
        // bytes "zkpay:nullifier-key:v1").
        nullifierKey[i] = Poseidon(2);
        nullifierKey[i].inputs[0] <== inSecret[i];
        nullifierKey[i].inputs[1] <== 45802641393012252880884200376497904522965364611118641;

        nullifier[i] = Poseidon(3);
        nullifier[i].inputs[0] <== inCommitment[i].out;
        nullifier[i].inputs[1] <== leafIndex[i];
        nullifier[i].inputs[2] <== nullifierKey[i].out;
        nullifier[i].out === inputNullifier[i];

        valueIn += inAmount[i];
    }

    // The two nullifiers differ.
    signal nullifierDifferenceInverse;
    nullifierDifferenceInverse <-- 1 / (inputNullifier[0] - inputNullifier[1]);
    (inputNullifier[0] - inputNullifier[1]) * nullifierDifferenceInverse === 1;

    component outRange[2];
    component outCommitment[2];
    var valueOut = 0;
    for (var i = 0; i < 2; i++) {
        outRange[i] = Num2Bits(64);
        outRange[i].in <== outAmount[i];

        outCommitment[i] = Poseidon(4);
        outCommitment[i].inputs[0] <== outAmount[i];
        outCommitment[i].inputs[1] <== outOwner[i];
        outCommitment[i].inputs[2] <== outBlinding[i];
        outCommitment[i].inputs[3] <== assetId;
        outCommitment[i].out === outputCommitment[i];

        valueOut += outAmount[i];
    }
    valueIn === valueOut;
}

component main {public [publicInputsHash]} = Transfer(26);
