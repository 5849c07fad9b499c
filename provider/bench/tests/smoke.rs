//! A smoke test of the bench machinery that CI can afford: every measurement runs once on a tiny scale (N = 5
//! partners, three partners created under throttling, two synchronization configurations with five assignments), the
//! table renders with every section, and the request-count budgets hold. Timing budgets are not asserted: they are read from the real bench's output.

use acceptance_tests::provider_binary::provider_binary_dir;
use entra_bench::BenchOptions;
use entra_bench::report::Cell;
use entra_bench::sync::SyncSize;
use entra_bench::terraform::terraform_binary;

#[test]
fn the_bench_renders_its_table_and_the_request_budget_holds_for_a_small_n() {
    let options = BenchOptions {
        starts: 3,
        plan_sizes: vec![5],
        plan_runs: 1,
        latency_ms: 5,
        page_size: 2,
        apply_partners: 3,
        apply_runs: 1,
        throttle_every: 5,
        retry_after_secs: 1,
        sync_size: SyncSize { configurations: 2, assignments: 5 },
        sync_runs: 1,
        cpu_wrapper: Some(env!("CARGO_BIN_EXE_entra-bench").into()),
        ..BenchOptions::quick(terraform_binary().unwrap(), provider_binary_dir())
    };
    let report = entra_bench::run(&options, &|line| eprintln!("[bench] {line}")).unwrap();
    let table = report.render();
    eprintln!("{table}");

    for measurement in [
        "provider start → handshake line",
        "GetProviderSchema, first call on the connection",
        "peak RSS of the provider during the plan over N=5",
        "plan N=5: Graph GETs",
        "plan N=5: wall time, entra_cross_tenant_partner",
        "plan N=5: wall time, terraform_data floor",
        "plan N=5: ratio entra / floor",
        "plan N=5: provider CPU per RPC",
        "apply 3 partners, 429 on every 5th request: wall time",
        "apply 3 partners: sum of Retry-After waits imposed",
        "sync refresh K=2, M=5: Graph GETs",
        "sync refresh K=2, M=5: wall time, configurations and assignments",
        "sync refresh K=2, M=5: wall time, terraform_data floor",
    ] {
        assert!(table.contains(&format!("| {measurement} |")), "no row {measurement:?} in\n{table}");
    }
    assert!(table.contains("terraform 1.") && table.contains("rustc 1."), "machine description:\n{table}");

    // The emulator pages by two, but the provider asks for big pages: one listing request, and nothing else read.
    let gets = report.rows.iter().find(|r| r.measurement == "plan N=5: Graph GETs").unwrap();
    assert_eq!(gets.cell, Cell::Text { runs: 1, value: "1".to_owned() }, "{table}");
    assert!(gets.budget.as_ref().unwrap().met, "{table}");
    assert!(gets.details.contains("GET /policies/crossTenantAccessPolicy/partners ×1"), "{}", gets.details);

    // The provider's CPU time comes from the wrapper, per process, over the RPCs counted in the debug log: a refresh
    // plan of five partners makes at least the five reads and five plans.
    let cpu = report.rows.iter().find(|r| r.measurement == "plan N=5: provider CPU per RPC").unwrap();
    let Cell::Measured(summary, _) = &cpu.cell else { panic!("{cpu:?}") };
    assert!(summary.min > 0.0, "{table}");
    let rpcs: usize =
        cpu.details.split(" over the ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap().parse().unwrap();
    assert!(rpcs >= 10, "{}", cpu.details);

    // Terraform reuses the schema it has (get_provider_schema_optional): one call per plan, whatever the processes.
    let processes = report.rows.iter().find(|r| r.measurement.starts_with("plan N=5: wall time, entra")).unwrap();
    assert!(processes.details.contains("provider processes per plan"), "{}", processes.details);
    assert!(processes.details.contains("served 1 GetProviderSchema call(s)"), "{}", processes.details);

    // Two configurations (one managing an attribute mapping) with three and two assignments: three reads each, one
    // schema, and the five assignments read from one listing per configuration, paged by two (2 + 1 pages).
    let sync = report.rows.iter().find(|r| r.measurement == "sync refresh K=2, M=5: Graph GETs").unwrap();
    assert_eq!(sync.cell, Cell::Text { runs: 1, value: "10".to_owned() }, "{table}");
    assert_eq!(sync.budget.as_ref().map(|b| (b.text.as_str(), b.met)), Some(("≤ 3·2 + 1 + 3 = 10", true)), "{table}");
    assert!(sync.details.contains("GET /servicePrincipals/{id}/appRoleAssignedTo ×3/3"), "{}", sync.details);
}
