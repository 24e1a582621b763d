// Third-party checks of zkpay's proof of funds (run in CI):
// 1. node's SHA-256 re-derives the challenge element from the domain, the
//    pool and the challenge text in <dir>/challenge.json;
// 2. circomlibjs, the reference Poseidon of the circom world, recomputes the
//    public-input hash of the statement in <dir>/statement.json;
// 3. snarkjs verifies zkpay's proof of funds with zkpay's verifying key,
//    and rejects it for another public input.
// Usage: node check-funds.mjs <dir written by `zkpay-circuits export-funds-snarkjs <dir>`>
import { createHash } from "node:crypto";
import * as snarkjs from "snarkjs";
import { folder, poseidonHasher, reader, tally } from "./checks.mjs";

const dir = folder("usage: node check-funds.mjs <dir>   (make it with: cargo run --release -p zkpay-circuits -- export-funds-snarkjs <dir>)");
const read = reader(dir);
const statement = read("statement.json").map(BigInt);
const challenge = read("challenge.json");
const hash = await poseidonHasher();
const { check, finish } = tally();

// The statement: root, at_least, challenge, asset_id, then 4 nullifiers.
check("the statement has 8 public values", statement.length === 8);
const digest = createHash("sha256")
  .update(Buffer.from(challenge.domain, "utf8"))
  .update(Buffer.from([0]))
  .update(Buffer.from(challenge.pool, "hex"))
  .update(Buffer.from(challenge.text, "utf8"))
  .digest();
digest[0] &= 0x1f;
check("the challenge element is SHA-256 of domain, pool and text",
  BigInt("0x" + digest.toString("hex")) === statement[2]);
check("the threshold is 1.4e9", statement[1] === 1400000000n);
const nullifiers = statement.slice(4);
check("the nullifiers differ pairwise", new Set(nullifiers.map(String)).size === nullifiers.length);

const publicSignals = read("public.json");
const expected = hash(statement);
check("public.json is circomlibjs's Poseidon of the statement",
  publicSignals.length === 1 && BigInt(publicSignals[0]) === expected);

const vk = read("verification_key.json");
const proof = read("proof.json");
check("snarkjs verifies zkpay's proof of funds", await snarkjs.groth16.verify(vk, publicSignals, proof));
const raised = [...statement];
raised[1] += 1n;
check("snarkjs rejects it for a raised threshold",
  !(await snarkjs.groth16.verify(vk, [hash(raised).toString()], proof)));

finish();
