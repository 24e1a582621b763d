//! The `zkpay` binary itself, on its embedded chain kept in a temporary
//! home: the happy path and the main errors.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn zkpay(home: &Path, wallet: &str) -> Command {
    let mut command = Command::cargo_bin("zkpay").unwrap();
    command
        .env("ZKPAY_HOME", home)
        .env_remove("RUST_LOG")
        .arg("--wallet")
        .arg(home.join(wallet));
    command
}

/// Runs and returns (success, stdout, stderr).
fn run(home: &Path, wallet: &str, args: &[&str]) -> (bool, String, String) {
    let output = zkpay(home, wallet).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn ok(home: &Path, wallet: &str, args: &[&str]) -> String {
    let (success, stdout, stderr) = run(home, wallet, args);
    assert!(success, "zkpay {args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

fn fails(home: &Path, wallet: &str, args: &[&str], message: &str) {
    let (success, stdout, stderr) = run(home, wallet, args);
    assert!(!success, "zkpay {args:?} should fail:\n{stdout}");
    assert!(
        stderr.contains(message),
        "zkpay {args:?}: expected {message:?} in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn address(home: &Path, wallet: &str) -> String {
    ok(home, wallet, &["wallet", "address"]).trim().to_string()
}

#[test]
fn pay_a_peer_from_the_command_line() {
    let home = TempDir::new().unwrap();
    let home = home.path();
    let created = ok(home, "alice.db", &["wallet", "new"]);
    assert!(created.contains("Recovery phrase"));
    ok(home, "bob.db", &["wallet", "new"]);
    let bob = address(home, "bob.db");
    assert!(bob.starts_with("zkpay:"));

    let out = ok(home, "alice.db", &["deposit", "2"]);
    assert!(out.contains("Deposited 2 SOL"), "{out}");
    assert!(
        !out.contains("Instruction:"),
        "runtime noise on stdout: {out}"
    );
    let out = ok(home, "alice.db", &["pay", &bob, "0.75", "--memo", "rent"]);
    assert!(out.contains("Paid 0.75 SOL"), "{out}");

    let out = ok(home, "bob.db", &["balance"]);
    assert!(out.contains("Spendable: 0.75 SOL in 1 note(s)"), "{out}");
    let out = ok(home, "bob.db", &["history"]);
    assert!(
        out.contains("received") && out.contains("\"rent\""),
        "{out}"
    );

    // Bob discloses the payment, named as his history shortens it; anyone
    // verifies the file against the chain; an altered one fails.
    let received = out.lines().find(|l| l.contains("received")).unwrap();
    let short_signature = received.split_whitespace().last().unwrap();
    let file = home.join("rent.disclosure");
    let out = ok(
        home,
        "bob.db",
        &["disclose", short_signature, "-o", file.to_str().unwrap()],
    );
    assert!(out.contains("Wrote a disclosure"), "{out}");
    let out = ok(
        home,
        "carol.db",
        &["verify-disclosure", file.to_str().unwrap()],
    );
    assert!(
        out.contains("of 0.75 SOL") && out.contains("\"rent\"") && out.contains(&bob),
        "{out}"
    );
    let altered = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"amount\": 750000000", "\"amount\": 760000000");
    std::fs::write(&file, altered).unwrap();
    fails(
        home,
        "carol.db",
        &["verify-disclosure", file.to_str().unwrap()],
        "does NOT hold",
    );

    // Alice proves she holds at least 1 SOL for a landlord's challenge;
    // anyone verifies it; it answers no other challenge; she cannot prove
    // more than she holds.
    let file = home.join("landlord.funds");
    let out = ok(
        home,
        "alice.db",
        &[
            "prove-funds",
            "--at-least",
            "1",
            "--challenge",
            "flat 3B",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.contains("Wrote a proof of funds"), "{out}");
    let out = ok(
        home,
        "carol.db",
        &[
            "verify-funds",
            file.to_str().unwrap(),
            "--challenge",
            "flat 3B",
        ],
    );
    assert!(
        out.contains("worth at least 1 SOL") && out.contains("\"flat 3B\""),
        "{out}"
    );
    fails(
        home,
        "carol.db",
        &[
            "verify-funds",
            file.to_str().unwrap(),
            "--challenge",
            "flat 4C",
        ],
        "not \"flat 4C\"",
    );
    fails(
        home,
        "alice.db",
        &["prove-funds", "--at-least", "2", "--challenge", "flat 3B"],
        "insufficient funds",
    );

    let public = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
    let out = ok(home, "bob.db", &["withdraw", "0.25", public]);
    assert!(out.contains("Withdrew 0.25 SOL"), "{out}");
    let out = ok(home, "bob.db", &["sync", "--rescan"]);
    assert!(out.contains("Spendable: 0.5 SOL"), "{out}");
    let out = ok(home, "alice.db", &["balance"]);
    assert!(out.contains("Spendable: 1.25 SOL"), "{out}");

    // Restoring Alice's phrase into a new file finds her funds.
    let phrase = created
        .lines()
        .skip_while(|l| !l.starts_with("Recovery phrase"))
        .find(|l| l.starts_with("    "))
        .unwrap()
        .trim()
        .to_string();
    let restored = zkpay(home, "alice-restored.db")
        .args(["wallet", "restore"])
        .write_stdin(phrase)
        .output()
        .unwrap();
    let out = String::from_utf8(restored.stdout).unwrap();
    assert!(restored.status.success(), "{out}");
    assert!(out.contains("Spendable: 1.25 SOL"), "{out}");

    // Her full viewing key makes a watch-only wallet that sees the same
    // balance and whom she paid, and refuses to spend.
    let key = ok(home, "alice.db", &["wallet", "export-viewing-key"]);
    assert!(key.trim().starts_with("zkpayfvk:"), "{key}");
    let imported = zkpay(home, "alice-watch.db")
        .args(["wallet", "import-viewing-key"])
        .write_stdin(key.clone())
        .output()
        .unwrap();
    let out = String::from_utf8(imported.stdout).unwrap();
    assert!(imported.status.success(), "{out}");
    assert!(
        out.contains("watch-only") && out.contains("Spendable: 1.25 SOL"),
        "{out}"
    );
    assert_eq!(address(home, "alice-watch.db"), address(home, "alice.db"));
    let history = ok(home, "alice-watch.db", &["history"]);
    let bob_short = format!("{}..{}", &bob[..12], &bob[bob.len() - 6..]);
    assert!(history.contains(&bob_short), "{history}");
    fails(
        home,
        "alice-watch.db",
        &["pay", &bob, "0.1"],
        "cannot spend",
    );
    fails(
        home,
        "alice-watch.db",
        &["withdraw", "0.1", public],
        "cannot spend",
    );
    let out = ok(home, "alice-watch.db", &["balance"]);
    assert!(out.contains("Spendable: 1.25 SOL"), "{out}");
    let typo = key.trim().replace("zkpayfvk:", "zkpayfvk:1");
    let bad = zkpay(home, "bad-watch.db")
        .args(["wallet", "import-viewing-key"])
        .write_stdin(typo)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("viewing key"));
    assert!(!home.join("bad-watch.db").exists());
}

#[test]
fn mistakes_get_clear_errors() {
    let home = TempDir::new().unwrap();
    let home = home.path();
    fails(home, "none.db", &["balance"], "no wallet at");
    ok(home, "alice.db", &["wallet", "new"]);
    fails(home, "alice.db", &["wallet", "new"], "already exists");
    ok(home, "alice.db", &["deposit", "1"]);
    let alice = address(home, "alice.db");

    // The last character changed (to one that differs from it).
    let last = if alice.ends_with('x') { 'y' } else { 'x' };
    let typo = format!("{}{last}", &alice[..alice.len() - 1]);
    fails(home, "alice.db", &["pay", &typo, "0.1"], "checksum");
    fails(
        home,
        "alice.db",
        &["pay", "bob", "0.1"],
        "must start with `zkpay:`",
    );
    fails(
        home,
        "alice.db",
        &["pay", &alice, "5"],
        "insufficient funds: 5 requested but 1 spendable",
    );
    fails(home, "alice.db", &["pay", &alice, "-1"], "negative");
    fails(home, "alice.db", &["pay", &alice, "1,5"], "not an amount");
    fails(
        home,
        "alice.db",
        &["pay", &alice, "0.0000000001"],
        "more than 9 decimal places",
    );
    fails(
        home,
        "alice.db",
        &["withdraw", "0.1", "not-a-key"],
        "not a Solana address",
    );
    let bad_restore = zkpay(home, "restored.db")
        .args(["wallet", "restore"])
        .write_stdin("abandon abandon abandon")
        .output()
        .unwrap();
    assert!(!bad_restore.status.success());
    assert!(String::from_utf8_lossy(&bad_restore.stderr).contains("recovery phrase is not valid"));
    assert!(!home.join("restored.db").exists());

    // A relayer that is not there: nothing is proved or spent.
    fails(
        home,
        "alice.db",
        &["pay", &alice, "0.1", "--relayer", "http://127.0.0.1:9"],
        "cannot reach the relayer",
    );
    fails(
        home,
        "alice.db",
        &["relayer", "serve"],
        "a relayer serves a cluster",
    );

    // Nothing changed.
    let out = ok(home, "alice.db", &["balance"]);
    assert!(out.contains("Spendable: 1 SOL in 1 note(s)"), "{out}");
}
