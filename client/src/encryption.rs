//! Note encryption: each output note travels on-chain encrypted to its owner.
//!
//! Layout of one encrypted note (see `docs/PROTOCOL.md`):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | view tag: first byte of `SHA-256("zkpay:view-tag:v1" \|\| shared)` |
//! | 32 | ephemeral X25519 public key `epk` |
//! | 32 | outgoing key: `key XOR SHA-256("zkpay:outgoing-key:v1" \|\| ovk \|\| epk)` |
//! | 8 + 33 + 16 | ChaCha20-Poly1305 of `amount (u64 LE) \|\| memo length (1 byte) \|\| memo, zero-padded to 32 bytes` |
//!
//! Every note is the same 122 bytes, whatever its memo, so a ciphertext's
//! length says nothing of the memo. (Notes of the first format, `amount
//! || memo` unpadded, any length up to 32, are still read.)
//!
//! `shared = X25519(esk, recipient encryption key)`, `key =
//! SHA-256("zkpay:note-key:v1" || shared || epk)`; the nonce is zero (each key
//! encrypts one message) and the associated data is the note commitment
//! followed by `epk` and the outgoing key field. The
//! note's blinding is not sent: both sides derive it as
//! `SHA-512("zkpay:note-blinding:v1" || key)` mod r. A recipient accepts a
//! note only if the commitment it recomputes equals the on-chain one.
//!
//! The view tag lets a wallet discard almost every foreign note after one
//! key agreement, without running the cipher or Poseidon.
//!
//! **Payee record.** A payment's change note (to the payer itself) carries
//! whom the payment paid, so that the payer's outgoing view recovers it after
//! a restore: its memo length byte is `0xff`, the 32 memo bytes are the
//! payee's owner key, and its outgoing key field is the payee's encryption
//! key `XOR SHA-256("zkpay:payee-key:v1" || ovk || epk)` (the payer opens its
//! own change note with its incoming view key, so that field is free).

use ark_ff::PrimeField;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::{CryptoRng, RngCore};
use sha2::{Sha256, Sha512};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::note::Note;
use zkpay_circuits::Fr;
use zkpay_core::field::FieldBytes;

use crate::address::ShieldedAddress;
use crate::keys::{tagged, OutgoingViewKey};

/// Longest memo a note carries, in bytes.
pub const MAX_MEMO_LEN: usize = 32;
const TAG: usize = 0;
const EPK: usize = 1;
const OUT: usize = EPK + 32;
const BODY: usize = OUT + 32;
const AEAD_TAG_LEN: usize = 16;
/// The memo field: its length, then the memo zero-padded to the maximum.
const PADDED_MEMO_LEN: usize = 1 + MAX_MEMO_LEN;
/// Size of every encrypted note this client seals.
pub const ENCRYPTED_NOTE_LEN: usize = BODY + 8 + PADDED_MEMO_LEN + AEAD_TAG_LEN;
/// The memo length byte of a change note carrying a payee record.
const PAYEE_RECORD: u8 = 0xff;
/// Size of the shortest note readable: the first format, without memo.
const MIN_ENCRYPTED_NOTE_LEN: usize = BODY + 8 + AEAD_TAG_LEN;

/// A note made for a recipient, with its encryption.
#[derive(Debug, Clone)]
pub struct SealedNote {
    /// The note (its commitment goes on-chain).
    pub note: Note,
    /// The encrypted note.
    pub ciphertext: Vec<u8>,
}

/// A note read from its ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedNote {
    /// Amount in base units.
    pub amount: u64,
    /// The note's blinding.
    pub blinding: Fr,
    /// The sender's memo.
    pub memo: Vec<u8>,
    /// In a payment's change note, the payee's owner key (the rest of the
    /// payee's address is read with [`payee_address`]).
    pub payee_owner: Option<FieldBytes>,
}

/// A memo over [`MAX_MEMO_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the memo is {0} bytes; at most {MAX_MEMO_LEN} fit in a payment")]
pub struct MemoTooLong(pub usize);

/// Why a note cannot be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The memo is too long.
    #[error(transparent)]
    MemoTooLong(#[from] MemoTooLong),
    /// The recipient's encryption key is a low-order point: the shared
    /// secret would be known to everyone.
    #[error(transparent)]
    LowOrderKey(#[from] LowOrderKey),
}

/// An X25519 key of low order (or zero): every secret key agrees with it
/// on the same shared secret, so a note sealed to it is readable by anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the encryption key is a low-order point: anyone could read notes sent to it")]
pub struct LowOrderKey;

/// Refuses a low-order X25519 public key. A clamped secret is a multiple
/// of the cofactor, so it takes exactly the low-order points to zero.
pub fn check_encryption_key(key: &PublicKey) -> Result<(), LowOrderKey> {
    let probe = StaticSecret::from([0x5a; 32]);
    if probe.diffie_hellman(key).was_contributory() {
        Ok(())
    } else {
        Err(LowOrderKey)
    }
}

/// Makes a note of `amount` for `recipient` and encrypts it, readable later
/// by the sender's outgoing view key `ovk`.
pub fn seal_note<R: RngCore + CryptoRng>(
    recipient: &ShieldedAddress,
    amount: u64,
    asset_id: Fr,
    memo: &[u8],
    ovk: &OutgoingViewKey,
    rng: &mut R,
) -> Result<SealedNote, SealError> {
    if memo.len() > MAX_MEMO_LEN {
        return Err(MemoTooLong(memo.len()).into());
    }
    let outgoing = Outgoing::NoteKey(ovk);
    seal_any_memo(
        recipient,
        amount,
        asset_id,
        &padded_memo(memo),
        outgoing,
        rng,
    )
}

/// Seals a payment's change note of `amount` to the payer's own address
/// `me`, carrying the payee record of `payee` (see the module's
/// documentation), readable with the payer's incoming and outgoing view keys.
pub fn seal_change<R: RngCore + CryptoRng>(
    me: &ShieldedAddress,
    amount: u64,
    asset_id: Fr,
    payee: &ShieldedAddress,
    ovk: &OutgoingViewKey,
    rng: &mut R,
) -> Result<SealedNote, SealError> {
    let mut memo_field = vec![PAYEE_RECORD];
    memo_field.extend_from_slice(&to_bytes(&payee.owner()));
    let outgoing = Outgoing::Payee(ovk, payee.encryption_key());
    seal_any_memo(me, amount, asset_id, &memo_field, outgoing, rng)
}

/// The payee of a payment, from its change note `ciphertext` (opened by
/// the payer as `opened`) and the payer's outgoing view key; None if the
/// note carries no payee record or the record is not a valid address.
pub fn payee_address(
    ovk: &OutgoingViewKey,
    ciphertext: &[u8],
    opened: &OpenedNote,
) -> Option<ShieldedAddress> {
    let owner = from_bytes(opened.payee_owner.as_ref()?)?;
    if ciphertext.len() < MIN_ENCRYPTED_NOTE_LEN {
        return None;
    }
    let key = PublicKey::from(unmask(ciphertext, &payee_mask(ovk, &ciphertext[EPK..OUT])));
    check_encryption_key(&key).ok()?;
    Some(ShieldedAddress::new(owner, key))
}

/// What the outgoing key field of a note holds.
enum Outgoing<'a> {
    /// The note's key, masked with the sender's outgoing view key.
    NoteKey(&'a OutgoingViewKey),
    /// A payee record's encryption key, masked with the sender's key.
    Payee(&'a OutgoingViewKey, PublicKey),
}

/// The memo field of the plaintext: the length, the memo, zeros to the
/// fixed size (a memo over the maximum, which only tests make, is not
/// padded, as another client might send it).
fn padded_memo(memo: &[u8]) -> Vec<u8> {
    let mut field = Vec::with_capacity(PADDED_MEMO_LEN);
    field.push(u8::try_from(memo.len()).unwrap_or(u8::MAX));
    field.extend_from_slice(memo);
    field.resize(field.len().max(PADDED_MEMO_LEN), 0);
    field
}

/// [`seal_note`] with the plaintext's memo field as given (what another
/// client could send).
fn seal_any_memo<R: RngCore + CryptoRng>(
    recipient: &ShieldedAddress,
    amount: u64,
    asset_id: Fr,
    memo_field: &[u8],
    outgoing: Outgoing<'_>,
    rng: &mut R,
) -> Result<SealedNote, SealError> {
    let esk = StaticSecret::random_from_rng(&mut *rng);
    let epk = PublicKey::from(&esk);
    let shared = esk.diffie_hellman(&recipient.encryption_key());
    if !shared.was_contributory() {
        return Err(LowOrderKey.into());
    }
    let key = note_key(shared.as_bytes(), &epk);
    let note = Note {
        amount,
        owner: recipient.owner(),
        blinding: blinding(&key),
        asset_id,
    };
    let mut ciphertext = Vec::with_capacity(MIN_ENCRYPTED_NOTE_LEN + memo_field.len());
    ciphertext.push(view_tag(shared.as_bytes()));
    ciphertext.extend_from_slice(epk.as_bytes());
    let (field, mask) = match outgoing {
        Outgoing::NoteKey(ovk) => (*key, outgoing_mask(ovk, epk.as_bytes())),
        Outgoing::Payee(ovk, payee) => (payee.to_bytes(), payee_mask(ovk, epk.as_bytes())),
    };
    ciphertext.extend(field.iter().zip(mask.iter()).map(|(k, m)| k ^ m));
    let mut plaintext = Zeroizing::new(amount.to_le_bytes().to_vec());
    plaintext.extend_from_slice(memo_field);
    let body = cipher(&key)
        .encrypt(
            Nonce::from_slice(&[0u8; 12]),
            Payload {
                msg: &plaintext,
                aad: &associated_data(&to_bytes(&note.commitment()), &ciphertext),
            },
        )
        .expect("ChaCha20-Poly1305 encrypts any short message");
    ciphertext.extend_from_slice(&body);
    Ok(SealedNote { note, ciphertext })
}

/// Whether a wallet checks the view tag before decrypting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewTag {
    /// Skip notes whose tag does not match (the default).
    Check,
    /// Try every note (to measure what the tag saves).
    Ignore,
}

/// Opens a note sent to the wallet with incoming view key `ivk` and owner
/// key `owner`, if `ciphertext` is one and its content matches `commitment`.
pub fn open_incoming(
    ivk: &StaticSecret,
    owner: Fr,
    asset_id: Fr,
    commitment: &FieldBytes,
    ciphertext: &[u8],
    tag_policy: ViewTag,
) -> Option<OpenedNote> {
    let key = incoming_note_key(ivk, ciphertext, tag_policy)?;
    open_body(&key.0, owner, asset_id, commitment, ciphertext)
}

/// Opens a note this wallet sent, with its outgoing view key; `owner` is
/// unknown to the sender after a restore, so only the cipher authenticates
/// it (the mask needs `ovk`, which only this wallet has).
pub fn open_outgoing(
    ovk: &OutgoingViewKey,
    commitment: &FieldBytes,
    ciphertext: &[u8],
) -> Option<OpenedNote> {
    open_with_key(&outgoing_note_key(ovk, ciphertext)?, commitment, ciphertext)
}

/// The symmetric key of one encrypted note: it opens that note and no
/// other, so a payment disclosure reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteKey(pub [u8; 32]);

impl std::fmt::Debug for NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NoteKey(..)")
    }
}

/// The key of `ciphertext` as its recipient (incoming view key `ivk`)
/// derives it; None if the ciphertext is too short or, when the policy
/// checks it, its view tag is not the wallet's.
pub fn incoming_note_key(
    ivk: &StaticSecret,
    ciphertext: &[u8],
    tag_policy: ViewTag,
) -> Option<NoteKey> {
    if ciphertext.len() < MIN_ENCRYPTED_NOTE_LEN {
        return None;
    }
    let epk: [u8; 32] = ciphertext[EPK..OUT].try_into().ok()?;
    let shared = ivk.diffie_hellman(&PublicKey::from(epk));
    if tag_policy == ViewTag::Check && ciphertext[TAG] != view_tag(shared.as_bytes()) {
        return None;
    }
    Some(NoteKey(*note_key(shared.as_bytes(), &PublicKey::from(epk))))
}

/// The key of `ciphertext` as its sender (outgoing view key `ovk`)
/// unmasks it (unauthenticated until the note is opened with it).
pub fn outgoing_note_key(ovk: &OutgoingViewKey, ciphertext: &[u8]) -> Option<NoteKey> {
    if ciphertext.len() < MIN_ENCRYPTED_NOTE_LEN {
        return None;
    }
    Some(NoteKey(unmask(
        ciphertext,
        &outgoing_mask(ovk, &ciphertext[EPK..OUT]),
    )))
}

/// Decrypts `ciphertext`, the note of `commitment`, with its `key`: the
/// amount, the memo and the blinding they derive. The cipher authenticates
/// the commitment; whether the note's fields make that commitment is the
/// caller's check.
pub fn open_with_key(
    key: &NoteKey,
    commitment: &FieldBytes,
    ciphertext: &[u8],
) -> Option<OpenedNote> {
    if ciphertext.len() < MIN_ENCRYPTED_NOTE_LEN {
        return None;
    }
    decrypt(&key.0, commitment, ciphertext)
}

fn open_body(
    key: &[u8; 32],
    owner: Fr,
    asset_id: Fr,
    commitment: &FieldBytes,
    ciphertext: &[u8],
) -> Option<OpenedNote> {
    let opened = decrypt(key, commitment, ciphertext)?;
    let note = Note {
        amount: opened.amount,
        owner,
        blinding: opened.blinding,
        asset_id,
    };
    (to_bytes(&note.commitment()) == *commitment).then_some(opened)
}

fn decrypt(key: &[u8; 32], commitment: &FieldBytes, ciphertext: &[u8]) -> Option<OpenedNote> {
    let plaintext = Zeroizing::new(
        cipher(key)
            .decrypt(
                Nonce::from_slice(&[0u8; 12]),
                Payload {
                    msg: &ciphertext[BODY..],
                    aad: &associated_data(commitment, ciphertext),
                },
            )
            .ok()?,
    );
    let amount = u64::from_le_bytes(plaintext.get(..8)?.try_into().ok()?);
    // A memo over the protocol's maximum, or padding that is not zeros, is
    // refused; the note's value is kept (it is in the tree either way).
    let field = &plaintext[8..];
    let payee_owner = (field.len() == PADDED_MEMO_LEN && field[0] == PAYEE_RECORD)
        .then(|| field[1..].try_into().expect("32 bytes after the length"));
    let memo = if payee_owner.is_some() {
        &[][..]
    } else if field.len() == PADDED_MEMO_LEN {
        let len = usize::from(field[0]);
        let padding_clean = field
            .get(1 + len..)
            .is_some_and(|p| p.iter().all(|b| *b == 0));
        if len <= MAX_MEMO_LEN && padding_clean {
            &field[1..1 + len]
        } else {
            &[][..]
        }
    } else if field.len() <= MAX_MEMO_LEN {
        // The first format: the memo unpadded.
        field
    } else {
        &[][..]
    };
    Some(OpenedNote {
        amount,
        blinding: blinding(key),
        memo: memo.to_vec(),
        payee_owner,
    })
}

/// The cipher authenticates the commitment, `epk` and the outgoing key
/// field (everything but the view tag, which only filters).
fn associated_data(commitment: &FieldBytes, ciphertext: &[u8]) -> Vec<u8> {
    let mut data = commitment.to_vec();
    data.extend_from_slice(&ciphertext[EPK..BODY]);
    data
}

fn note_key(shared: &[u8; 32], epk: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut input = Zeroizing::new([0u8; 64]);
    input[..32].copy_from_slice(shared);
    input[32..].copy_from_slice(epk.as_bytes());
    Zeroizing::new(tagged::<Sha256>(b"zkpay:note-key:v1", input.as_ref()).into())
}

fn view_tag(shared: &[u8; 32]) -> u8 {
    tagged::<Sha256>(b"zkpay:view-tag:v1", shared)[0]
}

fn outgoing_mask(ovk: &OutgoingViewKey, epk: &[u8]) -> Zeroizing<[u8; 32]> {
    sender_mask(b"zkpay:outgoing-key:v1", ovk, epk)
}

fn payee_mask(ovk: &OutgoingViewKey, epk: &[u8]) -> Zeroizing<[u8; 32]> {
    sender_mask(b"zkpay:payee-key:v1", ovk, epk)
}

/// The outgoing key field of `ciphertext` with `mask` taken off.
fn unmask(ciphertext: &[u8], mask: &[u8; 32]) -> [u8; 32] {
    std::array::from_fn(|i| ciphertext[OUT + i] ^ mask[i])
}

/// `SHA-256(tag || ovk || epk)`: a mask only the sender can take off.
fn sender_mask(tag: &[u8], ovk: &OutgoingViewKey, epk: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut input = Zeroizing::new(ovk.0.to_vec());
    input.extend_from_slice(epk);
    Zeroizing::new(tagged::<Sha256>(tag, &input).into())
}

fn blinding(key: &[u8; 32]) -> Fr {
    Fr::from_le_bytes_mod_order(&tagged::<Sha512>(b"zkpay:note-blinding:v1", key))
}

fn cipher(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(Key::from_slice(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::WalletKeys;

    struct Case {
        alice: WalletKeys,
        bob: WalletKeys,
        sealed: SealedNote,
        commitment: FieldBytes,
    }

    fn case(memo: &[u8]) -> Case {
        let mut rng = rand::thread_rng();
        let alice = WalletKeys::generate(&mut rng).1;
        let bob = WalletKeys::generate(&mut rng).1;
        let sealed = seal_note(
            &bob.address(),
            1234,
            Fr::from(7u64),
            memo,
            alice.outgoing_view_key(),
            &mut rng,
        )
        .unwrap();
        let commitment = to_bytes(&sealed.note.commitment());
        Case {
            alice,
            bob,
            sealed,
            commitment,
        }
    }

    fn incoming(
        keys: &WalletKeys,
        c: &Case,
        ciphertext: &[u8],
        policy: ViewTag,
    ) -> Option<OpenedNote> {
        open_incoming(
            keys.incoming_view_key(),
            keys.owner(),
            Fr::from(7u64),
            &c.commitment,
            ciphertext,
            policy,
        )
    }

    #[test]
    fn the_recipient_opens_its_note() {
        let c = case(b"rent, march");
        assert_eq!(c.sealed.ciphertext.len(), ENCRYPTED_NOTE_LEN);
        for policy in [ViewTag::Check, ViewTag::Ignore] {
            let opened = incoming(&c.bob, &c, &c.sealed.ciphertext, policy).unwrap();
            assert_eq!(opened.amount, 1234);
            assert_eq!(opened.memo, b"rent, march");
            assert_eq!(opened.blinding, c.sealed.note.blinding);
            assert_eq!(c.sealed.note.owner, c.bob.owner());
        }
    }

    #[test]
    fn the_sender_reads_back_what_it_sent() {
        let c = case(b"");
        let opened = open_outgoing(
            c.alice.outgoing_view_key(),
            &c.commitment,
            &c.sealed.ciphertext,
        )
        .unwrap();
        assert_eq!(
            (opened.amount, opened.blinding),
            (1234, c.sealed.note.blinding)
        );
        assert!(open_outgoing(
            c.bob.outgoing_view_key(),
            &c.commitment,
            &c.sealed.ciphertext
        )
        .is_none());
    }

    #[test]
    fn nobody_else_opens_it() {
        let c = case(b"");
        for policy in [ViewTag::Check, ViewTag::Ignore] {
            assert!(incoming(&c.alice, &c, &c.sealed.ciphertext, policy).is_none());
        }
    }

    #[test]
    fn every_tampered_byte_is_refused() {
        let c = case(b"hi");
        for i in 0..c.sealed.ciphertext.len() {
            let mut tampered = c.sealed.ciphertext.clone();
            tampered[i] ^= 1;
            // The view tag only filters: a wrong one makes the wallet skip
            // the note; every other byte is authenticated.
            let policy = if i == TAG {
                ViewTag::Check
            } else {
                ViewTag::Ignore
            };
            assert!(
                incoming(&c.bob, &c, &tampered, policy).is_none(),
                "byte {i}"
            );
            if i >= EPK {
                assert!(
                    open_outgoing(c.alice.outgoing_view_key(), &c.commitment, &tampered).is_none(),
                    "byte {i}"
                );
            }
        }
        assert!(incoming(
            &c.bob,
            &c,
            &c.sealed.ciphertext[..MIN_ENCRYPTED_NOTE_LEN - 1],
            ViewTag::Ignore
        )
        .is_none());
        let mut other_commitment = c.commitment;
        other_commitment[31] ^= 1;
        assert!(open_incoming(
            c.bob.incoming_view_key(),
            c.bob.owner(),
            Fr::from(7u64),
            &other_commitment,
            &c.sealed.ciphertext,
            ViewTag::Ignore
        )
        .is_none());
    }

    #[test]
    fn a_note_claiming_another_owner_is_refused() {
        // A sender who encrypts to Bob but commits to another owner key
        // produces a note Bob cannot spend: Bob must not count it.
        let c = case(b"");
        let other_owner = Fr::from(99u64);
        assert!(open_incoming(
            c.bob.incoming_view_key(),
            other_owner,
            Fr::from(7u64),
            &c.commitment,
            &c.sealed.ciphertext,
            ViewTag::Check
        )
        .is_none());
        assert!(open_incoming(
            c.bob.incoming_view_key(),
            c.bob.owner(),
            Fr::from(8u64),
            &c.commitment,
            &c.sealed.ciphertext,
            ViewTag::Check
        )
        .is_none());
    }

    #[test]
    fn long_memos_are_refused() {
        let keys = WalletKeys::generate(&mut rand::thread_rng()).1;
        let memo = [b'x'; MAX_MEMO_LEN + 1];
        let result = seal_note(
            &keys.address(),
            1,
            Fr::from(1u64),
            &memo,
            keys.outgoing_view_key(),
            &mut rand::thread_rng(),
        );
        assert_eq!(result.unwrap_err(), MemoTooLong(MAX_MEMO_LEN + 1).into());
    }

    #[test]
    fn every_note_has_the_same_length_whatever_its_memo() {
        let keys = WalletKeys::generate(&mut rand::thread_rng()).1;
        let asset_id = Fr::from(3u64);
        assert_eq!(ENCRYPTED_NOTE_LEN, 122);
        for memo in [&b""[..], b"hi", &[b'm'; MAX_MEMO_LEN]] {
            let (sealed, _, opened) = seal_and_open(&keys, 9, asset_id, &padded_memo(memo));
            assert_eq!(sealed.ciphertext.len(), ENCRYPTED_NOTE_LEN);
            assert_eq!((opened.amount, opened.memo.as_slice()), (9, memo));
        }
    }

    #[test]
    fn a_change_note_gives_the_payee_back_to_the_payer_only() {
        let mut rng = rand::thread_rng();
        let (payer, payee) = (
            WalletKeys::generate(&mut rng).1,
            WalletKeys::generate(&mut rng).1,
        );
        let asset_id = Fr::from(7u64);
        let sealed = seal_change(
            &payer.address(),
            55,
            asset_id,
            &payee.address(),
            payer.outgoing_view_key(),
            &mut rng,
        )
        .unwrap();
        assert_eq!(sealed.ciphertext.len(), ENCRYPTED_NOTE_LEN);
        let commitment = to_bytes(&sealed.note.commitment());
        let opened = open_incoming(
            payer.incoming_view_key(),
            payer.owner(),
            asset_id,
            &commitment,
            &sealed.ciphertext,
            ViewTag::Check,
        )
        .unwrap();
        assert_eq!((opened.amount, opened.memo.as_slice()), (55, &b""[..]));
        let ovk = payer.outgoing_view_key();
        assert_eq!(
            payee_address(ovk, &sealed.ciphertext, &opened),
            Some(payee.address())
        );
        // Another wallet's outgoing key gives no address (or a wrong one
        // that is not the payee's), and the record is not a note key.
        let other = WalletKeys::generate(&mut rng).1;
        assert_ne!(
            payee_address(other.outgoing_view_key(), &sealed.ciphertext, &opened),
            Some(payee.address())
        );
        assert!(open_outgoing(ovk, &commitment, &sealed.ciphertext).is_none());
        // A note without a record has none.
        let plain = seal_note(&payer.address(), 1, asset_id, b"", ovk, &mut rng).unwrap();
        let opened = open_incoming(
            payer.incoming_view_key(),
            payer.owner(),
            asset_id,
            &to_bytes(&plain.note.commitment()),
            &plain.ciphertext,
            ViewTag::Check,
        )
        .unwrap();
        assert_eq!(opened.payee_owner, None);
        assert_eq!(payee_address(ovk, &plain.ciphertext, &opened), None);
    }

    /// Seals a note to `keys` with the plaintext memo field `field` and
    /// opens it with the incoming view key.
    fn seal_and_open(
        keys: &WalletKeys,
        amount: u64,
        asset_id: Fr,
        field: &[u8],
    ) -> (SealedNote, FieldBytes, OpenedNote) {
        let sealed = seal_any_memo(
            &keys.address(),
            amount,
            asset_id,
            field,
            Outgoing::NoteKey(keys.outgoing_view_key()),
            &mut rand::thread_rng(),
        )
        .unwrap();
        let commitment = to_bytes(&sealed.note.commitment());
        let opened = open_incoming(
            keys.incoming_view_key(),
            keys.owner(),
            asset_id,
            &commitment,
            &sealed.ciphertext,
            ViewTag::Check,
        )
        .expect("the note is the wallet's, and kept");
        (sealed, commitment, opened)
    }

    #[test]
    fn notes_of_the_unpadded_format_are_read_and_bad_padding_drops_the_memo() {
        let keys = WalletKeys::generate(&mut rand::thread_rng()).1;
        let asset_id = Fr::from(5u64);
        let mut bad_padding = padded_memo(b"ok");
        bad_padding[PADDED_MEMO_LEN - 1] = 1;
        let mut too_long = padded_memo(b"ok");
        too_long[0] = MAX_MEMO_LEN as u8 + 1;
        for (field, memo) in [
            (b"unpadded memo".to_vec(), &b"unpadded memo"[..]),
            (Vec::new(), &b""[..]),
            (bad_padding, &b""[..]),
            (too_long, &b""[..]),
        ] {
            let (_, _, opened) = seal_and_open(&keys, 7, asset_id, &field);
            assert_eq!((opened.amount, opened.memo.as_slice()), (7, memo));
        }
    }

    #[test]
    fn an_incoming_memo_over_the_limit_is_refused_and_the_note_kept() {
        // Another client may seal any memo up to the ciphertext limit; the
        // wallet keeps the note's value and drops the memo.
        let keys = WalletKeys::generate(&mut rand::thread_rng()).1;
        let asset_id = Fr::from(7u64);
        for (memo, kept) in [
            (vec![b'x'; MAX_MEMO_LEN], true),
            (vec![b'x'; MAX_MEMO_LEN + 1], false),
            (vec![b'\x1b'; 150], false),
        ] {
            let (sealed, commitment, opened) =
                seal_and_open(&keys, 42, asset_id, &padded_memo(&memo));
            assert_eq!(opened.amount, 42);
            let expected = if kept { memo.clone() } else { Vec::new() };
            assert_eq!(opened.memo, expected, "memo of {} bytes", memo.len());
            let outgoing =
                open_outgoing(keys.outgoing_view_key(), &commitment, &sealed.ciphertext).unwrap();
            assert_eq!(outgoing.memo, expected);
        }
    }
}
