//! Test vectors pinning the wallet's wire formats, as orchard's
//! `test_vectors/` pin Zcash's: fixed inputs and the exact keys, address
//! and note bytes they give. A change to any of them is a protocol change:
//! a restored wallet would derive other keys, or could no longer read notes
//! already on-chain. `docs/PROTOCOL.md` specifies each format. Field
//! elements are written as 32 bytes, big-endian, in hex.

use rand::{CryptoRng, RngCore};
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::Fr;
use zkpay_core::asset::{asset_id, NATIVE_SOL_MINT};

use crate::address::ShieldedAddress;
use crate::encryption::{
    open_incoming, open_outgoing, payee_address, seal_change, seal_note, ViewTag,
};
use crate::keys::WalletKeys;
use crate::viewing_key::FullViewingKey;

/// A recovery phrase and what it derives.
struct KeyVector {
    phrase: &'static str,
    spending_secret: &'static str,
    owner: &'static str,
    incoming_view_key: &'static str,
    encryption_key: &'static str,
    outgoing_view_key: &'static str,
    nullifier_key: &'static str,
    address: &'static str,
    viewing_key: &'static str,
}

/// Standard BIP39 phrases (empty passphrase).
const KEYS: [KeyVector; 2] = [
    KeyVector {
        phrase: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        spending_secret: "26a646de01778e3495ad14a15ac054a05bf27863801ba884db2cf51c8d5a448e",
        owner: "04202d9aa7c04311fe39e269260425f8e0d3239eddbc9fe0a91a15eb7dd8cea2",
        incoming_view_key: "dbfa87aedd7b316f32cfd9e5615a3380dd25aa711968040f1bac785e1854a852",
        encryption_key: "4ffbd6db67ad56ae0cb0f9c5248185a5a130da763e9b01307bbdbd48ca115e3e",
        outgoing_view_key: "859a83470f1f9b75b628b2939cf6cc3d6e9e31af93bcfd5e21e558429c207db2",
        nullifier_key: "15376bf225adaba9d24008d6039a7427725885375c13b95fbed2ce2b0335c79e",
        address: "zkpay:b2r8n9SLZ8kc4Yxwv7Uyn8mErszLxANgBENjApNNkoH7jXT4EJmDueVCwfXspU2bZMwWtQG7Ur9S5h9jR4dpQYBP6mvjT",
        viewing_key: "zkpayfvk:41BfSamqUJUwijtj3pJGLAUVhhb2K4yWwjKoa4i4d7q5xVoZWN5kV1xDMBCok59Afz7rQKP9cuzx1d49d5cu3ue2Qjb7reCjFoCyeWoFNPKwha5wtLbZa6bmZHAw1oUY1K4SpjT4AQP76QKmpXmMvjRFWQJuy7q5TLaSoJ5hBNMankZuQJH7d",
    },
    KeyVector {
        phrase: "legal winner thank year wave sausage worth useful legal winner thank yellow",
        spending_secret: "176d56579f1a1e50e8d44c76e712859da51d1bf062174dd2ad2c7e86c6e6bd6c",
        owner: "0e350a5146ace5a19f210aa16cf64a5929e094b9063e7887073fc1ec54d2279d",
        incoming_view_key: "2fd1a47e60539528e3006d6595f3500852d7694150198e30c31d3428982a3649",
        encryption_key: "5516b0680a68ebc6b0c6b48694421999a43331228fc9b9088d964034d8ed751d",
        outgoing_view_key: "166c007ff37a482189e338ceedc50489ba9c44c3425dbcb9965a3ecd9144110f",
        nullifier_key: "0734b84ea0a6edd41a77c1310287a614896367b7058343f05a689f8959305d5d",
        address: "zkpay:cMM52efkfS8fsrmQDvMyFCreE9DceodjmU3bvZki5z5PK5pKiJdkFMv26ggkgm9KzCPP7bsT3xLDEJ2C6GWDDGQzgUz2y",
        viewing_key: "zkpayfvk:47wCq7jW5H8z4RceLpWhTSKbhjxnBSpAGa7qLJF5dohZZZyVW61Xu9qcghizRd8GNb2df7MpR9BTFwXiNLgHTjs2NXMw5884Ah9cV7C9WWaJ5onCBwfq7Z4gEodtwjiKpZZzB8mzS3TKWKqrmutbLJVzCJgNhCFbr8FNpbwdNVfucSPvTsZHd",
    },
];

/// A note sealed by `KEYS[sender]` to `KEYS[recipient]` with the ephemeral
/// secret `esk`, and the bytes it gives.
struct NoteVector {
    sender: usize,
    recipient: usize,
    amount: u64,
    mint: [u8; 32],
    memo: &'static [u8],
    esk: [u8; 32],
    asset_id: &'static str,
    blinding: &'static str,
    commitment: &'static str,
    leaf_index: u64,
    nullifier: &'static str,
    ciphertext: &'static str,
}

const NOTES: [NoteVector; 2] = [
    NoteVector {
        sender: 0,
        recipient: 1,
        amount: 250_000_000,
        mint: NATIVE_SOL_MINT,
        memo: b"rent for March",
        esk: [0x11; 32],
        asset_id: "008e66cf9be4204c5599172413012cdbee02105dc14588079469f5e8c4290b69",
        blinding: "25f72bf6ab313e2aaba51c51cdb4cc1e995d88b8afdab22c14e36fcf009495b6",
        commitment: "267954bd28432a6856a9236c2201595c19f2727dfc3bab06d925f58d40d77fb2",
        leaf_index: 6,
        nullifier: "17906454064de63e703266e759b2984b066e414e0c02a097ac33dcad41c5eeb1",
        ciphertext: concat!(
            "387b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f",
            "1378d25a5acb466790412d09419cef180a645fee0327c40893c9c679a50221a1",
            "e2df9ecc866628b667b5ccc9fccc6b6ba58a96982ebfd61bfdccc7a431c7eb19",
            "b090c1413994f0a63509f6d396d1e7d44b4c732907a76920c59f",
        ),
    },
    NoteVector {
        sender: 1,
        recipient: 0,
        amount: 1,
        mint: [0xa7; 32],
        memo: b"",
        esk: [0x42; 32],
        asset_id: "006cb3c67f7ca8777f8a2152c5277505ebe00edccb00e000f2685b0af46e9113",
        blinding: "02001a100a5d28439ba0cb3d854ad815e50373e97243153d944be8be57d9b567",
        commitment: "058c90bdc7d98cdcc8c4cb6e3904f965a62bc07b31df656cde12e0f15e742da5",
        leaf_index: 1_048_575,
        nullifier: "1dbe1214a0d52b9920277dc87359a98c8a6d51d9c159511b5b77d182af1d0296",
        ciphertext: concat!(
            "c6132c442be010fbd57e72603328aa76e71fccc1503aae219327d14d9c9993f4",
            "720bde83a5c16e8aa73057d7633d9ac8b89d09a954a319270b7e3efb90ef2482",
            "0ad55accb46c4a8a10d3dc6913e6a9517f0e3661258611995b838b8a6ba2a8a3",
            "c9e978b7d808d795b5a879c834e838fb69420ae7770f782ddb9c",
        ),
    },
];

/// An RNG that hands out the given bytes once: the ephemeral secret.
struct EphemeralSecret([u8; 32]);

impl RngCore for EphemeralSecret {
    fn next_u32(&mut self) -> u32 {
        unreachable!("sealing draws the ephemeral secret as 32 bytes")
    }
    fn next_u64(&mut self) -> u64 {
        unreachable!("sealing draws the ephemeral secret as 32 bytes")
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        assert_eq!(dest.len(), 32, "sealing draws 32 bytes");
        dest.copy_from_slice(&self.0);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for EphemeralSecret {}

fn field_hex(value: &Fr) -> String {
    hex::encode(to_bytes(value))
}

fn keys(index: usize) -> WalletKeys {
    WalletKeys::from_mnemonic(KEYS[index].phrase).expect("a valid phrase")
}

#[test]
fn a_phrase_gives_the_pinned_keys_and_address() {
    let mut mismatches = Vec::new();
    for vector in &KEYS {
        let keys = WalletKeys::from_mnemonic(vector.phrase).unwrap();
        let derived = [
            field_hex(keys.spending_key().unwrap().secret()),
            field_hex(&keys.owner()),
            hex::encode(keys.incoming_view_key().to_bytes()),
            hex::encode(keys.address().encryption_key().as_bytes()),
            hex::encode(keys.outgoing_view_key().0),
            field_hex(keys.nullifier_key().value()),
            keys.address().to_string(),
            keys.viewing_key().to_string(),
        ];
        let pinned = [
            vector.spending_secret,
            vector.owner,
            vector.incoming_view_key,
            vector.encryption_key,
            vector.outgoing_view_key,
            vector.nullifier_key,
            vector.address,
            vector.viewing_key,
        ];
        if derived != pinned {
            mismatches.push((vector.phrase, derived));
            continue;
        }
        let parsed: ShieldedAddress = vector.address.parse().unwrap();
        assert_eq!(parsed, keys.address());
        let view: FullViewingKey = vector.viewing_key.parse().unwrap();
        assert_eq!(WalletKeys::watch_only(&view).address(), keys.address());
    }
    assert!(mismatches.is_empty(), "derived: {mismatches:#?}");
}

#[test]
fn a_fixed_ephemeral_key_gives_the_pinned_note_and_ciphertext() {
    let mut mismatches = Vec::new();
    for vector in &NOTES {
        let (sender, recipient) = (keys(vector.sender), keys(vector.recipient));
        let asset = from_bytes(&asset_id(&vector.mint)).unwrap();
        let sealed = seal_note(
            &recipient.address(),
            vector.amount,
            asset,
            vector.memo,
            sender.outgoing_view_key(),
            &mut EphemeralSecret(vector.esk),
        )
        .unwrap();
        let nullifier = sealed
            .note
            .nullifier(vector.leaf_index, recipient.nullifier_key());
        let derived = [
            field_hex(&asset),
            field_hex(&sealed.note.blinding),
            field_hex(&sealed.note.commitment()),
            field_hex(&nullifier),
            hex::encode(&sealed.ciphertext),
        ];
        let pinned = [
            vector.asset_id,
            vector.blinding,
            vector.commitment,
            vector.nullifier,
            vector.ciphertext,
        ];
        if derived != pinned {
            mismatches.push((vector.amount, derived));
            continue;
        }

        // The pinned bytes open, for the recipient and for the sender.
        let ciphertext = hex::decode(vector.ciphertext).unwrap();
        let commitment = hex::decode(vector.commitment).unwrap().try_into().unwrap();
        let incoming = open_incoming(
            recipient.incoming_view_key(),
            recipient.owner(),
            asset,
            &commitment,
            &ciphertext,
            ViewTag::Check,
        )
        .expect("the recipient opens the pinned note");
        let outgoing = open_outgoing(sender.outgoing_view_key(), &commitment, &ciphertext)
            .expect("the sender reads back the pinned note");
        for opened in [incoming, outgoing] {
            assert_eq!(opened.amount, vector.amount);
            assert_eq!(opened.memo, vector.memo);
            assert_eq!(opened.blinding, sealed.note.blinding);
        }
    }
    assert!(mismatches.is_empty(), "derived: {mismatches:#?}");
}

/// A payment's change note: `KEYS[0]` pays `KEYS[1]` and keeps 0.5 SOL of
/// change, sealed to itself with the ephemeral secret `[0x33; 32]` and the
/// payee record of `KEYS[1]`. (Checked independently with Python's
/// `cryptography`: the view tag, the payee's key under the mask, and the
/// plaintext `amount || 0xff || payee owner key` under ChaCha20.)
const CHANGE_NOTE: &str = concat!(
    "817b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b",
    "1438f0b0f3d960ba60bf4315c8e4b3600a8dc9389c7ed5da8f51da0b48c441d2",
    "1f0116c1c571f2f9eb25f9955deb9744d68e265f22147cd709cc5c68a2e7819d",
    "1dccf2de4a67d8cc387c4e2166ed15055155706ff1e980e0e477",
);

#[test]
fn a_fixed_ephemeral_key_gives_the_pinned_change_note_and_its_payee() {
    let (payer, payee) = (keys(0), keys(1));
    let asset = from_bytes(&asset_id(&NATIVE_SOL_MINT)).unwrap();
    let sealed = seal_change(
        &payer.address(),
        500_000_000,
        asset,
        &payee.address(),
        payer.outgoing_view_key(),
        &mut EphemeralSecret([0x33; 32]),
    )
    .unwrap();
    assert_eq!(hex::encode(&sealed.ciphertext), CHANGE_NOTE);
    let ciphertext = hex::decode(CHANGE_NOTE).unwrap();
    let opened = open_incoming(
        payer.incoming_view_key(),
        payer.owner(),
        asset,
        &to_bytes(&sealed.note.commitment()),
        &ciphertext,
        ViewTag::Check,
    )
    .expect("the payer opens its change note");
    assert_eq!(
        (opened.amount, opened.memo.as_slice()),
        (500_000_000, &b""[..])
    );
    assert_eq!(
        payee_address(payer.outgoing_view_key(), &ciphertext, &opened),
        Some(payee.address())
    );
}

/// The note key of `NOTES[0]` (what a disclosure reveals), and the
/// disclosure of it as output 0 of a fixed signature in the SOL pool.
const DISCLOSED_NOTE_KEY: &str = "3870390cef482222a42c1452752d7310a9bae2e213eb99bc84c026519a09d109";
const DISCLOSURE: &str = r#"{
  "version": 1,
  "signature": "99eUso3aSbE9tqGSTXzo3TLfKb9RkMTURrHKQ1K7Zh3BbeqPevr5E1iCbpTjqHuTFLtfxTTD5ekfVuZFzQyEQf8",
  "pool": "F9Jt8Agkjtts77docaBdJdWCVVfCpZhkvJByHFxCLHt8",
  "output": 0,
  "commitment": "267954bd28432a6856a9236c2201595c19f2727dfc3bab06d925f58d40d77fb2",
  "note_key": "3870390cef482222a42c1452752d7310a9bae2e213eb99bc84c026519a09d109",
  "owner": "0e350a5146ace5a19f210aa16cf64a5929e094b9063e7887073fc1ec54d2279d",
  "amount": 250000000,
  "memo": "72656e7420666f72204d61726368",
  "address": "zkpay:cMM52efkfS8fsrmQDvMyFCreE9DceodjmU3bvZki5z5PK5pKiJdkFMv26ggkgm9KzCPP7bsT3xLDEJ2C6GWDDGQzgUz2y"
}"#;

#[test]
fn a_pinned_note_gives_the_pinned_disclosure() {
    use crate::disclosure::PaymentDisclosure;
    use crate::encryption::{incoming_note_key, outgoing_note_key};
    use solana_sdk::signature::Signature;

    let vector = &NOTES[0];
    let (sender, recipient) = (keys(vector.sender), keys(vector.recipient));
    let ciphertext = hex::decode(vector.ciphertext).unwrap();
    let commitment: [u8; 32] = hex::decode(vector.commitment).unwrap().try_into().unwrap();
    let key = incoming_note_key(recipient.incoming_view_key(), &ciphertext, ViewTag::Check)
        .expect("the recipient derives the key");
    assert_eq!(
        outgoing_note_key(sender.outgoing_view_key(), &ciphertext),
        Some(key.clone()),
        "sender and recipient derive the same note key"
    );
    let disclosure = PaymentDisclosure::new(
        &Signature::from([7u8; 64]),
        &crate::pool::pool_address(&solana_sdk::pubkey::Pubkey::new_from_array(vector.mint)),
        0,
        &commitment,
        &key,
        &recipient.owner(),
        vector.amount,
        vector.memo,
        Some(&recipient.address()),
    );
    assert_eq!(
        (hex::encode(key.0), disclosure.to_json()),
        (DISCLOSED_NOTE_KEY.to_string(), DISCLOSURE.to_string())
    );
    assert_eq!(
        PaymentDisclosure::from_json(DISCLOSURE).unwrap(),
        disclosure
    );
}

/// A proof-of-funds file over fixed values in the SOL pool: the format a
/// verifier reads (the proof bytes are a pattern, not a valid proof).
const PROOF_OF_FUNDS: &str = r#"{
  "version": 1,
  "pool": "F9Jt8Agkjtts77docaBdJdWCVVfCpZhkvJByHFxCLHt8",
  "at_least": 1500000000,
  "challenge": "landlord check, flat 3B",
  "root": "0000000000000000000000000000000000000000000000000000000000000011",
  "nullifiers": [
    "0000000000000000000000000000000000000000000000000000000000000021",
    "0000000000000000000000000000000000000000000000000000000000000022",
    "0000000000000000000000000000000000000000000000000000000000000023",
    "0000000000000000000000000000000000000000000000000000000000000024"
  ],
  "proof": "PROOF_HEX"
}"#;

#[test]
fn fixed_values_give_the_pinned_proof_of_funds_file() {
    use crate::funds::ProofOfFunds;
    use zkpay_circuits::funds::{challenge_value, FundsStatement};
    use zkpay_core::proof::TransferProof;

    let pool = crate::pool::pool_address(&crate::pool::SOL);
    let asset_id = from_bytes(&asset_id(&NATIVE_SOL_MINT)).unwrap();
    let challenge = "landlord check, flat 3B";
    let statement = FundsStatement {
        root: Fr::from(0x11u64),
        at_least: Fr::from(1_500_000_000u64),
        challenge: challenge_value(&pool.to_bytes(), challenge),
        asset_id,
        nullifiers: [0x21u64, 0x22, 0x23, 0x24].map(Fr::from),
    };
    let bytes: [u8; TransferProof::SIZE] = std::array::from_fn(|i| i as u8);
    let proof = TransferProof::from_bytes(&bytes);
    let file = ProofOfFunds::new(&pool, 1_500_000_000, challenge, &statement, &proof);
    let pinned = PROOF_OF_FUNDS.replace("PROOF_HEX", &hex::encode(bytes));
    assert_eq!(file.to_json(), pinned);
    let read = ProofOfFunds::from_json(&pinned).unwrap();
    assert_eq!(read.statement(asset_id).unwrap(), statement);
    assert_eq!(read.groth16_proof().unwrap(), proof);
}
