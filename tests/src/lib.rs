//! zkpay's integration tests live in tests/.
