//! Offline-first sync (docs/SYNC.md): desks push named mutations, pull the
//! rows that changed since their cursor, and listen for pokes.
//!
//! - [`push`]: each mutation in its own savepoint (up to 50 to a
//!   transaction), through the same domain functions as the REST API, its
//!   outcome stored by (device, seq);
//! - [`pull`]: changes by version, filtered to what the member may read;
//! - [`events`]: a Server-Sent Events stream of the clinic's version.

pub mod events;
pub mod pull;
pub mod push;

use crate::state::AppState;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push::push))
        .routes(routes!(pull::pull))
        // Pages of thousands of rows shrink several times over. The fastest
        // level: an initial sync moves hundreds of megabytes of JSON, and at
        // the default level compressing them costs more than sending them
        // (they still shrink about fivefold). The event stream is left
        // alone: a compressor would hold pokes back.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .quality(CompressionLevel::Fastest),
        )
        .merge(OpenApiRouter::new().routes(routes!(events::events)))
}
