//! How big an SVG becomes once usvg has expanded it, counted on the parsed document before
//! usvg sees it. usvg copies what a `<use>` points at every time it is used, converts a mask,
//! a bounding-box clip path or a filter (with the elements its `feImage` shows) again for
//! every element that refers to it, draws a marker's content at every vertex of every path
//! that has it, and matches every CSS rule against every element it produces (selectors
//! with descendant combinators backtrack). Nesting any of these a few levels deep turns a
//! kilobyte into millions of nodes or billions of steps (measured: 1.1 KB of `<use>`, 2.5 KB
//! of masks, 3 KB of clip paths or filters: 3 s and 230–370 MB each; 2 KB of nested markers
//! or 571 bytes of CSS: more than a minute).
//!
//! The same expansion is counted here instead of performed. Each (element, markers it
//! inherits) pair is measured once and reused wherever it is referenced, so the count costs
//! at most about as many steps as the bounds allow, whatever the document. Anything that
//! may be charged is charged: a reference is counted in full at every place it is made,
//! even where usvg would share the result. Reference cycles, which usvg breaks by dropping
//! the reference, are refused: no drawing needs one.

use super::scan::{self, Element};
use roxmltree::Document;
use std::collections::{HashMap, HashSet};

/// What an expanded drawing may hold. A logo needs a few hundred elements; what usvg writes
/// for 10,000 is already far larger than a stored logo may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub elements: u64,
    /// Attribute text (path data, embedded images) summed over every copy.
    pub bytes: u64,
    /// Selector-matching steps, as usvg takes them, summed over every copy.
    pub css_steps: u64,
    /// Nesting, counting each reference followed as one level.
    pub depth: usize,
}

pub const LIMITS: Limits = Limits {
    elements: 10_000,
    bytes: 2 * 1024 * 1024,
    css_steps: 2_000_000,
    depth: 128,
};

/// The size of the expanded drawing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expanded {
    pub elements: u64,
    pub bytes: u64,
    pub css_steps: u64,
}

impl Expanded {
    fn add(&mut self, other: Expanded, times: u64) {
        self.elements = self
            .elements
            .saturating_add(other.elements.saturating_mul(times));
        self.bytes = self.bytes.saturating_add(other.bytes.saturating_mul(times));
        self.css_steps = self
            .css_steps
            .saturating_add(other.css_steps.saturating_mul(times));
    }

    fn max(self, other: Expanded) -> Expanded {
        Expanded {
            elements: self.elements.max(other.elements),
            bytes: self.bytes.max(other.bytes),
            css_steps: self.css_steps.max(other.css_steps),
        }
    }
}

/// Which bound the drawing would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooComplex {
    Elements,
    Bytes,
    CssSteps,
    Depth,
    Cycle,
}

/// Measures the drawing usvg would make of `document`, or says which bound it passes.
pub fn measure(document: &Document, limits: &Limits) -> Result<Expanded, TooComplex> {
    let scanned = scan::scan(document, limits)?;
    let mut counter = Counter {
        limits: *limits,
        contexts: Vec::new(),
        context_ids: HashMap::new(),
        source: Vec::with_capacity(scanned.elements.len()),
        memo: HashMap::new(),
        in_progress: HashSet::new(),
        referred: HashMap::new(),
        markers: HashMap::new(),
        elements: scanned.elements,
        groups: scanned.groups,
    };
    let empty = counter.intern(Context::default());
    // Parents come first: what each element's content inherits where it is written.
    for i in 0..counter.elements.len() {
        let above = counter.elements[i]
            .parent
            .map_or(empty, |p| counter.source[p]);
        let here = counter.inherit(above, i);
        counter.source.push(here);
    }
    counter.cost(scanned.root, empty, 0)
}

/// The markers in effect, per property (start, mid, end), as groups.
type Context = [Vec<usize>; 3];

struct Counter {
    elements: Vec<Element>,
    groups: Vec<Vec<usize>>,
    limits: Limits,
    contexts: Vec<Context>,
    context_ids: HashMap<Context, usize>,
    /// Per element: the context its content has where it is written.
    source: Vec<usize>,
    memo: HashMap<(usize, usize), Expanded>,
    in_progress: HashSet<(usize, usize)>,
    /// Per group: the largest of its elements, where each is defined.
    referred: HashMap<usize, Expanded>,
    /// Per group of markers: the largest content, without itself in effect inside.
    markers: HashMap<usize, Expanded>,
}

impl Counter {
    fn intern(&mut self, context: Context) -> usize {
        if let Some(&id) = self.context_ids.get(&context) {
            return id;
        }
        self.contexts.push(context.clone());
        self.context_ids.insert(context, self.contexts.len() - 1);
        self.contexts.len() - 1
    }

    /// `context` with what `element` sets itself in place of what it inherits.
    fn inherit(&mut self, context: usize, element: usize) -> usize {
        if self.elements[element].markers.iter().all(Option::is_none) {
            return context;
        }
        let mut here = self.contexts[context].clone();
        for (slot, set) in self.elements[element].markers.iter().enumerate() {
            if let Some(set) = set {
                here[slot] = set.clone();
            }
        }
        self.intern(here)
    }

    /// What an element inherits where it is defined (what usvg converts a reference with).
    fn defined(&self, element: usize) -> usize {
        // Context 0 is the empty one, interned first.
        self.elements[element].parent.map_or(0, |p| self.source[p])
    }

    /// The expanded size of `element` when it inherits the markers of `context`.
    fn cost(
        &mut self,
        element: usize,
        context: usize,
        depth: usize,
    ) -> Result<Expanded, TooComplex> {
        if depth > self.limits.depth {
            return Err(TooComplex::Depth);
        }
        if let Some(&known) = self.memo.get(&(element, context)) {
            return Ok(known);
        }
        if !self.in_progress.insert((element, context)) {
            return Err(TooComplex::Cycle);
        }
        // Every pair measured occurs at least once in the expanded drawing.
        if self.memo.len() as u64 > self.limits.elements {
            return Err(TooComplex::Elements);
        }
        let here = self.inherit(context, element);
        let mut total = self.elements[element].own;
        for child in self.elements[element].children.clone() {
            total.add(self.cost(child, here, depth + 1)?, 1);
        }
        for used in self.elements[element].used.clone() {
            total.add(self.cost(used, here, depth + 1)?, 1);
        }
        for group in self.elements[element].referred.clone() {
            total.add(self.referred(group, depth + 1)?, 1);
        }
        let vertices = self.elements[element].vertices;
        if vertices > 0 {
            for group in self.contexts[here].concat() {
                total.add(self.marker(group, depth + 1)?, vertices);
            }
        }
        self.check(total)?;
        self.in_progress.remove(&(element, context));
        self.memo.insert((element, context), total);
        Ok(total)
    }

    fn referred(&mut self, group: usize, depth: usize) -> Result<Expanded, TooComplex> {
        if let Some(&known) = self.referred.get(&group) {
            return Ok(known);
        }
        let mut largest = Expanded::default();
        for target in self.groups[group].clone() {
            let defined = self.defined(target);
            largest = largest.max(self.cost(target, defined, depth)?);
        }
        self.referred.insert(group, largest);
        Ok(largest)
    }

    /// A marker's content, drawn once per vertex: usvg does not draw a marker inside itself.
    fn marker(&mut self, group: usize, depth: usize) -> Result<Expanded, TooComplex> {
        if let Some(&known) = self.markers.get(&group) {
            return Ok(known);
        }
        let mut largest = Expanded::default();
        for target in self.groups[group].clone() {
            let mut context = self.contexts[self.defined(target)].clone();
            for set in &mut context {
                set.retain(|&g| g != group);
            }
            let context = self.intern(context);
            largest = largest.max(self.cost(target, context, depth)?);
        }
        self.markers.insert(group, largest);
        Ok(largest)
    }

    fn check(&self, total: Expanded) -> Result<(), TooComplex> {
        if total.elements > self.limits.elements {
            Err(TooComplex::Elements)
        } else if total.bytes > self.limits.bytes {
            Err(TooComplex::Bytes)
        } else if total.css_steps > self.limits.css_steps {
            Err(TooComplex::CssSteps)
        } else {
            Ok(())
        }
    }
}
