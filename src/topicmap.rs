//! The topic map: an SVG drawn at build time, topics as nodes sized by their lesson count and
//! edges weighted by the lessons two topics share. The layout is deterministic: topics sit on a
//! circle, ordered so that topics sharing many lessons sit next to each other.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::LessonId;
use crate::topics::Topics;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 720.0;
const RING: f64 = 250.0;
/// Each topic draws its strongest links only, so that a dense guide stays readable.
const EDGES_PER_TOPIC: usize = 4;

/// The map as inline SVG; `prefix` leads from the page that shows it to the `topics/` folder's
/// pages (e.g. `""` on the topics index, `"topics/"` on the landing page).
pub fn render(topics: &Topics, prefix: &str) -> String {
    let list = &topics.list;
    if list.is_empty() {
        return String::new();
    }
    let shared = shared_counts(topics);
    let order = layout_order(list.len(), &shared, |i| list[i].lessons.len());
    let max_count = list
        .iter()
        .map(|t| t.lessons.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_shared = shared.values().copied().max().unwrap_or(1).max(1) as f64;
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let mut place = vec![(0.0, 0.0, 0.0); list.len()];
    for (slot, &t) in order.iter().enumerate() {
        let angle =
            -std::f64::consts::FRAC_PI_2 + slot as f64 * std::f64::consts::TAU / list.len() as f64;
        place[t] = (cx + RING * angle.cos(), cy + RING * angle.sin(), angle);
    }
    let spacing = std::f64::consts::TAU * RING / list.len() as f64;
    let largest = (0.42 * spacing).clamp(8.0, 34.0);
    let radius =
        |t: usize| 5.0 + (largest - 5.0) * (list[t].lessons.len() as f64 / max_count).sqrt();

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"topic-map\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"group\" aria-labelledby=\"topic-map-title\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"topic-map-title\">Topic map: {} topics; lines join topics that share lessons</title>",
        list.len()
    );
    svg.push_str("<g class=\"topic-map-edges\">");
    let mut edges: Vec<(&(usize, usize), &usize)> = shared
        .iter()
        .filter(|(pair, _)| strongest(&shared, pair))
        .collect();
    edges.sort();
    for (&(a, b), &count) in edges {
        let (x1, y1, _) = place[a];
        let (x2, y2, _) = place[b];
        let width = 1.0 + 7.0 * count as f64 / max_shared;
        let _ = write!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke-width=\"{width:.1}\"><title>{} and {}: {count} shared lesson{}</title></line>",
            escape(&list[a].title),
            escape(&list[b].title),
            if count == 1 { "" } else { "s" }
        );
    }
    svg.push_str("</g><g class=\"topic-map-nodes\">");
    for (t, topic) in list.iter().enumerate() {
        let (x, y, angle) = place[t];
        let r = radius(t);
        let (dx, dy) = (angle.cos(), angle.sin());
        let lx = x + dx * (r + 8.0);
        let ly = y + dy * (r + 8.0) + 5.0;
        let anchor = if dx > 0.3 {
            "start"
        } else if dx < -0.3 {
            "end"
        } else {
            "middle"
        };
        let ly = if dx.abs() <= 0.3 { ly + dy * 10.0 } else { ly };
        let _ = write!(
            svg,
            "<a href=\"{prefix}{}\" class=\"topic-map-node\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\"/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">{} ({})</text></a>",
            escape(topic.url.trim_start_matches("topics/")),
            escape(&topic.title),
            topic.lessons.len()
        );
    }
    svg.push_str("</g></svg>");
    svg
}

/// Whether a pair is among the strongest links of either of its topics.
fn strongest(shared: &HashMap<(usize, usize), usize>, &(a, b): &(usize, usize)) -> bool {
    let weight = shared[&(a, b)];
    [a, b].iter().any(|&t| {
        let stronger = shared
            .iter()
            .filter(|&(&(x, y), &w)| {
                (x == t || y == t) && (w > weight || (w == weight && (x, y) < (a, b)))
            })
            .count();
        stronger < EDGES_PER_TOPIC
    })
}

/// How many lessons each pair of topics (by index, smaller first) shares.
fn shared_counts(topics: &Topics) -> HashMap<(usize, usize), usize> {
    let mut of_lesson: HashMap<LessonId, Vec<usize>> = HashMap::new();
    for (t, topic) in topics.list.iter().enumerate() {
        for &l in &topic.lessons {
            of_lesson.entry(l).or_default().push(t);
        }
    }
    let mut shared = HashMap::new();
    for list in of_lesson.values() {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                *shared.entry((a.min(b), a.max(b))).or_insert(0) += 1;
            }
        }
    }
    shared
}

/// A ring order that keeps strongly connected topics adjacent: start from the largest topic, then
/// repeatedly take the unplaced topic sharing most lessons with the last one placed.
fn layout_order(
    n: usize,
    shared: &HashMap<(usize, usize), usize>,
    size: impl Fn(usize) -> usize,
) -> Vec<usize> {
    let weight = |a: usize, b: usize| shared.get(&(a.min(b), a.max(b))).copied().unwrap_or(0);
    let mut placed = vec![false; n];
    let first = (0..n)
        .max_by_key(|&i| (size(i), std::cmp::Reverse(i)))
        .unwrap_or(0);
    let mut order = vec![first];
    placed[first] = true;
    while order.len() < n {
        let last = *order.last().unwrap_or(&first);
        let next = (0..n)
            .filter(|&i| !placed[i])
            .max_by_key(|&i| (weight(last, i), size(i), std::cmp::Reverse(i)))
            .unwrap_or(0);
        placed[next] = true;
        order.push(next);
    }
    order
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
