//! Fetches the GraphiQL page's third-party files at build time, so the server serves them
//! itself and needs no CDN: each package pinned in `graphiql/packages.toml` is fetched with
//! `npm pack` into the build directory, its tarball checked against the pinned integrity
//! hash (SHA-512), and the listed files extracted. `OUT_DIR/graphiql_assets.rs` then names
//! each file with its SHA-384 (the `integrity` attribute the page puts on it).
//!
//! Nothing third-party is committed. Without npm or the registry the build still succeeds,
//! and `/graphiql` says what is missing instead of a broken page
//! (`PARTNER_CENTER_GRAPHIQL=skip` asks for that on purpose).

use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha384, Sha512};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
struct Manifest {
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    integrity: String,
    /// (path inside the package, name it is served under)
    files: Vec<(String, String)>,
}

fn main() {
    println!("cargo:rerun-if-changed=graphiql/packages.toml");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PARTNER_CENTER_GRAPHIQL");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let manifest: Manifest = toml::from_str(
        &std::fs::read_to_string("graphiql/packages.toml").expect("graphiql/packages.toml"),
    )
    .expect("graphiql/packages.toml is valid");
    let fetched = if std::env::var("PARTNER_CENTER_GRAPHIQL").as_deref() == Ok("skip") {
        Err("skipped (PARTNER_CENTER_GRAPHIQL=skip)".to_owned())
    } else {
        manifest
            .package
            .iter()
            .map(|p| fetch(p, &out))
            .collect::<Result<Vec<_>, _>>()
            .map(|files| files.concat())
    };
    let generated = match fetched {
        Ok(files) => {
            let entries: String = files
                .iter()
                .map(|(name, path, sri)| {
                    format!(
                        "    ({name:?}, include_bytes!({:?}), {sri:?}),\n",
                        path.display()
                    )
                })
                .collect();
            format!(
                "/// (served name, bytes, SRI hash) of every GraphiQL file.\n\
                 pub const FILES: &[(&str, &[u8], &str)] = &[\n{entries}];\n\
                 pub const MISSING: Option<&str> = None;\n"
            )
        }
        Err(why) => {
            println!("cargo:warning=GraphiQL's files are not built in: {why}");
            format!(
                "pub const FILES: &[(&str, &[u8], &str)] = &[];\n\
                 pub const MISSING: Option<&str> = Some({why:?});\n"
            )
        }
    };
    std::fs::write(out.join("graphiql_assets.rs"), generated).expect("writing OUT_DIR");
}

/// The package's files as (served name, extracted path, SRI hash).
fn fetch(package: &Package, out: &Path) -> Result<Vec<(String, PathBuf, String)>, String> {
    let dir = out.join("graphiql");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tarball = dir.join(format!("{}-{}.tgz", package.name, package.version));
    if !tarball.exists() {
        let spec = format!("{}@{}", package.name, package.version);
        let packed = Command::new("npm")
            .args(["pack", &spec, "--silent", "--pack-destination"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("running npm ({e}); install Node.js and npm"))?;
        if !packed.status.success() {
            return Err(format!(
                "npm pack {spec} failed: {}",
                String::from_utf8_lossy(&packed.stderr).trim()
            ));
        }
    }
    let bytes = std::fs::read(&tarball).map_err(|e| e.to_string())?;
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes))
    );
    if integrity != package.integrity {
        let _ = std::fs::remove_file(&tarball);
        panic!(
            "{}@{} does not match its pinned integrity: got {integrity}, pinned {}",
            package.name, package.version, package.integrity
        );
    }
    package
        .files
        .iter()
        .map(|(inside, served)| {
            let extracted = dir.join(served);
            let unpacked = Command::new("tar")
                .args(["-xzf"])
                .arg(&tarball)
                .args(["-O", &format!("package/{inside}")])
                .output()
                .map_err(|e| format!("running tar: {e}"))?;
            if !unpacked.status.success() {
                return Err(format!("{inside} is not in {}", tarball.display()));
            }
            std::fs::write(&extracted, &unpacked.stdout).map_err(|e| e.to_string())?;
            let sri = format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&unpacked.stdout))
            );
            Ok((served.clone(), extracted, sri))
        })
        .collect()
}
