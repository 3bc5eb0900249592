//! Scripts of `tests/node/` run with Node.js against the packages they import, installed
//! with `npm::install` (pinned versions, nothing committed). ES modules resolve imports
//! from the script's own directory, so the script is copied next to its `node_modules`.

use std::path::{Path, PathBuf};

/// Runs `tests/node/<script>` with `args` where `packages` are installed (under `root`,
/// the test binary's `CARGO_TARGET_TMPDIR`); returns stdout.
pub async fn run(
    root: &Path,
    script: &str,
    packages: &'static [&'static str],
    args: &[&str],
) -> String {
    let root = root.to_owned();
    let dir = tokio::task::spawn_blocking(move || crate::npm::install(&root, packages))
        .await
        .unwrap();
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("node")
        .join(script);
    let copy = dir.join(script);
    std::fs::copy(&source, &copy).expect("copy the script next to its packages");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(&copy)
            .args(&args)
            .output()
    })
    .await
    .unwrap()
    .expect("node is installed");
    assert!(
        output.status.success(),
        "node {script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}
