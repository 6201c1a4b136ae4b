//! Files named by URI (`s3://`, `gs://`, `az://`/`abfs://`, `file://`): fetched once into a local cache
//! directory of bounded size, then loaded (and memory-mapped) like any local file.
//!
//! Credentials and endpoints come from the environment as the `object_store` crate reads them
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`;
//! `GOOGLE_SERVICE_ACCOUNT`...; `AZURE_STORAGE_ACCOUNT_NAME`...). A cached copy is named after the URI and
//! the object's version (ETag, or size and modification time), so a changed object is fetched again and an
//! unchanged one never is. When the cache would exceed its size, the least recently used files go first.
//!
//! ```text
//!   s3://bucket/SPY.parquet ──GET (streamed)──▶ $ISOLATION_CACHE_DIR/<uri hash>-<version hash>.parquet ──▶ load
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, ObjectStoreScheme};
use thiserror::Error;
use url::Url;

/// Environment variable naming the cache directory (default: `$XDG_CACHE_HOME/isolation`, else
/// `~/.cache/isolation`, else the temp directory's `isolation-cache`).
pub const CACHE_DIR_ENV: &str = "ISOLATION_CACHE_DIR";
/// Environment variable bounding the cache, in bytes (default [`DEFAULT_CACHE_BYTES`]).
pub const CACHE_BYTES_ENV: &str = "ISOLATION_CACHE_BYTES";
/// The default bound of the cache: 16 GiB.
pub const DEFAULT_CACHE_BYTES: u64 = 16 << 30;

/// Why a remote file could not be fetched. The messages do not repeat the URI (the caller, or
/// [`LoadError::Remote`](crate::LoadError::Remote) around it, names it); the `uri` fields keep it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The text is not a URI of a supported store.
    #[error("not a supported object-store URI: {reason}")]
    Uri {
        /// The URI.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store refused or failed the request (not found, no credentials, unreachable...).
    #[error("the object store refused or failed the request")]
    Store {
        /// The URI.
        uri: String,
        /// The store's error.
        source: Box<object_store::Error>,
    },
    /// The object is larger than the whole cache.
    #[error("the object is {size} bytes, more than the cache's {limit} (raise ISOLATION_CACHE_BYTES)")]
    TooLarge {
        /// The URI.
        uri: String,
        /// The object's size.
        size: u64,
        /// The cache's bound.
        limit: u64,
    },
    /// The object changed size while it was read.
    #[error("the object changed while it was read: expected {expected} bytes, received {received}")]
    Short {
        /// The URI.
        uri: String,
        /// The size the store announced.
        expected: u64,
        /// The bytes received.
        received: u64,
    },
    /// The cache directory could not be used.
    #[error("cache {}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

pub use crate::is_uri;

/// The local cache of remote files: a directory and the most bytes it may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCache {
    dir: PathBuf,
    max_bytes: u64,
}

impl RemoteCache {
    /// A cache in `dir` holding at most `max_bytes`.
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        Self { dir: dir.into(), max_bytes }
    }

    /// The cache the environment names ([`CACHE_DIR_ENV`], [`CACHE_BYTES_ENV`]), with the defaults.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = var(CACHE_DIR_ENV).map(PathBuf::from).unwrap_or_else(|| {
            let base = var("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")));
            base.map_or_else(|| std::env::temp_dir().join("isolation-cache"), |b| b.join("isolation"))
        });
        let max_bytes = std::env::var(CACHE_BYTES_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_CACHE_BYTES);
        Self::new(dir, max_bytes)
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A local path holding the object at `uri`: a `file://` URI is its own path; other objects are
    /// fetched into the cache unless an up-to-date copy is there (one request for the object's metadata).
    ///
    /// # Errors
    ///
    /// An unsupported URI, a store error (missing object, no credentials, unreachable endpoint), an object
    /// larger than the cache, or an I/O error in the cache directory.
    pub fn fetch(&self, uri: &str) -> Result<PathBuf, RemoteError> {
        let url =
            Url::parse(uri).map_err(|e| RemoteError::Uri { uri: uri.to_string(), reason: e.to_string() })?;
        let bad = |reason: String| RemoteError::Uri { uri: uri.to_string(), reason };
        let (scheme, location) = ObjectStoreScheme::parse(&url).map_err(|e| bad(e.to_string()))?;
        if scheme == ObjectStoreScheme::Local {
            return url.to_file_path().map_err(|()| bad("not a local path".into()));
        }
        let store = store_for(&scheme, &url).map_err(&bad)?;
        let store_error =
            |e: object_store::Error| RemoteError::Store { uri: uri.to_string(), source: Box::new(e) };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| RemoteError::Io { path: self.dir.clone(), source })?;
        runtime.block_on(async {
            let meta = store.head(&location).await.map_err(store_error)?;
            let version =
                meta.e_tag.clone().unwrap_or_else(|| format!("{}@{}", meta.size, meta.last_modified));
            let path = self.dir.join(cache_name(uri, &version, location.as_ref()));
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == meta.size) {
                touch(&path);
                return Ok(path);
            }
            if meta.size > self.max_bytes {
                return Err(RemoteError::TooLarge {
                    uri: uri.to_string(),
                    size: meta.size,
                    limit: self.max_bytes,
                });
            }
            let io = |path: &Path| {
                let path = path.to_path_buf();
                move |source| RemoteError::Io { path, source }
            };
            std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
            self.evict_for(meta.size, &path)?;
            let temp = self.dir.join(format!(
                ".{}.{}.tmp",
                path.file_name().and_then(|f| f.to_str()).unwrap_or("fetch"),
                std::process::id()
            ));
            let result = write_object(&*store, &location, &temp, uri, meta.size).await;
            if let Err(e) = result {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
            std::fs::rename(&temp, &path).map_err(io(&path))?;
            Ok(path)
        })
    }

    /// Removes least recently used files until `incoming` more bytes fit (never `keep`).
    fn evict_for(&self, incoming: u64, keep: &Path) -> Result<(), RemoteError> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|source| RemoteError::Io { path: self.dir.clone(), source })?;
        let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
                Some((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
            })
            .filter(|(_, _, path)| path != keep)
            .collect();
        files.sort();
        let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
        for (_, len, path) in files {
            if total + incoming <= self.max_bytes {
                break;
            }
            // A file another process has mapped stays readable to it after the unlink.
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
        Ok(())
    }
}

/// The store for `scheme`, configured from the environment and the URL.
fn store_for(scheme: &ObjectStoreScheme, url: &Url) -> Result<Box<dyn ObjectStore>, String> {
    // TLS is rustls with ring (the workspace builds no aws-lc); an application that installed its own
    // provider first keeps it (`install_default` then returns an error, which is not ours to report).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = url.to_string();
    let built: Result<Box<dyn ObjectStore>, object_store::Error> = match scheme {
        ObjectStoreScheme::AmazonS3 => {
            object_store::aws::AmazonS3Builder::from_env().with_url(url).build().map(|s| Box::new(s) as _)
        }
        ObjectStoreScheme::GoogleCloudStorage => (object_store::gcp::GoogleCloudStorageBuilder::from_env())
            .with_url(url)
            .build()
            .map(|s| Box::new(s) as _),
        ObjectStoreScheme::MicrosoftAzure => (object_store::azure::MicrosoftAzureBuilder::from_env())
            .with_url(url)
            .build()
            .map(|s| Box::new(s) as _),
        other => return Err(format!("{other:?} is not supported; use s3://, gs://, az:// or file://")),
    };
    built.map_err(|e| e.to_string())
}

/// Streams the object into `temp`, checking its length.
async fn write_object(
    store: &dyn ObjectStore,
    location: &ObjectPath,
    temp: &Path,
    uri: &str,
    size: u64,
) -> Result<(), RemoteError> {
    let io = |source| RemoteError::Io { path: temp.to_path_buf(), source };
    let store_error =
        |e: object_store::Error| RemoteError::Store { uri: uri.to_string(), source: Box::new(e) };
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(temp).map_err(io)?);
    let mut stream = store.get(location).await.map_err(store_error)?.into_stream();
    let mut received = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(store_error)?;
        received += chunk.len() as u64;
        file.write_all(&chunk).map_err(io)?;
    }
    let file = file.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    if received != size {
        return Err(RemoteError::Short { uri: uri.to_string(), expected: size, received });
    }
    Ok(())
}

/// `<xxh3 of the URI>-<xxh3 of the version>.<the object's extension>`: the extension keeps the format.
fn cache_name(uri: &str, version: &str, key: &str) -> String {
    let hash = |text: &str| twox_hash::XxHash3_64::oneshot(text.as_bytes());
    let extension = Path::new(key).extension().and_then(|e| e.to_str()).unwrap_or("bin");
    format!("{:016x}-{:016x}.{extension}", hash(uri), hash(version))
}

/// Marks a cached file as just used (least recently used files are evicted first).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths() {
        assert!(is_uri("s3://bucket/key.parquet"));
        assert!(is_uri("file:///data/x.arrow"));
        assert!(!is_uri("/data/x.arrow"));
        assert!(!is_uri("C:\\data\\x.arrow"));
        assert!(!is_uri("relative/x.csv"));
    }

    #[test]
    fn cache_names_keep_the_extension_and_change_with_the_version() {
        let a = cache_name("s3://b/SPY.parquet", "etag1", "SPY.parquet");
        assert!(a.ends_with(".parquet"), "{a}");
        assert_ne!(a, cache_name("s3://b/SPY.parquet", "etag2", "SPY.parquet"));
        assert_ne!(a, cache_name("s3://b/QQQ.parquet", "etag1", "QQQ.parquet"));
    }

    #[test]
    fn file_uris_are_their_own_path_and_bad_uris_are_errors() {
        let cache = RemoteCache::new(std::env::temp_dir().join("isolation-cache-unit"), 1 << 20);
        assert_eq!(cache.fetch("file:///data/x.arrow").unwrap(), PathBuf::from("/data/x.arrow"));
        let error = cache.fetch("ftp://host/x.csv").unwrap_err();
        assert!(matches!(error, RemoteError::Uri { .. }), "{error}");
    }

    #[test]
    fn eviction_removes_least_recently_used_files_first() {
        let dir = std::env::temp_dir().join(format!("isolation-cache-evict-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = SystemTime::now();
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let path = dir.join(name);
            std::fs::write(&path, vec![0u8; 100]).unwrap();
            let file = std::fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(now - std::time::Duration::from_secs(100 - i as u64 * 10)).unwrap();
        }
        let cache = RemoteCache::new(&dir, 300); // 300 held + 100 incoming: the oldest goes
        cache.evict_for(100, &dir.join("incoming")).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        left.sort();
        assert_eq!(left, ["mid", "new"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
