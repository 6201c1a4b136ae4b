//! Object-store sources end to end against a real S3-protocol server on loopback (moto's server mode, from
//! the test environment's Python): plan a study over `s3://` URIs, run its folds with `fold-run`, reuse the
//! local cache, and refuse an object that changed after planning.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Starts moto on 127.0.0.1 (a free port), makes the bucket, then uploads `KEY PATH` lines from stdin.
const MOTO: &str = r#"
import logging, sys, boto3
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
s3 = boto3.client("s3", endpoint_url=f"http://{host}:{port}", aws_access_key_id="test",
                  aws_secret_access_key="test", region_name="us-east-1")
s3.create_bucket(Bucket=sys.argv[1])
print(port, flush=True)
for line in sys.stdin:
    key, path = line.split()
    s3.upload_file(path, sys.argv[1], key)
    print("ok", flush=True)
server.stop()
"#;

struct Moto {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    endpoint: String,
}

impl Moto {
    /// None (test skipped) when Python with moto is missing and the run does not require it.
    fn start(bucket: &str) -> Option<Self> {
        let python = std::env::var("ISOLATION_PYTHON").unwrap_or_else(|_| "python3".into());
        let probe = Command::new(&python).args(["-c", "import moto.server, boto3, flask"]).output();
        if !probe.is_ok_and(|out| out.status.success()) {
            assert!(
                std::env::var_os("ISOLATION_REQUIRE_PYTHON").is_none(),
                "this test needs `{python}` with moto[server]; `cargo xtask test` installs it in target/py-venv"
            );
            eprintln!(
                "skipped: needs `{python}` with moto[server] (run `cargo xtask test`, which installs it)"
            );
            return None;
        }
        let mut child = Command::new(&python)
            .args(["-c", MOTO, bucket])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start moto");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut port = String::new();
        stdout.read_line(&mut port).expect("moto's port");
        let port: u16 = port.trim().parse().unwrap_or_else(|_| panic!("moto printed `{port}`, not a port"));
        Some(Self { child, stdin, stdout, endpoint: format!("http://127.0.0.1:{port}") })
    }

    fn upload(&mut self, key: &str, path: &Path) {
        let stdin = self.stdin.as_mut().expect("open");
        writeln!(stdin, "{key} {}", path.display()).expect("ask moto");
        let mut ok = String::new();
        self.stdout.read_line(&mut ok).expect("moto's answer");
        assert_eq!(ok.trim(), "ok");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        drop(self.stdin.take()); // moto stops when its stdin closes
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

fn csv(days: i64, bump: i64) -> String {
    let mut text = String::from("timestamp,close\n");
    for day in 0..days {
        text.push_str(&format!(
            "2024-{:02}-{:02}T00:00:00,{}\n",
            1 + day / 31,
            1 + day % 31,
            100 + day + bump
        ));
    }
    text
}

fn isolation(env: &[(&str, String)], args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_isolation"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn cached_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'));
    files.sort();
    files
}

#[test]
fn a_study_over_s3_uris_runs_from_its_manifest() {
    let Some(mut moto) = Moto::start("market") else { return };
    let dir = std::env::temp_dir().join(format!("isolation-cli-s3-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (symbol, days) in [("AAA", 60), ("BBB", 50)] {
        let path = dir.join(format!("{symbol}.csv"));
        std::fs::write(&path, csv(days, 0)).unwrap();
        moto.upload(&format!("bars/{symbol}.csv"), &path);
    }
    let cache = dir.join("cache");
    let env = [
        ("AWS_ENDPOINT", moto.endpoint.clone()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("ISOLATION_CACHE_DIR", cache.display().to_string()),
        ("ISOLATION_SHM_DIR", dir.join("shm").display().to_string()),
    ];
    let manifest = dir.join("study.json");
    let manifest_arg = manifest.to_str().unwrap();
    let sources = "s3://market/bars/AAA.csv,s3://market/bars/BBB.csv";
    let (ok, table, err) = isolation(
        &env,
        &["folds", sources, "--walk-forward", "train=20d,test=10d", "--manifest", manifest_arg],
    );
    assert!(ok, "{err}");
    assert!(table.contains("AAA") && table.contains("BBB"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let paths: Vec<&str> =
        json["sources"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["s3://market/bars/AAA.csv", "s3://market/bars/BBB.csv"]);
    let fetched = cached_files(&cache);
    assert_eq!(fetched.len(), 2, "{fetched:?}");

    // A worker with an empty segment directory loads the sources from the cache (no second download: the
    // cached files are the same ones) and runs its fold.
    let (ok, out, err) = isolation(
        &env,
        &[
            "fold-run",
            "--manifest",
            manifest_arg,
            "--fold",
            "1",
            "--",
            "sh",
            "-c",
            "echo \"$ISOLATION_SYMBOLS $ISOLATION_TRAIN_0 $ISOLATION_TEST_0\"",
        ],
    );
    assert!(ok, "{err}");
    let fold = &json["folds"][1]["symbols"][0];
    let rows = |r: &serde_json::Value| format!("{}:{}", r["start"], r["end"]);
    assert_eq!(
        out.trim(),
        format!("AAA,BBB {} {}", rows(&fold["train"][0]["rows"]), rows(&fold["test"][0]["test"]["rows"]))
    );
    assert_eq!(cached_files(&cache), fetched, "the cache was reused");

    // The object changes after planning: a worker on a fresh machine fetches the new version and refuses it.
    let changed = dir.join("BBB-changed.csv");
    std::fs::write(&changed, csv(50, 1)).unwrap();
    moto.upload("bars/BBB.csv", &changed);
    let fresh = [&env[..6], &[("ISOLATION_SHM_DIR", dir.join("shm2").display().to_string())]].concat();
    let (ok, _, err) =
        isolation(&fresh, &["fold-run", "--manifest", manifest_arg, "--fold", "0", "--", "true"]);
    assert!(!ok);
    let expected = json["sources"][1]["fingerprint"].as_str().unwrap();
    assert!(err.contains("BBB") && err.contains(expected), "{err}");
    assert_eq!(cached_files(&cache).len(), 3, "the new version was fetched beside the old");

    // Errors name the URI: a missing object, and a bucket the server does not have.
    let (ok, _, err) = isolation(&env, &["info", "s3://market/bars/NOPE.csv"]);
    assert!(!ok && err.contains("s3://market/bars/NOPE.csv"), "{err}");
    // Once: each layer says its own part (the URI, then what the store did), none repeats its cause.
    assert_eq!(err.matches("s3://market/bars/NOPE.csv").count(), 1, "{err}");
    assert!(
        err.starts_with("error: s3://market/bars/NOPE.csv: the object store refused or failed the request: "),
        "{err}"
    );
    drop(moto);
    std::fs::remove_dir_all(&dir).unwrap();
}
