//! Error responses, the HTTP status of each error, and [`blocking`]: the one way request handlers do store work.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::sparql::CancellationToken;

use crate::model::error::{Error, Result};

/// A plain-text error reply.
pub(super) fn error_response(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.into() + "\n",
    )
        .into_response()
}

/// The status an error is answered with.
pub(super) fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Syntax { .. } | Error::Invalid { .. } | Error::Usage(_) => StatusCode::BAD_REQUEST,
        Error::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Refused(_) => StatusCode::FORBIDDEN,
        Error::UnknownEntity { .. }
        | Error::AmbiguousEntity { .. }
        | Error::UnknownQuery { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The reply to an error about what the client sent (its query, its update, a name it asked for): the message
/// may quote the client's own text back.
pub(super) fn from_error(e: Error) -> Response {
    error_response(status_of(&e), e.to_string())
}

/// The reply to an error of work done under [`blocking`]. The client's text has been parsed before that work
/// starts, so a syntax or validity error there is about a query the server built itself: it is a 500, and its
/// message (which quotes the query) is not sent.
fn from_work_error(e: Error) -> Response {
    match e {
        Error::Syntax { .. } | Error::Invalid { .. } => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: a query of the server failed",
        ),
        e => from_error(e),
    }
}

/// The reply to work past its deadline.
pub(super) fn timed_out(limit: Duration) -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "query timed out after {} s; narrow it or ask the operator for a longer --timeout",
            limit.as_secs_f64()
        ),
    )
}

/// Run store work on Tokio's blocking pool. With a deadline (the server's `--timeout`), the reply is 503 at the
/// deadline and the work's cancellation token is cancelled, so that queries it runs with that token stop. An
/// error becomes its HTTP response, a panic a 500.
pub(super) async fn blocking<T: Send + 'static>(
    deadline: Option<Duration>,
    work: impl FnOnce(CancellationToken) -> Result<T> + Send + 'static,
) -> std::result::Result<T, Response> {
    let token = CancellationToken::new();
    let worker_token = token.clone();
    // The request's place of work in this process stays taken until the work itself has ended.
    let permit = super::limits::PERMIT.try_with(Arc::clone).ok();
    if let Some(permit) = &permit {
        permit.in_process().map_err(|refusal| *refusal)?;
    }
    let handle = tokio::task::spawn_blocking(move || {
        let _held = permit;
        work(worker_token)
    });
    let joined = match deadline {
        Some(limit) => match tokio::time::timeout(limit, handle).await {
            Ok(joined) => joined,
            Err(_) => {
                token.cancel();
                return Err(timed_out(limit));
            }
        },
        None => handle.await,
    };
    match joined {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(from_work_error(e)),
        Err(join) => Err(error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the worker failed: {join}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_query_text_is_not_echoed() {
        let failed = blocking(None, |_| -> Result<()> {
            Err(crate::read::query::parse("SELECT ?x WHERE { <secret> ", "page").unwrap_err())
        })
        .await
        .unwrap_err();
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(failed.into_body(), 1 << 16)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
    }

    #[tokio::test]
    async fn work_past_the_deadline_is_503_and_cancelled() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let reply = blocking(Some(Duration::from_millis(50)), move |token| {
            while !token.is_cancelled() {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = sender.send(());
            Ok(())
        })
        .await
        .unwrap_err();
        assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(receiver.recv_timeout(Duration::from_secs(5)).is_ok());
    }
}
