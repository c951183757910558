//! The words of the whole guide, shared by the threads that render pages: every distinct word
//! gets its stem's number once, so pages keep numbers instead of strings.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, RwLock};

use super::text::Stems;

const SHARDS: usize = 32;

/// A multiply-rotate hash eight bytes at a time (as in rustc's FxHash): fast for the short keys
/// here (words), and the same on every run.
#[derive(Debug, Default, Clone, Copy)]
pub struct FnvBuild;

pub struct Fnv(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fnv {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl BuildHasher for FnvBuild {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, mut bytes: &[u8]) {
        while bytes.len() >= 8 {
            let (head, rest) = bytes.split_at(8);
            self.add(u64::from_le_bytes(head.try_into().unwrap_or_default()));
            bytes = rest;
        }
        if !bytes.is_empty() {
            let mut last = [0u8; 8];
            last[..bytes.len()].copy_from_slice(bytes);
            self.add(u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FnvMap<K, V> = HashMap<K, V, FnvBuild>;

fn shard_of(s: &str) -> usize {
    (FnvBuild.hash_one(s) >> 40) as usize % SHARDS
}

/// Strings to dense numbers, safe to share between threads.
struct Interner {
    shards: Vec<Mutex<FnvMap<Box<str>, u32>>>,
    next: AtomicU32,
}

impl Interner {
    fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(FnvMap::default())).collect(),
            next: AtomicU32::new(0),
        }
    }

    fn shard(&self, s: &str) -> &Mutex<FnvMap<Box<str>, u32>> {
        &self.shards[shard_of(s)]
    }

    #[cfg(test)]
    fn get(&self, s: &str) -> Option<u32> {
        lock(self.shard(s)).get(s).copied()
    }

    fn intern(&self, s: &str) -> u32 {
        let mut map = lock(self.shard(s));
        if let Some(&id) = map.get(s) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        map.insert(s.into(), id);
        id
    }

    /// Every string by its number.
    fn strings(&self) -> Vec<Box<str>> {
        let mut out = vec![Box::<str>::default(); self.next.load(Ordering::Relaxed) as usize];
        for shard in &self.shards {
            for (s, &id) in lock(shard).iter() {
                out[id as usize] = s.clone();
            }
        }
        out
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stems of the guide (numbered) and the words seen for each.
pub struct Vocabulary {
    stems: Interner,
    /// Word as written (folded) → its own number and its stem's number. Read by every page at
    /// once; written only for words not seen before, which soon become rare.
    words: RwLock<FnvMap<Box<str>, (u32, u32)>>,
    stemmer: Stems,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self {
            stems: Interner::new(),
            words: RwLock::new(FnvMap::default()),
            stemmer: Stems::default(),
        }
    }
}

impl Vocabulary {
    /// The numbers of `words` and of their stems.
    pub fn ids_of(&self, words: &[&str]) -> Vec<(u32, u32)> {
        let mut out = vec![(u32::MAX, u32::MAX); words.len()];
        let mut missing = Vec::new();
        {
            let map = self.words.read().unwrap_or_else(|e| e.into_inner());
            for (i, w) in words.iter().enumerate() {
                match map.get(*w) {
                    Some(&ids) => out[i] = ids,
                    None => missing.push(i),
                }
            }
        }
        if missing.is_empty() {
            return out;
        }
        let found: Vec<(usize, u32)> = missing
            .iter()
            .map(|&i| (i, self.stems.intern(&self.stemmer.stem(words[i]))))
            .collect();
        let mut map = self.words.write().unwrap_or_else(|e| e.into_inner());
        for (i, stem) in found {
            let next = map.len() as u32;
            out[i] = *map.entry(words[i].into()).or_insert((next, stem));
        }
        out
    }

    /// The number of a stem, if the guide has it.
    #[cfg(test)]
    pub fn stem_id(&self, stem: &str) -> Option<u32> {
        self.stems.get(stem)
    }

    /// Every stem by number.
    pub fn stems(&self) -> Vec<Box<str>> {
        self.stems.strings()
    }

    /// How many words have been seen.
    pub fn word_count(&self) -> usize {
        self.words.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Every word seen with its stem's number and its own, sorted by word.
    pub fn words(&self) -> Vec<(Box<str>, u32, u32)> {
        let map = self.words.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<(Box<str>, u32, u32)> =
            map.iter().map(|(w, &(id, s))| (w.clone(), s, id)).collect();
        out.sort_unstable();
        out
    }
}
