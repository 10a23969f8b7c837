//! Every public `App` method either starts by asking the policy — `self.authorize…(…).await?` as
//! the first statement that touches the application (the clock and settings aside), not inside a
//! branch, its refusal returned — or is on the reviewed list of operations open to anyone. A new
//! use case that forgets the check fails here, before it can be reached.

use std::path::Path;

use syn::visit::Visit;

/// Open to anyone, reviewed one by one: each checks what its caller must prove itself (a password,
/// a captcha, an API key, a tracking code with the phone's last four digits) or reveals nothing.
const PUBLIC_OPERATIONS: &[(&str, &str)] = &[
    ("now", "the clock"),
    ("security", "security settings, no data"),
    ("case_settings", "intake settings, no data"),
    (
        "has_read_replica",
        "whether a read replica is configured, no data",
    ),
    ("login", "checks the password, throttled per account and address"),
    ("logout", "ends only the caller's own session"),
    ("resolve", "looks up the caller's own session token"),
    ("partner", "checks a partner's API key, throttled per address"),
    ("captcha", "a new captcha"),
    (
        "audio_captcha",
        "the spoken form of a captcha the caller holds, rate-limited",
    ),
    ("portal_places", "the public list of villages"),
    (
        "public_hearings",
        "hearing announcements: public hearings only, never one with a minor party, names masked",
    ),
    (
        "public_hearing",
        "one hearing announcement, on the same terms as the list",
    ),
    ("portal_categories", "the public list of categories"),
    (
        "public_reception_days",
        "the published reception days: leaders, places and free places, nothing of any visitor",
    ),
    (
        "book_reception",
        "a booking: captcha and rate limit for the public, ScheduleReception for staff",
    ),
    (
        "public_education",
        "published legal-education events: topic, place, audience, summary; no cases, no names",
    ),
    (
        "portal_submit",
        "a citizen's submission: captcha or partner key, rate-limited",
    ),
    ("portal_track", "tracking code + last four digits, throttled"),
    (
        "portal_add_material",
        "the submitter adds material while open: tracking code + last four digits, throttled, rate-limited",
    ),
    (
        "portal_feedback",
        "the submitter's answer at closure: tracking code + last four digits, throttled, once",
    ),
    (
        "hold_uploads",
        "a refused portal form's acceptable files, held two hours (the portal's rate limit bounds it)",
    ),
    (
        "release_held",
        "drops a form's held files once the form is submitted",
    ),
    (
        "held_uploads",
        "a refused portal form's files by its random token, only for that form's submission; never served back",
    ),
    (
        "open311_requests",
        "public fields only; a partner's own requests in full",
    ),
    (
        "open311_request",
        "public fields only; a partner's own requests in full",
    ),
    (
        "open311_place",
        "locates a place by code, name or coordinates (public reference)",
    ),
    ("calculate_deadline", "the public deadline calculator"),
    ("readiness", "whether the database answers and is migrated"),
];

struct Methods {
    file: String,
    found: Vec<(String, String, bool)>,
}

fn self_type_is_app(i: &syn::ItemImpl) -> bool {
    i.trait_.is_none()
        && matches!(&*i.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "App"))
}

/// Whether an expression reaches `self.authorize…(…).await?` (or the same without `.await`)
/// unconditionally: through `let`, method receivers and arguments, references and `match`
/// scrutinees, but not into `if`, `match` arms, loops or closures. The `?` matters: a refusal
/// whose result is dropped refuses nothing.
fn authorizes(e: &syn::Expr) -> bool {
    use syn::Expr;
    let is_check =
        |e: &Expr| matches!(e, Expr::MethodCall(m) if m.method.to_string().starts_with("authorize"));
    match e {
        Expr::Try(t) => match &*t.expr {
            Expr::Await(a) if is_check(&a.base) => true,
            inner if is_check(inner) => true,
            inner => authorizes(inner),
        },
        Expr::MethodCall(m) => authorizes(&m.receiver) || m.args.iter().any(authorizes),
        Expr::Await(a) => authorizes(&a.base),
        Expr::Paren(p) => authorizes(&p.expr),
        Expr::Reference(r) => authorizes(&r.expr),
        Expr::Assign(a) => authorizes(&a.right),
        Expr::Call(c) => c.args.iter().any(authorizes),
        Expr::Match(m) => authorizes(&m.expr),
        _ => false,
    }
}

/// Methods of `App` that read no data and may come before the check.
const PURE: &[&str] = &["now", "security", "case_settings"];

/// The `self.…` methods a statement calls.
struct SelfCalls(Vec<String>);

impl<'ast> Visit<'ast> for SelfCalls {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self")) {
            self.0.push(m.method.to_string());
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// The body's first statement that touches `self` beyond the pure accessors is the check.
fn body_authorizes(block: &syn::Block) -> bool {
    for stmt in &block.stmts {
        let checks = match stmt {
            syn::Stmt::Local(l) => l.init.as_ref().is_some_and(|i| authorizes(&i.expr)),
            syn::Stmt::Expr(e, _) => authorizes(e),
            _ => false,
        };
        if checks {
            return true;
        }
        let mut calls = SelfCalls(Vec::new());
        calls.visit_stmt(stmt);
        if calls.0.iter().any(|c| !PURE.contains(&c.as_str())) {
            return false;
        }
    }
    false
}

impl<'ast> Visit<'ast> for Methods {
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !self_type_is_app(i) {
            return;
        }
        for item in &i.items {
            if let syn::ImplItem::Fn(f) = item
                && matches!(f.vis, syn::Visibility::Public(_))
                && f.sig.receiver().is_some()
            {
                let name = f.sig.ident.to_string();
                let checked = name.starts_with("authorize") || body_authorizes(&f.block);
                self.found.push((self.file.clone(), name, checked));
            }
        }
    }
}

fn collect(dir: &Path, out: &mut Methods) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src is readable")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&path).expect("source is readable");
            let file = syn::parse_file(&text).expect("source parses");
            out.file = path.display().to_string();
            out.visit_file(&file);
        }
    }
}

fn methods() -> Vec<(String, String, bool)> {
    let mut m = Methods {
        file: String::new(),
        found: Vec::new(),
    };
    collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut m);
    m.found
}

#[test]
fn every_public_use_case_authorizes_or_is_a_reviewed_public_operation() {
    let found = methods();
    assert!(found.len() > 80, "the scan sees the use cases ({})", found.len());
    let unchecked: Vec<String> = found
        .iter()
        .filter(|(_, name, checked)| !checked && !PUBLIC_OPERATIONS.iter().any(|(p, _)| p == name))
        .map(|(file, name, _)| format!("{file}: App::{name}"))
        .collect();
    assert!(
        unchecked.is_empty(),
        "public App methods that neither authorize first nor are reviewed public operations:\n{}",
        unchecked.join("\n")
    );
    // The list stays honest: every entry names a method that exists and does not authorize.
    for (name, why) in PUBLIC_OPERATIONS {
        assert!(
            found.iter().any(|(_, n, checked)| n == name && !checked),
            "PUBLIC_OPERATIONS names {name} ({why}), which is gone or now authorizes"
        );
    }
}

#[test]
fn the_scan_tells_a_conditional_check_from_an_unconditional_one() {
    let conditional: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) {
            if ctx.user().is_some() { self.authorize(ctx, Action::ManageUsers).await?; }
            write().await?;
        }
    };
    assert!(!body_authorizes(&conditional.block));
    let unconditional: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) {
            let actor = self.authorize(ctx, Action::ManageUsers).await?;
            write(actor).await?;
        }
    };
    assert!(body_authorizes(&unconditional.block));
    let in_closure: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) { let g = || self.authorize(ctx, Action::X); write().await?; }
    };
    assert!(!body_authorizes(&in_closure.block));
    let after_a_write: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) {
            let mut tx = self.db().begin().await?;
            self.authorize(ctx, Action::ManageUsers).await?;
        }
    };
    assert!(!body_authorizes(&after_a_write.block), "the check comes first");
    let ignored: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) { let _ = self.authorize(ctx, Action::ManageUsers).await; write().await?; }
    };
    assert!(
        !body_authorizes(&ignored.block),
        "a refusal whose result is dropped refuses nothing"
    );
    let after_the_clock: syn::ItemFn = syn::parse_quote! {
        async fn f(&self, ctx: &Ctx) { let now = self.now(); let a = self.authorize(ctx, Action::X).await?; }
    };
    assert!(body_authorizes(&after_the_clock.block));
}
