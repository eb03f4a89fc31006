//! In-process benchmarks on the bundled graph: building the store, a warm named query, the graph projection,
//! lineage, path and SVG rendering. Run: `cargo bench --bench policykg`. Whole-process cold starts are measured
//! by `benches/cold_start.sh`. Figures are recorded in docs/performance.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use criterion::{criterion_group, criterion_main, Criterion};
use policykg::data::store::KgStore;
use policykg::graph::analysis::Direction;
use policykg::graph::projection::Projection;

fn benches(c: &mut Criterion) {
    c.bench_function("build in-memory store from the bundle", |b| {
        b.iter(|| KgStore::in_memory().unwrap())
    });
    let kg = KgStore::in_memory().unwrap();
    let lineage = policykg::read::catalog::get("data-regulation-lineage").unwrap();
    let succession = policykg::read::catalog::get("agency-succession").unwrap();
    c.bench_function("warm query: agency-succession", |b| {
        b.iter(|| {
            policykg::read::query::evaluate_now(
                kg.store(),
                policykg::read::query::parse(succession.text, "q").unwrap(),
                None,
            )
            .unwrap()
        })
    });
    c.bench_function("warm query: data-regulation-lineage", |b| {
        b.iter(|| {
            policykg::read::query::evaluate_now(
                kg.store(),
                policykg::read::query::parse(lineage.text, "q").unwrap(),
                None,
            )
            .unwrap()
        })
    });
    c.bench_function("projection build", |b| {
        b.iter(|| Projection::build(kg.store()).unwrap())
    });
    let p = Projection::build(kg.store()).unwrap();
    let root = p
        .node("https://w3id.org/policykg/id/jiangsu-data-regulation")
        .unwrap();
    let sufuban = p.node("https://w3id.org/policykg/id/sufuban").unwrap();
    c.bench_function("lineage of 江苏省数据条例", |b| {
        b.iter(|| policykg::graph::analysis::lineage(&p, root, Direction::Both))
    });
    c.bench_function("path 江苏省数据条例 → 苏服办", |b| {
        b.iter(|| policykg::graph::analysis::paths(&p, root, sufuban, 6))
    });
    let view = p.view(None, 0, &[], false).unwrap();
    c.bench_function("SVG of the whole graph", |b| {
        b.iter(|| policykg::graph::picture::svg(&view))
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(group);
