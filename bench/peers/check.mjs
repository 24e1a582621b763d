// Third-party checks of zkpay's output (run in CI):
// 1. circomlibjs, the reference Poseidon of the circom world, recomputes the
//    owner keys, commitments, Merkle roots, nullifier keys, nullifiers and
//    public-input hash
//    of the payment in <dir>/input.json, and they equal zkpay's values;
// 2. snarkjs verifies zkpay's proof of it with zkpay's verifying key, and
//    rejects it for another public input.
// Usage: node check.mjs <dir written by `zkpay-circuits peer <dir>`>
import * as snarkjs from "snarkjs";
import { folder, poseidonHasher, reader, tally } from "./checks.mjs";

const dir = folder("usage: node check.mjs <dir>   (make it with: cargo run --release -p zkpay-circuits -- peer <dir>)");
const read = reader(dir);
const input = read("input.json");
const hash = await poseidonHasher();
const { check, finish } = tally();

check("Poseidon(1, 2) is circomlib's test vector",
  hash([1, 2]) === 7853200120776062878684798364095072458815029376092732009249414926327459813530n);

// The nullifier key's tag: the big-endian integer of these ASCII bytes.
const NULLIFIER_KEY_TAG = BigInt("0x" + Buffer.from("zkpay:nullifier-key:v1").toString("hex"));
const root = BigInt(input.root);
const nullifiers = [];
for (let i = 0; i < 2; i++) {
  const owner = hash([input.inSecret[i]]);
  const commitment = hash([input.inAmount[i], owner, input.inBlinding[i], input.assetId]);
  let node = commitment;
  let index = 0n;
  input.inPathIndices[i].forEach((bit, height) => {
    const sibling = BigInt(input.inPathElements[i][height]);
    node = bit === "1" ? hash([sibling, node]) : hash([node, sibling]);
    index += BigInt(bit) << BigInt(height);
  });
  if (BigInt(input.inAmount[i]) !== 0n) {
    check(`input ${i}: Merkle root from circomlibjs equals zkpay's root`, node === root);
  }
  const nullifierKey = hash([input.inSecret[i], NULLIFIER_KEY_TAG]);
  const nullifier = hash([commitment, index, nullifierKey]);
  nullifiers.push(nullifier);
  check(`input ${i}: nullifier equals zkpay's`, nullifier === BigInt(input.inputNullifier[i]));
}
for (let j = 0; j < 2; j++) {
  const commitment = hash([input.outAmount[j], input.outOwner[j], input.outBlinding[j], input.assetId]);
  check(`output ${j}: commitment equals zkpay's`, commitment === BigInt(input.outputCommitment[j]));
}
const statement = hash([input.root, input.publicAmount, input.extDataHash, input.assetId,
  ...input.inputNullifier, ...input.outputCommitment]);
check("public-input hash equals zkpay's", statement === BigInt(input.publicInputsHash));

const vk = read("verification_key.json");
const proof = read("proof.json");
const publicSignals = read("public.json");
check("public.json is the public-input hash", publicSignals.length === 1 && BigInt(publicSignals[0]) === statement);
check("snarkjs verifies zkpay's proof", await snarkjs.groth16.verify(vk, publicSignals, proof));
const altered = [(BigInt(publicSignals[0]) + 1n).toString()];
check("snarkjs rejects zkpay's proof for another public input", !(await snarkjs.groth16.verify(vk, altered, proof)));

finish();
