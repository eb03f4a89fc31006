//! The question views as pages: `GET /viz/regulation-platform`, `/viz/lineage/{name}`, `/viz/agency/{name}`,
//! `/viz/neighbourhood/{name}?depth=N`, each with `?format=html|svg|dot` (HTML by default) and
//! `?max-nodes=N`. Names resolve with the one resolver, as on the command line.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::{blocking, error_response, from_error};
use super::ui::param;
use super::Shared;
use crate::graph::picture;
use crate::graph::views::{self, ViewName, ViewRequest};
use crate::model::error::{Error, Result};
use crate::model::format::PictureFormat;

/// `GET /viz/regulation-platform`.
pub(super) async fn regulation_platform(state: State<Shared>, raw: RawQuery) -> Response {
    view_page(state, ViewName::RegulationPlatform, None, raw).await
}

/// `GET /viz/{view}/{name}`: a view around one entity.
pub(super) async fn around(
    state: State<Shared>,
    Path((view, name)): Path<(String, String)>,
    raw: RawQuery,
) -> Response {
    let which = match view.as_str() {
        "lineage" => ViewName::Lineage,
        "agency" => ViewName::Agency,
        "neighbourhood" => ViewName::Neighbourhood,
        _ => {
            return error_response(
                StatusCode::NOT_FOUND,
                format!("no view {view:?}; views: /viz/regulation-platform, /viz/lineage/NAME, /viz/agency/NAME, /viz/neighbourhood/NAME"),
            )
        }
    };
    view_page(state, which, Some(name), raw).await
}

/// The format and the number parameters of a view request, or the usage error (400).
fn options(raw: &Option<String>) -> Result<(PictureFormat, usize, usize)> {
    let format = match param(raw, "format") {
        None => PictureFormat::Html,
        Some(f) => PictureFormat::parse(&f).ok_or_else(|| {
            Error::Usage(format!(
                "unknown view format {f:?}; valid formats: html, svg, dot"
            ))
        })?,
    };
    let number = |key: &str, default: usize| -> Result<usize> {
        param(raw, key).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| Error::Usage(format!("{key} must be a whole number, not {v:?}")))
        })
    };
    Ok((
        format,
        number("depth", 1)?,
        number("max-nodes", views::DEFAULT_MAX_NODES)?,
    ))
}

/// Build and write a view under the server's deadline.
async fn view_page(
    State(state): State<Shared>,
    name: ViewName,
    entity: Option<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (format, depth, max_nodes) = match options(&raw) {
        Ok(options) => options,
        Err(e) => return from_error(e),
    };
    let projection = state.projection();
    let resolver = state.resolver();
    let work = move |_| -> Result<String> {
        let iri = match entity {
            Some(name) => Some(resolver.resolve(&name)?),
            None => None,
        };
        let request = ViewRequest {
            name,
            entity: iri.as_ref().map(|i| i.as_str()),
            depth,
            max_nodes,
        };
        Ok(picture::render_view(
            &views::build(&projection, &request)?,
            format,
        ))
    };
    match blocking(Some(state.config.timeout), work).await {
        Ok(text) => ([(header::CONTENT_TYPE, format.media_type())], text).into_response(),
        Err(response) => response,
    }
}
