//! `RpcChain` against a node that rate-limits, fails or drops connections: a
//! loopback JSON-RPC server answering each request as its script says. A
//! request turned away for now (429, 5xx, a broken connection) is made again
//! after a growing pause, honouring `Retry-After`, a bounded number of
//! times; any other error is final at once.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header::RETRY_AFTER, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;
use tokio::net::{TcpListener, TcpStream};
use zkpay_client::chain::rpc::{Backoff, RpcChain};
use zkpay_client::chain::{Chain, ChainError, SETTLEMENT_READ_BUDGET};

/// How the node answers one request.
#[derive(Clone)]
enum Reply {
    /// 429 Too Many Requests, with `Retry-After` in seconds if given.
    TooMany(Option<u64>),
    /// This HTTP status, empty.
    Status(StatusCode),
    /// A JSON-RPC error object.
    RpcError(i64, &'static str),
    /// A JSON-RPC result.
    Result(Value),
}

/// The node's answers in order, the last one repeated; and the requests seen.
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    seen: AtomicUsize,
}

async fn answer(State(script): State<Arc<Script>>, Json(request): Json<Value>) -> Response {
    script.seen.fetch_add(1, Ordering::SeqCst);
    let reply = {
        let mut replies = script.replies.lock().unwrap();
        if replies.len() > 1 {
            replies.pop_front().unwrap()
        } else {
            replies[0].clone()
        }
    };
    let id = request["id"].clone();
    match reply {
        Reply::TooMany(None) => StatusCode::TOO_MANY_REQUESTS.into_response(),
        Reply::TooMany(Some(seconds)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, seconds.to_string())],
        )
            .into_response(),
        Reply::Status(status) => status.into_response(),
        Reply::RpcError(code, message) => Json(json!({
            "jsonrpc": "2.0",
            "error": {"code": code, "message": message},
            "id": id,
        }))
        .into_response(),
        Reply::Result(result) => {
            Json(json!({"jsonrpc": "2.0", "result": result, "id": id})).into_response()
        }
    }
}

/// A listener that closes its first `drop` connections as soon as they are
/// made, as a node shedding load (or a proxy restarting) does.
struct Dropping {
    listener: TcpListener,
    drop: usize,
    accepted: Arc<AtomicUsize>,
}

impl axum::serve::Listener for Dropping {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let (stream, address) = self.listener.accept().await.expect("accept");
            if self.accepted.fetch_add(1, Ordering::SeqCst) < self.drop {
                drop(stream);
                continue;
            }
            return (stream, address);
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A node on loopback answering as `replies` says, dropping its first
/// `drop` connections.
struct Node {
    url: String,
    script: Arc<Script>,
    accepted: Arc<AtomicUsize>,
}

impl Node {
    async fn start(replies: Vec<Reply>, drop: usize) -> Node {
        let script = Arc::new(Script {
            replies: Mutex::new(replies.into()),
            seen: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let listener = Dropping {
            listener,
            drop,
            accepted: accepted.clone(),
        };
        let app = Router::new()
            .route("/", post(answer))
            .with_state(script.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Node {
            url,
            script,
            accepted,
        }
    }

    fn seen(&self) -> usize {
        self.script.seen.load(Ordering::SeqCst)
    }
}

/// Backoff pauses short enough for a test: 10, 20, 40, 80 ms... (less up
/// to half of each); `Retry-After` up to 2 s is waited for.
fn quick(attempts: u32) -> Backoff {
    Backoff {
        attempts,
        first_pause: Duration::from_millis(10),
        max_pause: Duration::from_secs(2),
    }
}

/// What `settlements` gives on an empty tree: nothing, read to the end.
async fn read(node: &Node, backoff: Backoff) -> Result<(), ChainError> {
    let mut chain = RpcChain::new(&node.url).with_backoff(backoff);
    let page = chain
        .settlements(&Pubkey::new_unique(), None, SETTLEMENT_READ_BUDGET)
        .await?;
    assert!(page.settlements.is_empty() && page.read_to.is_none() && page.complete);
    Ok(())
}

fn no_signatures() -> Reply {
    Reply::Result(json!([]))
}

#[tokio::test]
async fn a_rate_limited_read_is_made_again_after_growing_pauses() {
    let node = Node::start(
        vec![
            Reply::TooMany(None),
            Reply::TooMany(None),
            Reply::TooMany(None),
            no_signatures(),
        ],
        0,
    )
    .await;
    let started = Instant::now();
    read(&node, quick(5)).await.unwrap();
    assert_eq!(node.seen(), 4, "three refusals, then the answer");
    // Pauses of at least 5 + 10 + 20 ms (half of 10, 20, 40).
    assert!(started.elapsed() >= Duration::from_millis(35));
}

#[tokio::test]
async fn a_node_that_keeps_refusing_gives_a_transport_error_after_the_last_attempt() {
    let node = Node::start(vec![Reply::TooMany(None)], 0).await;
    let error = read(&node, quick(4)).await.unwrap_err();
    let ChainError::Transport(message) = &error else {
        panic!("expected a transport error, got: {error}");
    };
    assert!(message.contains("429 Too Many Requests"), "{message}");
    assert!(message.contains("gave up after 4 attempts"), "{message}");
    assert!(message.starts_with("getSignaturesForAddress"), "{message}");
    assert_eq!(node.seen(), 4);
}

#[tokio::test]
async fn retry_after_is_waited_for_up_to_the_longest_pause() {
    let node = Node::start(vec![Reply::TooMany(Some(1)), no_signatures()], 0).await;
    let started = Instant::now();
    read(&node, quick(3)).await.unwrap();
    assert_eq!(node.seen(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "asked again before the second the node asked for"
    );

    // Asked to wait longer than it ever pauses, the client stops at once.
    let node = Node::start(vec![Reply::TooMany(Some(60)), no_signatures()], 0).await;
    let error = read(&node, quick(3)).await.unwrap_err();
    assert!(
        matches!(&error, ChainError::Transport(m) if m.contains("wait 60 s (Retry-After)")),
        "{error}"
    );
    assert_eq!(node.seen(), 1);
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let node = Node::start(
        vec![
            Reply::Status(StatusCode::SERVICE_UNAVAILABLE),
            Reply::Status(StatusCode::BAD_GATEWAY),
            no_signatures(),
        ],
        0,
    )
    .await;
    read(&node, quick(5)).await.unwrap();
    assert_eq!(node.seen(), 3);

    let node = Node::start(vec![no_signatures()], 2).await;
    read(&node, quick(5)).await.unwrap();
    assert_eq!((node.accepted.load(Ordering::SeqCst), node.seen()), (3, 1));
}

#[tokio::test]
async fn final_errors_are_not_retried() {
    // An error object (here, parameters the node refuses) would recur.
    let node = Node::start(vec![Reply::RpcError(-32602, "Invalid params")], 0).await;
    let error = read(&node, quick(5)).await.unwrap_err();
    assert!(
        matches!(&error, ChainError::Transport(m) if m.contains("-32602: Invalid params")),
        "{error}"
    );
    assert_eq!(node.seen(), 1);

    // So would a client error other than 429.
    let node = Node::start(vec![Reply::Status(StatusCode::FORBIDDEN)], 0).await;
    read(&node, quick(5)).await.unwrap_err();
    assert_eq!(node.seen(), 1);

    // And an answer that is not JSON-RPC.
    let node = Node::start(vec![Reply::Result(json!({"not": "signatures"}))], 0).await;
    read(&node, quick(5)).await.unwrap_err();
    assert_eq!(node.seen(), 1);

    // Nothing listening: the connection is refused, at once.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let started = Instant::now();
    let error = RpcChain::new(&url)
        .with_backoff(Backoff {
            first_pause: Duration::from_secs(1),
            ..quick(5)
        })
        .settlements(&Pubkey::new_unique(), None, SETTLEMENT_READ_BUDGET)
        .await
        .unwrap_err();
    assert!(matches!(error, ChainError::Transport(_)), "{error}");
    assert!(started.elapsed() < Duration::from_secs(1), "retried");
}
