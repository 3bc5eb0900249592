//! One pass over the source: what each element contributes to a copy of itself (one
//! element, its attribute text, the selector-matching steps usvg takes for it) and what it
//! refers to, through attributes, its `style` and the document's CSS alike.

use super::expansion::{Expanded, Limits, TooComplex};
use roxmltree::{Document, Node, NodeId};
use std::cell::Cell;
use std::collections::HashMap;

/// What one element of the source contributes, and what it refers to.
#[derive(Default)]
pub(super) struct Element {
    pub(super) own: Expanded,
    pub(super) children: Vec<usize>,
    /// What a `<use>` copies (usvg takes the first element with the id): the copy inherits
    /// from the `<use>`, so markers flow into it.
    pub(super) used: Vec<usize>,
    /// Anything else referred to (masks, clip paths, filters, patterns, `feImage`,
    /// templates), as an index into [`Scanned::groups`]: converted where it is defined, so
    /// it inherits from its own ancestors.
    pub(super) referred: Vec<usize>,
    /// The markers this element sets, per property (start, mid, end), as groups; `None`
    /// where it sets none and inherits its parent's.
    pub(super) markers: [Option<Vec<usize>>; 3],
    /// For paths, lines, polylines and polygons: at least their number of vertices.
    pub(super) vertices: u64,
    pub(super) parent: Option<usize>,
}

pub(super) struct Scanned {
    /// In document order: a parent comes before its children.
    pub(super) elements: Vec<Element>,
    /// Every element with an id that is referred to by `url(#id)` or `href`; all of them,
    /// since the one usvg picks depends on what it parses.
    pub(super) groups: Vec<Vec<usize>>,
    pub(super) root: usize,
}

/// What every element of `document` contributes and refers to.
pub(super) fn scan(document: &Document, limits: &Limits) -> Result<Scanned, TooComplex> {
    let nodes: Vec<Node> = document.descendants().filter(|n| n.is_element()).collect();
    if nodes.len() as u64 > limits.elements {
        return Err(TooComplex::Elements);
    }
    let index: HashMap<NodeId, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.id(), i)).collect();
    let mut ids: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(id) = node.attribute("id") {
            ids.entry(id).or_default().push(i);
        }
    }
    let mut groups = Groups::default();
    let sheet = style_sheet(document);
    let steps = Steps::new(limits.css_steps);
    let mut elements: Vec<Element> = Vec::with_capacity(nodes.len());
    let mut depths: Vec<usize> = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let parent = node.parent_element().map(|p| index[&p.id()]);
        let depth = parent.map_or(0, |p| depths[p] + 1);
        if depth > limits.depth {
            return Err(TooComplex::Depth);
        }
        depths.push(depth);
        let mut element = Element {
            parent,
            children: node
                .children()
                .filter_map(|c| index.get(&c.id()).copied())
                .collect(),
            vertices: vertices(node),
            ..Default::default()
        };
        // usvg tries every rule on every element it makes, copies included.
        let before = steps.taken.get();
        steps.take(sheet.rules.len() as u64);
        let mut declarations: Vec<(&str, &str)> = Vec::new();
        for rule in &sheet.rules {
            if steps.exhausted() {
                return Err(TooComplex::CssSteps);
            }
            if rule.selector.matches(&Matched {
                node: *node,
                steps: &steps,
            }) {
                declarations.extend(rule.declarations.iter().map(|d| (d.name, d.value)));
            }
        }
        if steps.exhausted() {
            return Err(TooComplex::CssSteps);
        }
        element.own = Expanded {
            elements: 1,
            bytes: node.attributes().map(|a| a.value().len() as u64 + 1).sum(),
            css_steps: steps.taken.get() - before,
        };
        let is_use = node.tag_name().name() == "use";
        for attribute in node.attributes() {
            match attribute.name() {
                "href" => {
                    let Some(targets) = fragment(attribute.value()).and_then(|id| ids.get(id))
                    else {
                        continue;
                    };
                    if is_use {
                        element.used.push(targets[0]);
                    } else {
                        element.referred.push(groups.of(targets));
                    }
                }
                "style" => {
                    for d in simplecss::DeclarationTokenizer::from(attribute.value()) {
                        declarations.push((d.name, d.value));
                    }
                }
                name => declarations.push((name, attribute.value())),
            }
        }
        for (property, value) in declarations {
            for targets in urls(value).filter_map(|id| ids.get(id)) {
                let slots = match property {
                    "marker" => 0..3,
                    "marker-start" => 0..1,
                    "marker-mid" => 1..2,
                    "marker-end" => 2..3,
                    // A gradient is drawn from its stops alone, whatever refers to it.
                    "fill" | "stroke"
                        if targets.iter().all(|&t| {
                            matches!(
                                nodes[t].tag_name().name(),
                                "linearGradient" | "radialGradient"
                            )
                        }) =>
                    {
                        continue;
                    }
                    _ => {
                        element.referred.push(groups.of(targets));
                        continue;
                    }
                };
                let group = groups.of(targets);
                for slot in slots {
                    element.markers[slot]
                        .get_or_insert_with(Vec::new)
                        .push(group);
                }
            }
        }
        for set in element.markers.iter_mut().flatten() {
            set.sort_unstable();
            set.dedup();
        }
        elements.push(element);
    }
    let root = index[&document.root_element().id()];
    Ok(Scanned {
        elements,
        groups: groups.list,
        root,
    })
}

/// One group per id referred to, numbered in the order first referred to.
#[derive(Default)]
struct Groups {
    by_first: HashMap<usize, usize>,
    list: Vec<Vec<usize>>,
}

impl Groups {
    fn of(&mut self, targets: &[usize]) -> usize {
        let next = self.list.len();
        let group = *self.by_first.entry(targets[0]).or_insert(next);
        if group == next {
            self.list.push(targets.to_vec());
        }
        group
    }
}

/// The style sheets usvg reads (`<style>` of type CSS or none).
fn style_sheet<'a>(document: &'a Document<'a>) -> simplecss::StyleSheet<'a> {
    let mut sheet = simplecss::StyleSheet::new();
    for node in document.descendants().filter(|n| n.has_tag_name("style")) {
        if !matches!(node.attribute("type"), None | Some("text/css")) {
            continue;
        }
        if let Some(text) = node.text() {
            sheet.parse_more(text);
        }
    }
    sheet
}

/// Selector-matching steps: each question a selector asks of the document is one. Once the
/// budget is spent every question answers "no", so a backtracking selector ends at once.
struct Steps {
    taken: Cell<u64>,
    budget: u64,
}

impl Steps {
    fn new(budget: u64) -> Steps {
        Steps {
            taken: Cell::new(0),
            budget,
        }
    }

    fn take(&self, n: u64) -> bool {
        self.taken.set(self.taken.get().saturating_add(n));
        !self.exhausted()
    }

    fn exhausted(&self) -> bool {
        self.taken.get() > self.budget
    }
}

/// An element as usvg's selector matching sees it, counting the steps.
struct Matched<'a, 'input, 's> {
    node: Node<'a, 'input>,
    steps: &'s Steps,
}

impl simplecss::Element for Matched<'_, '_, '_> {
    fn parent_element(&self) -> Option<Self> {
        let parent = self.node.parent_element().filter(|_| self.steps.take(1))?;
        Some(Matched {
            node: parent,
            steps: self.steps,
        })
    }

    fn prev_sibling_element(&self) -> Option<Self> {
        let previous = self
            .node
            .prev_sibling_element()
            .filter(|_| self.steps.take(1))?;
        Some(Matched {
            node: previous,
            steps: self.steps,
        })
    }

    fn has_local_name(&self, local_name: &str) -> bool {
        self.steps.take(1) && self.node.tag_name().name() == local_name
    }

    fn attribute_matches(&self, local_name: &str, operator: simplecss::AttributeOperator) -> bool {
        self.steps.take(1)
            && self
                .node
                .attribute(local_name)
                .is_some_and(|v| operator.matches(v))
    }

    fn pseudo_class_matches(&self, class: simplecss::PseudoClass) -> bool {
        self.steps.take(1)
            && class == simplecss::PseudoClass::FirstChild
            && self.node.prev_sibling_element().is_none()
    }
}

/// The id of a same-document reference (`#id`); usvg resolves no other kind.
fn fragment(value: &str) -> Option<&str> {
    value.trim().strip_prefix('#').filter(|id| !id.is_empty())
}

/// The ids of every `url(#id)` in a property value (quoted or not).
fn urls(value: &str) -> impl Iterator<Item = &str> {
    value.split("url(").skip(1).filter_map(|rest| {
        let inner = rest.split(')').next()?;
        fragment(inner.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// At least the number of vertices usvg can put a marker on: every vertex has a number of
/// its own (each number has a run of digits) or is a close-path command, plus the start.
fn vertices(node: &Node) -> u64 {
    let data = match node.tag_name().name() {
        "path" => node.attribute("d"),
        "polyline" | "polygon" => node.attribute("points"),
        "line" => return 2,
        _ => return 0,
    };
    let data = data.unwrap_or_default();
    let mut runs = 0u64;
    let mut in_digits = false;
    for c in data.bytes() {
        let digit = c.is_ascii_digit();
        if digit && !in_digits {
            runs += 1;
        }
        in_digits = digit;
    }
    let closes = data.bytes().filter(|c| matches!(c, b'z' | b'Z')).count() as u64;
    runs + closes + 2
}
