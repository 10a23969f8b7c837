//! Every route, registered with who may reach it. The declaration is enforced here, before the
//! handler runs (the use case checks again), and `catalogue()` lists every route of the router —
//! page, form action, API operation, Open311 call — for the tests that walk them all.

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use gongzhi_app::domain::policy::{Action, Role};
use gongzhi_app::{App, AppError};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;
use crate::error::{ApiError, PageError, Surface};
use crate::middleware::Req;

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the login page, the portal, Open311, the calculator, assets, probes. Each such use
    /// case is on the reviewed list of public operations and checks what it needs itself.
    Public,
    /// One's own account or a step of logging in (second factor, first password change): the
    /// use case finds the session's user and refuses anyone else.
    Account,
    /// Staff whose roles grant the action.
    Staff(Action),
    /// Staff granted either action (account administration is split between two administrators).
    Either(Action, Action),
}

impl Access {
    fn actions(self) -> Vec<Action> {
        match self {
            Access::Public | Access::Account => Vec::new(),
            Access::Staff(a) => vec![a],
            Access::Either(a, b) => vec![a, b],
        }
    }

    /// Whether a user holding only `role` passes the route's check.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Account => true,
            _ => self.actions().iter().any(|a| role.allows(*a)),
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Access::Staff(_) | Access::Either(..))
    }
}

/// One method on one path, and who may call it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: String,
    pub access: Access,
}

/// Refuses before the handler whoever the route's access does not admit, with the audited
/// answer of the policy: 401 (or the login page) for the public, 403 for the rest.
async fn guard(access: Access, req: Request, next: Next) -> Response {
    let actions = access.actions();
    if actions.is_empty() {
        return next.run(req).await;
    }
    // `authenticate` puts the request's context in place for every route; without it, refuse.
    let Some(meta) = req.extensions().get::<Req>().cloned() else {
        return (http::StatusCode::FORBIDDEN, "forbidden").into_response();
    };
    if meta.ctx.user().is_some_and(|u| actions.iter().any(|a| u.can(*a))) {
        return next.run(req).await;
    }
    let refusal = match (req.extensions().get::<App>(), actions.first()) {
        (Some(app), Some(first)) => app
            .authorize(&meta.ctx, *first)
            .await
            .err()
            .unwrap_or(AppError::Forbidden),
        _ => AppError::Forbidden,
    };
    match Surface::of(&meta.path) {
        Surface::Api | Surface::Open311 => {
            ApiError(refusal, meta.ctx.request_id().to_owned()).into_response()
        }
        Surface::Page | Surface::Probe => PageError(meta, refusal).into_response(),
    }
}

/// The guard on the route's own methods only, so that another method still answers 405.
fn guarded(access: Access, mr: MethodRouter<AppState>) -> MethodRouter<AppState> {
    mr.route_layer(from_fn(move |req: Request, next: Next| guard(access, req, next)))
}

/// Routes of the pages, each with its access.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        access: Access,
        mr: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, guarded(access, mr));
        self.specs.push(RouteSpec {
            method,
            path: path.to_owned(),
            access,
        });
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, post(handler))
    }

    /// Routes built elsewhere (the API's), with their specs.
    pub fn from_parts(router: Router<AppState>, specs: Vec<RouteSpec>) -> Self {
        Self { router, specs }
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

/// API operations, registered through the OpenAPI router (so the document and the routes cannot
/// drift), each with its access.
pub struct ApiRoutes {
    router: OpenApiRouter<AppState>,
    specs: Vec<RouteSpec>,
}

impl ApiRoutes {
    pub fn new(router: OpenApiRouter<AppState>) -> Self {
        Self {
            router,
            specs: Vec::new(),
        }
    }

    /// One operation (one `routes!(handler)`), with its access.
    pub fn op(mut self, access: Access, (schemas, paths, mr): UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &paths.paths {
            for (method, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ] {
                if op.is_some() {
                    self.specs.push(RouteSpec {
                        method,
                        path: path.clone(),
                        access,
                    });
                }
            }
        }
        self.router = self.router.routes((schemas, paths, guarded(access, mr)));
        self
    }

    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

/// Every route of the server, with its access.
pub fn catalogue() -> Vec<RouteSpec> {
    crate::all_routes().1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Routes reach the router only through `Routes` and `ApiRoutes`, so the catalogue is the
    /// router: a route registered past them would have no declared access. And no handler takes a
    /// raw body (`body: Bytes`), which would read it whatever its Content-Type (see `FormData`).
    #[test]
    fn every_route_is_registered_with_its_access() {
        fn scan(dir: &std::path::Path, hits: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    scan(&path, hits);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("routes.rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for needle in [
                        ".route(\"",
                        ".routes(routes!",
                        ".nest(",
                        ".route_service(",
                        "body: Bytes",
                    ] {
                        if text.contains(needle) {
                            hits.push(format!("{}: {needle}", path.display()));
                        }
                    }
                }
            }
        }
        let mut hits = Vec::new();
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut hits,
        );
        assert!(hits.is_empty(), "{hits:?}");
        let all = catalogue();
        assert!(all.len() > 100, "{} routes", all.len());
        let mut seen = std::collections::BTreeSet::new();
        for r in &all {
            assert!(
                seen.insert((r.method, r.path.clone())),
                "{} {} twice",
                r.method,
                r.path
            );
        }
    }

    #[test]
    fn access_admits_by_role() {
        assert!(Access::Staff(Action::ManageUsers).admits(Role::SystemAdmin));
        assert!(!Access::Staff(Action::ManageUsers).admits(Role::GridWorker));
        assert!(Access::Either(Action::ManageUsers, Action::ManageUserSecurity).admits(Role::SecurityAdmin));
        assert!(Access::Public.admits(Role::GridWorker) && !Access::Public.is_staff());
    }
}
