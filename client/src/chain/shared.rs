//! One chain shared by many tasks: a thread owns the chain and runs the
//! requests sent to it one at a time; [`SharedChain`] is a cheap, `Send`
//! handle implementing [`Chain`]. This is how a relayer service and the
//! wallets of `zkpay demo` (or of a test) use the same embedded chain, and
//! how a chain whose futures are not `Send` serves an async HTTP server.

use std::future::Future;
use std::pin::Pin;

use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::Transaction;
use tokio::sync::{mpsc, oneshot};

use super::{Chain, ChainError, Settled, SettlementPage, TransactionStatus};

/// A future run on the chain's own thread.
pub type LocalFuture<'c, T> = Pin<Box<dyn Future<Output = T> + 'c>>;

type Job<C> = Box<dyn for<'c> FnOnce(&'c mut C) -> LocalFuture<'c, ()> + Send>;

/// A handle on a chain owned by its own thread. Clones share the chain;
/// the thread ends (dropping the chain) when the last handle is dropped.
pub struct SharedChain<C> {
    jobs: mpsc::UnboundedSender<Job<C>>,
}

impl<C> Clone for SharedChain<C> {
    fn clone(&self) -> Self {
        SharedChain {
            jobs: self.jobs.clone(),
        }
    }
}

impl<C: Chain + 'static> SharedChain<C> {
    /// Starts a thread that makes the chain with `make` and serves it.
    pub async fn start<F, Fut>(make: F) -> Result<Self, ChainError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<C, ChainError>>,
    {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job<C>>();
        let (ready, started) = oneshot::channel();
        std::thread::Builder::new()
            .name("zkpay-chain".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(ChainError::Transport(error.to_string())));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut chain = match make().await {
                        Ok(chain) => {
                            let _ = ready.send(Ok(()));
                            chain
                        }
                        Err(error) => {
                            let _ = ready.send(Err(error));
                            return;
                        }
                    };
                    while let Some(job) = queue.recv().await {
                        job(&mut chain).await;
                    }
                });
            })
            .map_err(|e| ChainError::Transport(format!("cannot start the chain thread: {e}")))?;
        started
            .await
            .map_err(|_| ChainError::Transport("the chain thread ended".into()))??;
        Ok(SharedChain { jobs })
    }

    /// Runs `f` on the chain, alone, and returns what it returns.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ChainError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut C) -> LocalFuture<'c, T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job<C> = Box::new(move |chain| {
            Box::pin(async move {
                let _ = reply.send(f(chain).await);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| ChainError::Transport("the chain thread ended".into()))?;
        answer
            .await
            .map_err(|_| ChainError::Transport("the chain thread ended".into()))
    }
}

impl<C: Chain + 'static> Chain for SharedChain<C> {
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError> {
        self.run(|c| Box::pin(c.latest_blockhash())).await?
    }

    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError> {
        let blockhash = *blockhash;
        self.run(move |c| Box::pin(async move { c.is_blockhash_valid(&blockhash).await }))
            .await?
    }

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let transaction = transaction.clone();
        self.run(move |c| Box::pin(async move { c.submit(&transaction).await }))
            .await?
    }

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        let transaction = transaction.clone();
        self.run(move |c| Box::pin(async move { c.simulate(&transaction).await }))
            .await?
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        let signature = *signature;
        self.run(move |c| Box::pin(async move { c.status(&signature).await }))
            .await?
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let addresses = addresses.to_vec();
        self.run(move |c| Box::pin(async move { c.accounts(&addresses).await }))
            .await?
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        self.run(move |c| Box::pin(c.rent_exempt_minimum(space)))
            .await?
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        let (tree, after) = (*tree, after.copied());
        self.run(move |c| {
            Box::pin(async move { c.settlements(&tree, after.as_ref(), budget).await })
        })
        .await?
    }

    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError> {
        let signature = *signature;
        self.run(move |c| Box::pin(async move { c.settled_in(&signature).await }))
            .await?
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let address = *address;
        self.run(move |c| Box::pin(async move { c.airdrop(&address, lamports).await }))
            .await?
    }

    async fn genesis_hash(&mut self) -> Result<Option<Hash>, ChainError> {
        self.run(|c| Box::pin(c.genesis_hash())).await?
    }

    async fn compute_budget(
        &mut self,
        payer: &Pubkey,
        instructions: &[Instruction],
    ) -> Result<Vec<Instruction>, ChainError> {
        let (payer, instructions) = (*payer, instructions.to_vec());
        self.run(move |c| Box::pin(async move { c.compute_budget(&payer, &instructions).await }))
            .await?
    }
}
