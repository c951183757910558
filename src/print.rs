//! `print.html`, the whole guide on one page: each page's body is spooled to a temporary file as
//! the page is rendered (in any order), then streamed into the print template in reading order,
//! so memory does not grow with the size of the guide.

mod scope;

pub(crate) use scope::body;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// Page bodies by reading-order position, kept on disk until `print.html` is written.
pub struct Spool {
    inner: Mutex<Inner>,
}

struct Inner {
    file: File,
    len: u64,
    parts: Vec<Option<(u64, usize)>>,
}

impl Spool {
    /// A spool for `pages` bodies in an anonymous temporary file.
    pub fn new(pages: usize) -> io::Result<Self> {
        Ok(Self {
            inner: Mutex::new(Inner {
                file: tempfile::tempfile()?,
                len: 0,
                parts: vec![None; pages],
            }),
        })
    }

    /// Keeps the body of the page at reading-order `position`.
    pub fn put(&self, position: usize, body: &str) -> io::Result<()> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let offset = inner.len;
        inner.file.seek(SeekFrom::Start(offset))?;
        inner.file.write_all(body.as_bytes())?;
        inner.len += body.len() as u64;
        if let Some(slot) = inner.parts.get_mut(position) {
            *slot = Some((offset, body.len()));
        }
        Ok(())
    }

    /// How many bytes [`Self::stream`] writes for `template_output`, without reading a body.
    pub fn streamed_len(
        &self,
        template_output: &str,
        placeholder: impl Fn(usize) -> String,
    ) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut rest = template_output;
        let mut len = 0;
        for (i, part) in inner.parts.iter().enumerate() {
            let mark = placeholder(i);
            let Some(at) = rest.find(&mark) else {
                continue;
            };
            len += at as u64 + part.map_or(0, |(_, n)| n as u64);
            rest = &rest[at + mark.len()..];
        }
        len + rest.len() as u64
    }

    /// Writes `template_output` to `out`, replacing each `placeholder(i)` with spooled body `i`.
    pub fn stream(
        &self,
        template_output: &str,
        placeholder: impl Fn(usize) -> String,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut rest = template_output;
        let mut buffer = Vec::new();
        for i in 0..inner.parts.len() {
            let mark = placeholder(i);
            let Some(at) = rest.find(&mark) else {
                continue;
            };
            out.write_all(&rest.as_bytes()[..at])?;
            if let Some((offset, len)) = inner.parts[i] {
                buffer.resize(len, 0);
                inner.file.seek(SeekFrom::Start(offset))?;
                inner.file.read_exact(&mut buffer)?;
                out.write_all(&buffer)?;
            }
            rest = &rest[at + mark.len()..];
        }
        out.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_bodies_in_position_order() {
        let spool = Spool::new(3).unwrap();
        spool.put(2, "<p>c</p>").unwrap();
        spool.put(0, "<p>a</p>").unwrap();
        let mut out = Vec::new();
        spool
            .stream("[@0][@1][@2]", |i| format!("@{i}"), &mut out)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[<p>a</p>][][<p>c</p>]");
        let len = spool.streamed_len("[@0][@1][@2]", |i| format!("@{i}"));
        assert_eq!(len, "[<p>a</p>][][<p>c</p>]".len() as u64);
    }
}
