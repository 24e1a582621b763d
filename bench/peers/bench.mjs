// zkpay's prover against circom + snarkjs on the same statement and the same
// witness values, and against stock arkworks Groth16 (a native peer) proving
// circom's compiled R1CS with snarkjs' witness, alternating, in one run;
// prints one table.
// Usage: node bench.mjs [runs]   (from bench/peers, after `npm ci`)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";

const runs = Number(process.argv[2] ?? 5);
const build = "build";
const ours = join(build, "ours");
mkdirSync(build, { recursive: true });

function sh(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ["ignore", "pipe", "inherit"], ...options }).toString();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}`;

// Our side: the release binary, built once.
sh("cargo", ["build", "--release", "-q", "-p", "zkpay-circuits"], { cwd: "../.." });
const zkpay = "../../target/release/zkpay-circuits";
const oursOnce = () => JSON.parse(sh(zkpay, ["peer", ours, "--runs", "1"]).trim().split("\n").pop());
const first = oursOnce(); // also writes input.json

// Their side: compile the circuit, a local powers of tau, the zkey.
const r1cs = join(build, "transfer.r1cs");
const wasm = join(build, "transfer_js", "transfer.wasm");
if (!existsSync(r1cs)) {
  console.error("compiling transfer.circom with circom2...");
  sh("npx", ["circom2", "transfer.circom", "--O2", "--r1cs", "--wasm", "-l", "node_modules", "-o", build]);
}
const info = await snarkjs.r1cs.info(r1cs);
const power = Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1));
const ptau = join(build, `pot${power}_final.ptau`);
if (!existsSync(ptau)) {
  console.error(`powers of tau 2^${power} (one local contribution, development only)...`);
  const p0 = join(build, `pot${power}_0.ptau`);
  const p1 = join(build, `pot${power}_1.ptau`);
  sh("npx", ["snarkjs", "powersoftau", "new", "bn128", String(power), p0]);
  sh("npx", ["snarkjs", "powersoftau", "contribute", p0, p1, "--name=bench", "-e=zkpay peer bench"]);
  // Written under another name first: an interrupted run leaves no file
  // that a later run would take for a finished one.
  sh("npx", ["snarkjs", "powersoftau", "prepare", "phase2", p1, `${ptau}.partial`]);
  renameSync(`${ptau}.partial`, ptau);
}
const zkeyPath = join(build, "transfer.zkey");
if (!existsSync(zkeyPath)) {
  console.error("groth16 setup...");
  sh("npx", ["snarkjs", "groth16", "setup", r1cs, ptau, `${zkeyPath}.partial`]);
  renameSync(`${zkeyPath}.partial`, zkeyPath);
}
const vk = await snarkjs.zKey.exportVerificationKey(zkeyPath);
const zkey = { type: "mem", data: new Uint8Array(readFileSync(zkeyPath)) };
const input = JSON.parse(readFileSync(join(ours, "input.json"), "utf8"));

async function snarkjsOnce() {
  const started = performance.now();
  const wtns = { type: "mem" };
  await snarkjs.wtns.calculate(input, wasm, wtns);
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns);
  const ms = performance.now() - started;
  const verifyStarted = performance.now();
  const ok = await snarkjs.groth16.verify(vk, publicSignals, proof);
  return { ms, verifyMs: performance.now() - verifyStarted, ok, publicSignals, proof };
}

// Warm both up, then alternate.
const warm = await snarkjsOnce();
if (!warm.ok || warm.publicSignals[0] !== input.publicInputsHash) {
  throw new Error("snarkjs did not prove the same statement");
}
// The native peer proves circom's R1CS from the witness snarkjs computes.
const wtnsPath = join(build, "transfer.wtns");
await snarkjs.wtns.calculate(input, wasm, wtnsPath);
const arkworksOnce = () =>
  JSON.parse(sh(zkpay, ["peer-arkworks", r1cs, wtnsPath, "--runs", "1"]).trim().split("\n").pop());
const oursMs = [];
const theirsMs = [];
const theirsVerifyMs = [];
const arkworksMs = [];
let oursFigures = first;
let arkworksFigures;
for (let i = 0; i < runs; i++) {
  oursFigures = oursOnce();
  oursMs.push(oursFigures.prove_ms[0]);
  const theirs = await snarkjsOnce();
  theirsMs.push(theirs.ms);
  theirsVerifyMs.push(theirs.verifyMs);
  arkworksFigures = arkworksOnce();
  arkworksMs.push(arkworksFigures.prove_ms[0]);
}
const ratios = theirsMs.map((t, i) => t / oursMs[i]);

const row = (cells) => `| ${cells.join(" | ")} |`;
console.log(`\nSame statement (2x2 transfer, depth 26, one public input), same witness, ${runs} alternating runs, ${
  (await import("node:os")).availableParallelism()} threads\n`);
console.log(row(["prover", "constraints", "prove median (ms)", "prove min..max (ms)", "peak RSS (MB)", "proof (bytes, binary)", "verify (ms)"]));
console.log(row(["---", "---", "---", "---", "---", "---", "---"]));
console.log(row(["zkpay (arkworks synthesis, tabled MSMs, halo2curves FFT)", oursFigures.constraints, median(oursMs).toFixed(0), spread(oursMs),
  (oursFigures.peak_rss_kb / 1024).toFixed(0), oursFigures.proof_bytes, oursFigures.verify_ms.toFixed(1)]));
console.log(row(["circom 2 + snarkjs 0.7.6 (wasm witness)", info.nConstraints, median(theirsMs).toFixed(0), spread(theirsMs),
  (process.resourceUsage().maxRSS / 1024).toFixed(0), 256, median(theirsVerifyMs).toFixed(1)]));
console.log(row(["arkworks 0.5 Groth16, stock (circom's R1CS, snarkjs' witness)", arkworksFigures.constraints,
  median(arkworksMs).toFixed(0), spread(arkworksMs), (arkworksFigures.peak_rss_kb / 1024).toFixed(0), 256,
  arkworksFigures.verify_ms.toFixed(1)]));
const arkworksRatios = arkworksMs.map((t, i) => t / oursMs[i]);
console.log(`\nsnarkjs / zkpay, pair by pair: ${ratios.map((r) => r.toFixed(1)).join(", ")}; median ${median(ratios).toFixed(1)}x`);
console.log(`arkworks / zkpay, pair by pair: ${arkworksRatios.map((r) => r.toFixed(1)).join(", ")}; median ${median(arkworksRatios).toFixed(1)}x`);
console.log(`(zkpay's peak RSS is the prover process; snarkjs's is this node process. zkey ${(statSync(zkeyPath).size / 1e6).toFixed(1)} MB.)`);
process.exit(0);
