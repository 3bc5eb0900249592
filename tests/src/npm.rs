//! npm packages a browser test needs, installed by the test itself with the ordinary npm
//! client from the registry (nothing of them is committed): `npm install --no-save` into a
//! directory of the build tree named after the exact package list, reused while it stays
//! the same. Concurrent tests (or test processes) each install into a private directory
//! and move it into place; the first to finish wins.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Marks a finished installation (written last, before the move into place).
const DONE: &str = "installed.ok";

/// Installs `packages` (exact `name@version` specs) under `root` unless already there, and
/// returns the directory holding their `node_modules`.
pub fn install(root: &Path, packages: &[&str]) -> PathBuf {
    let key = hex::encode(&Sha256::digest(packages.join(" ").as_bytes())[..8]);
    let dir = root.join(format!("test-npm-{key}"));
    if dir.join(DONE).exists() {
        return dir;
    }
    std::fs::create_dir_all(root).expect("create the npm root");
    let work = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(root)
        .expect("a private npm directory");
    // `--legacy-peer-deps`: only the listed packages (graphql-ws would otherwise pull in
    // `graphql`, which the browser never loads).
    let output = Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--legacy-peer-deps",
            "--prefix",
        ])
        .arg(work.path())
        .args(packages)
        .output()
        .expect("npm is installed (the GraphiQL build needs it too)");
    assert!(
        output.status.success(),
        "npm install {} failed (is the npm registry reachable?): {}",
        packages.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    for spec in packages {
        let (name, version) = spec.rsplit_once('@').expect("name@version");
        let manifest = work
            .path()
            .join("node_modules")
            .join(name)
            .join("package.json");
        let text = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|_| panic!("{} is missing after npm install", manifest.display()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json["version"], version,
            "{name} installed at its pinned version"
        );
    }
    std::fs::write(work.path().join(DONE), packages.join("\n")).unwrap();
    let work = work.keep();
    if std::fs::rename(&work, &dir).is_err() {
        // Another installation got there first: use it.
        let _ = std::fs::remove_dir_all(&work);
        assert!(dir.join(DONE).exists(), "{} is incomplete", dir.display());
    }
    dir
}
