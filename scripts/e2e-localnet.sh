#!/usr/bin/env bash
# zkpay end to end over RPC, with the `zkpay` command, against a real
# validator (scripts/localnet.sh, fresh ledger): open the SOL pool, two
# wallets (separate homes), a deposit, a private payment, the payee's sync,
# a withdrawal, a restore from the recovery phrase, then a relayer service
# (`zkpay relayer serve`) through which Alice pays and Bob withdraws holding
# no SOL, neither account appearing in the transactions; every shielded and
# public balance checked after each step. Prints a transcript with times,
# compute units and transaction sizes, and ends with
# `e2e-localnet: N passed, M failed` (exit status 1 if any failed).
#
#   scripts/e2e-localnet.sh [--keep]    --keep leaves the validator running
#
# Needs the validator (`scripts/localnet.sh install`, once, about 28 min on
# 2 cores), curl, jq and openssl. Funds come from the validator's faucet
# (RPC requestAirdrop, through `zkpay airdrop`). See docs/LOCALNET.md.
set -euo pipefail
cd "$(dirname "$0")/.."

keep=false
[ "${1:-}" = "--keep" ] && keep=true

PORT="${ZKPAY_LOCALNET_PORT:-8899}"
URL="http://127.0.0.1:$PORT"
# The CLI's moniker when the validator is on its default port.
if [ "$PORT" = 8899 ]; then CLUSTER=localnet; else CLUSTER="$URL"; fi
LAMPORTS=1000000000

for tool in curl jq openssl; do
    command -v "$tool" >/dev/null || { echo "e2e-localnet: needs $tool" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/zkpay-e2e.XXXXXX")"
relayer_pid=""
cleanup() {
    if [ -n "$relayer_pid" ]; then kill "$relayer_pid" 2>/dev/null || true; fi
    if [ "$keep" = false ]; then scripts/localnet.sh stop 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s%N)
passed=0
failed=0

elapsed() {
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    printf '%4d.%d s' $((ms / 1000)) $((ms % 1000 / 100))
}
say() { echo "[$(elapsed)] $*"; }
pass() { passed=$((passed + 1)); echo "           ok    $*"; }
fail() { failed=$((failed + 1)); echo "           FAIL  $*"; }

# `check <what> <expected> <actual>`
check() {
    if [ "$2" = "$3" ]; then pass "$1: $3"; else fail "$1: expected $2, got $3"; fi
}

# Lamports as SOL, the way zkpay prints amounts (no trailing zeros).
sol() {
    local whole=$(($1 / LAMPORTS)) frac
    frac=$(printf '%09d' $(($1 % LAMPORTS)) | sed 's/0*$//')
    if [ -n "$frac" ]; then echo "$whole.$frac"; else echo "$whole"; fi
}

rpc() {
    curl -s -X POST -H 'Content-Type: application/json' -d "$1" "$URL"
}
public_balance() {
    rpc "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBalance\",\"params\":[\"$1\",{\"commitment\":\"confirmed\"}]}" \
        | jq -r .result.value
}
account_keys() {
    rpc "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"$1\",{\"commitment\":\"confirmed\",\"maxSupportedTransactionVersion\":0}]}" \
        | jq -r '.result.transaction.message.accountKeys[]'
}
transaction_fee() {
    rpc "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"$1\",{\"commitment\":\"confirmed\",\"maxSupportedTransactionVersion\":0}]}" \
        | jq -r .result.meta.fee
}
rent_exempt() {
    rpc "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getMinimumBalanceForRentExemption\",\"params\":[$1]}" \
        | jq -r .result
}

# A Solana keypair file (64 bytes as JSON: secret seed, public key) from
# openssl's Ed25519, with no Solana tool.
new_keypair() {
    local der="$work/key.der" pub="$work/key.pub.der"
    openssl genpkey -algorithm ed25519 -outform DER -out "$der" 2>/dev/null
    openssl pkey -inform DER -in "$der" -pubout -outform DER -out "$pub" 2>/dev/null
    { tail -c 32 "$der"; tail -c 32 "$pub"; } | od -An -v -tu1 \
        | tr -s ' \n' ',' | sed 's/^,//; s/,$//; s/.*/[&]/' > "$1"
    rm -f "$der" "$pub"
}

# `run <label> <home> <keypair> <args...>`: runs zkpay, prints its time and
# each transaction's size, compute units and timings; output in $out.
run() {
    local label=$1 home=$2 keypair=$3
    shift 3
    local start end
    start=$(date +%s%N)
    if ! out=$("$ZKPAY" --url "$CLUSTER" --home "$home" --keypair "$keypair" "$@" 2>"$work/stderr"); then
        say "$label: zkpay $* failed:"
        cat "$work/stderr"
        fail "$label"
        echo "e2e-localnet: $passed passed, $failed failed"
        exit 1
    fi
    end=$(date +%s%N)
    say "$label ($(( (end - start) / 1000000 )) ms)"
    echo "$out" | sed -n 's/^  transaction \([^:]*\): \(.*\)/           tx \1: \2/p'
}

# The first transaction signature in $out.
signature() { echo "$out" | sed -n 's/^  transaction \([^:]*\):.*/\1/p' | head -n 1; }

# `shielded <home>`: the spendable balance `zkpay balance` reports.
shielded() {
    "$ZKPAY" --url "$CLUSTER" --home "$1" --keypair "$2" balance 2>/dev/null \
        | sed -n 's/^Spendable: \([0-9.]*\) SOL.*/\1/p'
}

say "building zkpay (cargo build --release -p zkpay-client --bin zkpay)"
cargo build --release -q -p zkpay-client --bin zkpay
ZKPAY="$(pwd)/target/release/zkpay"

say "validator: scripts/localnet.sh (install is a no-op once done)"
scripts/localnet.sh install
scripts/localnet.sh stop 2>/dev/null || true
scripts/localnet.sh start
say "validator up at $URL"

alice="$work/alice" bob="$work/bob"
mkdir -p "$alice" "$bob"
new_keypair "$alice/payer.json"
new_keypair "$bob/payer.json"
rent0=$(rent_exempt 0)
# NULLIFIER_STORAGE_FEE (programs/zkpay-core/src/program/nullifier_page.rs):
# what each settlement's payer pays into the pool's reserve.
storage_fee=240000

run "airdrop 10 SOL to Alice's payer" "$alice" "$alice/payer.json" airdrop 10
alice_payer=$(echo "$out" | sed -n 's/^Airdropped .* SOL to \([^;]*\);.*/\1/p')
check "Alice's payer" "$((10 * LAMPORTS))" "$(public_balance "$alice_payer")"
run "airdrop 1 SOL to Bob's payer" "$bob" "$bob/payer.json" airdrop 1
bob_payer=$(echo "$out" | sed -n 's/^Airdropped .* SOL to \([^;]*\);.*/\1/p')
check "Bob's payer" "$LAMPORTS" "$(public_balance "$bob_payer")"

run "open the SOL pool" "$alice" "$alice/payer.json" pool open
vault=$(echo "$out" | sed -n 's/.*vault \([^)]*\)).*/\1/p')
echo "           $out"
check "vault (rent reserve only)" "$rent0" "$(public_balance "$vault")"

run "Alice: wallet new" "$alice" "$alice/payer.json" wallet new
echo "$out" | sed -n '/^Recovery phrase/,/^Your/{/^    /p}' | sed 's/^ *//' > "$work/alice-phrase.txt"
check "recovery phrase words" 24 "$(wc -w < "$work/alice-phrase.txt" | tr -d ' ')"
run "Bob: wallet new" "$bob" "$bob/payer.json" wallet new
bob_address=$(echo "$out" | grep '^zkpay:')

alice_before=$(public_balance "$alice_payer")
run "Alice deposits 2 SOL" "$alice" "$alice/payer.json" deposit 2
fee=$(transaction_fee "$(signature)")
check "Alice's shielded balance" 2 "$(shielded "$alice" "$alice/payer.json")"
check "Alice's payer (2 SOL, fee $fee, storage fee)" \
    "$((alice_before - 2 * LAMPORTS - fee - storage_fee))" "$(public_balance "$alice_payer")"
check "vault" "$((rent0 + 2 * LAMPORTS))" "$(public_balance "$vault")"

alice_before=$(public_balance "$alice_payer")
run "Alice pays Bob 0.75 SOL privately" "$alice" "$alice/payer.json" pay "$bob_address" 0.75 --memo rent
fee=$(transaction_fee "$(signature)")
check "Alice's shielded balance" 1.25 "$(shielded "$alice" "$alice/payer.json")"
check "Alice's payer (fee $fee, storage fee)" \
    "$((alice_before - fee - storage_fee))" "$(public_balance "$alice_payer")"
check "vault (a private payment moves nothing public)" "$((rent0 + 2 * LAMPORTS))" "$(public_balance "$vault")"

run "Bob syncs" "$bob" "$bob/payer.json" sync
echo "$out" | sed 's/^/           /'
found=$(echo "$out" | sed -n 's/.*found \([0-9]*\) new notes (\([0-9.]*\) SOL).*/\1 \2/p')
check "Bob found" "1 0.75" "$found"
check "Bob's shielded balance" 0.75 "$(shielded "$bob" "$bob/payer.json")"
run "Bob's history" "$bob" "$bob/payer.json" history
echo "$out" | sed 's/^/           /'
check "Bob's history shows the payment and memo" 1 "$(echo "$out" | grep -c '^received  *0.75 SOL  "rent"')"

alice_before=$(public_balance "$alice_payer")
bob_before=$(public_balance "$bob_payer")
run "Bob withdraws 0.5 SOL to Alice's public account" "$bob" "$bob/payer.json" withdraw 0.5 "$alice_payer"
fee=$(transaction_fee "$(signature)")
check "Bob's shielded balance" 0.25 "$(shielded "$bob" "$bob/payer.json")"
check "Alice's public account (+0.5 SOL)" "$((alice_before + LAMPORTS / 2))" "$(public_balance "$alice_payer")"
check "Bob's payer (fee $fee, storage fee)" \
    "$((bob_before - fee - storage_fee))" "$(public_balance "$bob_payer")"
check "vault" "$((rent0 + 3 * LAMPORTS / 2))" "$(public_balance "$vault")"

restored="$work/alice-restored"
mkdir -p "$restored"
start=$(date +%s%N)
out=$("$ZKPAY" --url "$CLUSTER" --home "$restored" --keypair "$alice/payer.json" wallet restore \
    < "$work/alice-phrase.txt")
say "Alice restores her phrase into a new wallet ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
echo "$out" | sed 's/^/           /'
check "restored shielded balance" 1.25 "$(shielded "$restored" "$alice/payer.json")"
check "restored address" "$("$ZKPAY" --home "$alice" wallet address)" \
    "$("$ZKPAY" --home "$restored" wallet address)"
run "restored history" "$restored" "$alice/payer.json" history
echo "$out" | sed 's/^/           /'
# The payee comes back from the change note's payee record, as `history`
# shortens it: the first 12 and the last 6 characters.
bob_short="${bob_address:0:12}..${bob_address: -6}"
check "restored history: one deposit, one payment to Bob" "1 1" \
    "$(echo "$out" | grep -c '^deposit  *2 SOL') $(echo "$out" | grep -cF "0.75 SOL  $bob_short  \"rent\"")"

RELAYER_PORT="${ZKPAY_RELAYER_PORT:-8787}"
RELAYER_URL="http://127.0.0.1:$RELAYER_PORT"
relayer="$work/relayer"
mkdir -p "$relayer"
new_keypair "$relayer/key.json"
run "airdrop 1 SOL to a relayer" "$relayer" "$relayer/key.json" airdrop 1
relayer_key=$(echo "$out" | sed -n 's/^Airdropped .* SOL to \([^;]*\);.*/\1/p')
"$ZKPAY" --url "$CLUSTER" --keypair "$relayer/key.json" relayer serve \
    --listen "127.0.0.1:$RELAYER_PORT" > "$work/relayer.log" 2>&1 &
relayer_pid=$!
for _ in $(seq 1 100); do
    curl -sf "$RELAYER_URL/health" >/dev/null 2>&1 && break
    sleep 0.2
done
say "relayer $relayer_key serving at $RELAYER_URL"
sed 's/^/           /' "$work/relayer.log"
relay_fee=$(curl -s "$RELAYER_URL/v1/quote" | jq -r '.pools[0].transfer_fee')
check "quoted fee (signature + storage fee + 10,000 margin)" \
    "$((5000 + storage_fee + 10000))" "$relay_fee"

alice_before=$(public_balance "$alice_payer")
relayer_before=$(public_balance "$relayer_key")
run "Alice pays Bob 0.1 SOL through the relayer" "$alice" "$alice/payer.json" \
    pay "$bob_address" 0.1 --relayer "$RELAYER_URL"
sig=$(signature)
fee=$(transaction_fee "$sig")
check "Alice's payer untouched" "$alice_before" "$(public_balance "$alice_payer")"
check "Alice's payer absent from the transaction" 0 "$(account_keys "$sig" | grep -c "$alice_payer" || true)"
check "the relayer signs and pays" "$relayer_key" "$(account_keys "$sig" | head -n 1)"
check "Alice's shielded balance (less the relayer's fee)" \
    "$(sol $((125 * LAMPORTS / 100 - LAMPORTS / 10 - relay_fee)))" "$(shielded "$alice" "$alice/payer.json")"
check "relayer's margin (fee - transaction fee $fee - storage fee)" \
    "$((relayer_before + relay_fee - fee - storage_fee))" "$(public_balance "$relayer_key")"

new_keypair "$work/penniless.json"
bob_before=$(public_balance "$bob_payer")
alice_before=$(public_balance "$alice_payer")
run "Bob withdraws 0.1 SOL to Alice's account through the relayer, with a key that holds no SOL" \
    "$bob" "$work/penniless.json" withdraw 0.1 "$alice_payer" --relayer "$RELAYER_URL"
sig=$(signature)
check "Alice's public account (+0.1 SOL)" "$((alice_before + LAMPORTS / 10))" "$(public_balance "$alice_payer")"
check "Bob's payer absent from the transaction" 0 "$(account_keys "$sig" | grep -c "$bob_payer" || true)"
check "Bob's payer untouched" "$bob_before" "$(public_balance "$bob_payer")"
check "Bob's shielded balance" "$(sol $((LAMPORTS / 4 + LAMPORTS / 10 - LAMPORTS / 10 - relay_fee)))" \
    "$(shielded "$bob" "$bob/payer.json")"

kill -INT "$relayer_pid"
if wait "$relayer_pid"; then pass "relayer stopped cleanly on SIGINT"; else fail "relayer exit status $?"; fi
relayer_pid=""

say "done"
echo "e2e-localnet: $passed passed, $failed failed"
[ "$failed" = 0 ]
