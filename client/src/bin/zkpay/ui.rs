//! Terminal output: progress bars and errors.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use zkpay_client::wallet::Progress;

/// Prints an error and its causes, and what to do where known.
pub fn error(error: &anyhow::Error) {
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

/// A progress display for wallet operations, on standard error (hidden
/// when that is not a terminal).
pub fn observer() -> impl Fn(&Progress) + 'static {
    let spinner = Spinner(ProgressBar::new_spinner());
    spinner.0.enable_steady_tick(Duration::from_millis(100));
    move |progress: &Progress| {
        let bar = &spinner.0;
        match progress {
            Progress::Fetching => {
                bar.set_style(ProgressStyle::default_spinner());
                bar.set_message("reading settlements");
            }
            Progress::Scanning { done, total } => {
                if *done == 0 {
                    bar.set_style(
                        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                            .expect("template")
                            .progress_chars("=> "),
                    );
                    bar.set_length(*total as u64);
                    bar.set_message("scanning notes");
                }
                bar.set_position(*done as u64);
                if done == total {
                    bar.set_style(ProgressStyle::default_spinner());
                }
            }
            Progress::Proving { step, steps } => {
                bar.set_style(ProgressStyle::default_spinner());
                bar.set_message(format!("proving transaction {step}/{steps}"));
            }
            Progress::Submitting { step, steps } => {
                bar.set_message(format!("sending transaction {step}/{steps}"));
            }
        }
    }
}

/// Clears the bar when the operation's observer is dropped.
struct Spinner(ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Milliseconds, for tables.
pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}
