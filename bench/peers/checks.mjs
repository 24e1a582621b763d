// What check.mjs and check-funds.mjs share: reading a folder's JSON, the
// circomlibjs Poseidon, and a tally of named checks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildPoseidon } from "circomlibjs";

// The folder named on the command line, or the usage line and exit 2.
export function folder(usage) {
  const dir = process.argv[2];
  if (!dir) {
    console.error(usage);
    process.exit(2);
  }
  return dir;
}

// A reader of <dir>/<name> as JSON.
export const reader = (dir) => (name) => JSON.parse(readFileSync(join(dir, name), "utf8"));

// circomlibjs's Poseidon of a list of values, as a BigInt.
export async function poseidonHasher() {
  const poseidon = await buildPoseidon();
  return (values) => poseidon.F.toObject(poseidon(values.map(BigInt)));
}

// `check(name, ok)` prints and counts; `finish()` prints the tally and
// exits 1 if any check failed.
export function tally() {
  let passed = 0;
  let failed = 0;
  return {
    check(name, ok) {
      if (ok) {
        passed += 1;
        console.log(`ok     ${name}`);
      } else {
        failed += 1;
        console.log(`FAILED ${name}`);
      }
    },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
