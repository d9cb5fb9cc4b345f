//! Reading TOML into the scenario's types with typed errors.
//!
//! The toml crate reports what went wrong only in its message text ("unknown
//! field `x`, expected one of ..."). This module deserialises a parsed TOML
//! document (or a [`toml::Table`]) itself, so that serde's own calls say what
//! went wrong ([`serde::de::Error::unknown_field`] with the allowed names,
//! [`serde::de::Error::invalid_type`] with what was found and what was
//! wanted, ...): every error comes back as a [`DeError`] with a [`DeKind`],
//! the key path it concerns and, for a file, its span. Nothing here reads an
//! error's text.
//!
//! Values deserialise as the toml crate deserialises them: integers as `i64`
//! (larger ones as `u64`, `i128`, `u128`), a table as a map, an array as a
//! sequence, an option present when the key is, and a choice (an enum) from
//! its name. Dates are no value of any schoolscape file and are refused.

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::ProblemKind;

/// A TOML value to deserialise, with where it is in its file (if it has one).
pub(crate) struct Node {
    span: Option<Range<usize>>,
    value: Value,
}

enum Value {
    Str(String),
    Int(Int),
    /// `Err`: a float too large for `f64`, as written.
    Float(Result<f64, String>),
    Bool(bool),
    Date(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Vec<(Key, Node)>),
}

/// An integer in the narrowest type that holds it (as the toml crate reads them).
enum Int {
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    /// Too large for any of them, as written.
    TooLarge(String),
}

struct Key {
    name: String,
    span: Option<Range<usize>>,
}

impl Node {
    /// A parsed TOML document, with spans.
    pub(crate) fn document(doc: &Spanned<DeTable<'_>>) -> Node {
        Node { span: Some(doc.span()), value: Value::Table(table_entries(doc.get_ref())) }
    }

    /// A table with no file behind it (errors carry no span).
    pub(crate) fn table(t: &toml::Table) -> Node {
        Node { span: None, value: Value::Table(plain_entries(t)) }
    }

    fn spanned(v: &Spanned<DeValue<'_>>) -> Node {
        let value = match v.get_ref() {
            DeValue::String(s) => Value::Str(s.to_string()),
            DeValue::Integer(i) => {
                Value::Int(int(i.as_str(), i.radix()).unwrap_or_else(|| Int::TooLarge(i.to_string())))
            }
            DeValue::Float(f) => Value::Float(float(f.as_str()).ok_or_else(|| f.to_string())),
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => Value::Date(*d),
            DeValue::Array(a) => Value::Array(a.iter().map(Node::spanned).collect()),
            DeValue::Table(t) => Value::Table(table_entries(t)),
        };
        Node { span: Some(v.span()), value }
    }

    fn plain(v: &toml::Value) -> Node {
        let value = match v {
            toml::Value::String(s) => Value::Str(s.clone()),
            toml::Value::Integer(i) => Value::Int(Int::I64(*i)),
            toml::Value::Float(f) => Value::Float(Ok(*f)),
            toml::Value::Boolean(b) => Value::Bool(*b),
            toml::Value::Datetime(d) => Value::Date(*d),
            toml::Value::Array(a) => Value::Array(a.iter().map(Node::plain).collect()),
            toml::Value::Table(t) => Value::Table(plain_entries(t)),
        };
        Node { span: None, value }
    }

    /// The node as a [`toml::Value`]; a number too large for TOML's 64 bits
    /// is an error of kind [`DeKind::TooLarge`].
    pub(crate) fn to_value(&self) -> Result<toml::Value, DeError> {
        let too_large = || Err(DeError::new(DeKind::TooLarge { found: self.text() }).at(&self.span));
        Ok(match &self.value {
            Value::Str(s) => toml::Value::String(s.clone()),
            Value::Int(Int::I64(i)) => toml::Value::Integer(*i),
            Value::Int(_) | Value::Float(Err(_)) => return too_large(),
            Value::Float(Ok(f)) => toml::Value::Float(*f),
            Value::Bool(b) => toml::Value::Boolean(*b),
            Value::Date(d) => toml::Value::Datetime(*d),
            Value::Array(items) => toml::Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| n.to_value().map_err(|e| e.within(Segment::Index(i))))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Table(entries) => toml::Value::Table(
                entries
                    .iter()
                    .map(|(k, n)| {
                        n.to_value().map(|v| (k.name.clone(), v)).map_err(|e| e.within(Segment::Key(k.name.clone())))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    /// The value in TOML's inline form (for messages).
    fn text(&self) -> String {
        match &self.value {
            Value::Str(s) => format!("{s:?}"),
            Value::Int(Int::I64(i)) => i.to_string(),
            Value::Int(Int::U64(i)) => i.to_string(),
            Value::Int(Int::I128(i)) => i.to_string(),
            Value::Int(Int::U128(i)) => i.to_string(),
            Value::Int(Int::TooLarge(written)) | Value::Float(Err(written)) => written.clone(),
            Value::Float(Ok(f)) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Array(items) => format!("[{}]", items.iter().map(Node::text).collect::<Vec<_>>().join(", ")),
            Value::Table(entries) => format!(
                "{{ {} }}",
                entries.iter().map(|(k, n)| format!("{} = {}", k.name, n.text())).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

fn table_entries(t: &DeTable<'_>) -> Vec<(Key, Node)> {
    t.iter().map(|(k, v)| (Key { name: k.get_ref().to_string(), span: Some(k.span()) }, Node::spanned(v))).collect()
}

fn plain_entries(t: &toml::Table) -> Vec<(Key, Node)> {
    t.iter().map(|(k, v)| (Key { name: k.clone(), span: None }, Node::plain(v))).collect()
}

fn int(digits: &str, radix: u32) -> Option<Int> {
    i64::from_str_radix(digits, radix)
        .map(Int::I64)
        .or_else(|_| u64::from_str_radix(digits, radix).map(Int::U64))
        .or_else(|_| i128::from_str_radix(digits, radix).map(Int::I128))
        .or_else(|_| u128::from_str_radix(digits, radix).map(Int::U128))
        .ok()
}

fn float(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    // An infinity not written as one overflowed.
    if f.is_infinite() && !text.contains("inf") { None } else { Some(f) }
}

/// Deserialise `T` from a node.
pub(crate) fn from_node<T: de::DeserializeOwned>(node: &Node) -> Result<T, DeError> {
    T::deserialize(node)
}

/// What went wrong in deserialising, as serde said it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DeKind {
    /// A key the type does not have; `allowed` are the keys it has.
    UnknownKey { key: String, allowed: &'static [&'static str] },
    /// A value of the wrong type.
    WrongType { found: String, wanted: String },
    /// A value of the right type that is not allowed.
    BadValue { found: String, wanted: String },
    /// A string that names none of a choice's options.
    UnknownName { name: String, allowed: &'static [&'static str] },
    /// A choice given a value that is not a name.
    NotAName { found: String, allowed: &'static [&'static str] },
    /// A number too large for the type that reads it (or for TOML).
    TooLarge { found: String },
    /// A required key that is not there.
    Missing { key: &'static str },
    /// A date, which no key takes.
    Date { found: String },
    /// Anything else a type's own reading says (for example a list of the wrong length).
    Other(String),
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// An error of deserialising: its kind, the key path it concerns, and its span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeError {
    pub kind: DeKind,
    /// Innermost step first.
    path: Vec<Segment>,
    pub span: Option<Range<usize>>,
}

impl DeError {
    fn new(kind: DeKind) -> DeError {
        DeError { kind, path: Vec::new(), span: None }
    }

    /// The error placed at `span` unless an inner value already placed it.
    fn at(mut self, span: &Option<Range<usize>>) -> DeError {
        if self.span.is_none() {
            self.span.clone_from(span);
        }
        self
    }

    /// The error, one step further out of the key path.
    fn within(mut self, segment: Segment) -> DeError {
        self.path.push(segment);
        self
    }

    /// The dotted key path, with `[i]` for array items
    /// (`population.groups[1].share`); for a missing key, the key itself.
    pub(crate) fn key(&self) -> String {
        let mut out = String::new();
        let missing = match &self.kind {
            DeKind::Missing { key } => Some(Segment::Key(key.to_string())),
            _ => None,
        };
        for s in self.path.iter().rev().chain(&missing) {
            match s {
                Segment::Key(k) if out.is_empty() => out.push_str(k),
                Segment::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The problem's kind, what is wrong and what is allowed, in words.
    pub(crate) fn words(&self) -> (ProblemKind, String, String) {
        match &self.kind {
            DeKind::UnknownKey { key, allowed } => {
                (ProblemKind::UnknownKey, format!("unknown field `{key}`"), names(allowed, "no keys"))
            }
            DeKind::WrongType { found, wanted } => {
                (ProblemKind::WrongType, format!("invalid type: {found}"), plain(wanted))
            }
            DeKind::BadValue { found, wanted } => {
                (ProblemKind::Invalid, format!("invalid value: {found}"), plain(wanted))
            }
            DeKind::UnknownName { name, allowed } => {
                (ProblemKind::Invalid, format!("unknown variant `{name}`"), names(allowed, "no names"))
            }
            DeKind::NotAName { found, allowed } => (
                ProblemKind::WrongType,
                format!("`{found}` is not one of the allowed names"),
                names(allowed, "no names"),
            ),
            DeKind::TooLarge { found } => (
                ProblemKind::Invalid,
                format!("{found} is too large"),
                "a smaller number (see docs/ODD.md for the key's range)".to_string(),
            ),
            DeKind::Missing { key } => (ProblemKind::Invalid, format!("missing field `{key}`"), String::new()),
            DeKind::Date { found } => {
                (ProblemKind::WrongType, format!("{found} is a date"), "no key takes a date".to_string())
            }
            DeKind::Other(message) => (ProblemKind::Invalid, message.clone(), String::new()),
        }
    }
}

/// Names in backticks, as serde lists them: `a`; `a` or `b`; `a`, `b`, `c`.
fn names(list: &[&str], none: &str) -> String {
    let quoted: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => none.to_string(),
        [a, b] => format!("{a} or {b}"),
        _ => quoted.join(", "),
    }
}

/// What serde says a type expects, in plain words where it names a Rust type.
fn plain(wanted: &str) -> String {
    match wanted {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more",
        "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" | "bool" => "true or false",
        other => other,
    }
    .to_string()
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (_, message, allowed) = self.words();
        write!(f, "{message}")?;
        if !allowed.is_empty() {
            write!(f, " (allowed: {allowed})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(DeKind::Other(msg.to_string()))
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError::new(DeKind::WrongType { found: unexp.to_string(), wanted: exp.to_string() })
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError::new(DeKind::BadValue { found: unexp.to_string(), wanted: exp.to_string() })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeKind::UnknownName { name: variant.to_string(), allowed: expected })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeKind::UnknownKey { key: field.to_string(), allowed: expected })
    }

    fn missing_field(field: &'static str) -> Self {
        DeError::new(DeKind::Missing { key: field })
    }
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value {
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Int(Int::I64(i)) => visitor.visit_i64(*i),
            Value::Int(Int::U64(i)) => visitor.visit_u64(*i),
            Value::Int(Int::I128(i)) => visitor.visit_i128(*i),
            Value::Int(Int::U128(i)) => visitor.visit_u128(*i),
            Value::Int(Int::TooLarge(_)) | Value::Float(Err(_)) => {
                Err(DeError::new(DeKind::TooLarge { found: self.text() }))
            }
            Value::Float(Ok(f)) => visitor.visit_f64(*f),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Date(d) => Err(DeError::new(DeKind::Date { found: d.to_string() })),
            Value::Array(items) => visitor.visit_seq(Items { items: items.iter().enumerate() }),
            Value::Table(entries) => visitor.visit_map(Entries { entries: entries.iter(), value: None }),
        }
        .map_err(|e| e.at(&self.span))
    }

    // A key that is there is `Some`; one that is not never reaches here.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self).map_err(|e| e.at(&self.span))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self).map_err(|e| e.at(&self.span))
    }

    // A choice is written as its name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(DeError::new(DeKind::NotAName { found: self.text(), allowed: variants })),
        }
        .map_err(|e| e.at(&self.span))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The items of an array, each error placed at its index.
struct Items<'de> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Node>>,
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some((i, node)) => seed.deserialize(node).map(Some).map_err(|e| e.at(&node.span).within(Segment::Index(i))),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a table, each error placed at its key.
struct Entries<'de> {
    entries: std::slice::Iter<'de, (Key, Node)>,
    value: Option<&'de (Key, Node)>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some(entry) = self.entries.next() else { return Ok(None) };
        self.value = Some(entry);
        let (key, _) = entry;
        let name: de::value::BorrowedStrDeserializer<'de, DeError> = de::value::BorrowedStrDeserializer::new(&key.name);
        seed.deserialize(name).map(Some).map_err(|e| e.at(&key.span).within(Segment::Key(key.name.clone())))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, node) = self.value.take().ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(node).map_err(|e| e.at(&node.span).within(Segment::Key(key.name.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A statement of a TOML document: a table header, or a key set to a value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    /// The byte offset where it starts.
    pub start: usize,
    /// The dotted key it sets: a header's table (the `n`th `[[x]]` is
    /// `x[n]`), or the key of a key-value under the header before it.
    pub key: String,
}

/// The statements of a TOML text, in order. The parser recovers from syntax
/// errors, so a broken text still has the statements around its errors.
pub(crate) fn statements(text: &str) -> Vec<Statement> {
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut reader = Statements {
        source,
        depth: 0,
        header: None,
        keys: Vec::new(),
        start: 0,
        table: String::new(),
        arrays: Vec::new(),
        found: Vec::new(),
    };
    toml_parser::parser::parse_document(&tokens, &mut reader, &mut ());
    reader.found
}

/// Reads statements from the parser's events.
struct Statements<'s> {
    source: toml_parser::Source<'s>,
    /// How deep in inline tables and arrays (their keys are not statements).
    depth: usize,
    /// While a header is read: whether it is an array of tables.
    header: Option<bool>,
    /// The keys of the header or key-value being read.
    keys: Vec<String>,
    start: usize,
    /// The table the key-values are in (the last header's key).
    table: String,
    /// How many `[[x]]` headers each path has had.
    arrays: Vec<(String, usize)>,
    found: Vec<Statement>,
}

impl Statements<'_> {
    fn open_header(&mut self, span: toml_parser::Span, array: bool) {
        self.header = Some(array);
        self.keys.clear();
        self.start = span.start();
    }

    fn close_header(&mut self) {
        let Some(array) = self.header.take() else { return };
        let mut key = self.keys.join(".");
        if array {
            let n = match self.arrays.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => {
                    *n += 1;
                    *n - 1
                }
                None => {
                    self.arrays.push((key.clone(), 1));
                    0
                }
            };
            key = format!("{key}[{n}]");
        }
        self.table.clone_from(&key);
        self.found.push(Statement { start: self.start, key });
        self.keys.clear();
    }
}

impl toml_parser::parser::EventReceiver for Statements<'_> {
    fn std_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.open_header(span, false);
    }

    fn std_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.close_header();
    }

    fn array_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.open_header(span, true);
    }

    fn array_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.close_header();
    }

    fn inline_table_open(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) -> bool {
        self.depth += 1;
        true
    }

    fn inline_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn array_open(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) -> bool {
        self.depth += 1;
        true
    }

    fn array_close(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<toml_parser::decoder::Encoding>,
        _error: &mut dyn toml_parser::ErrorSink,
    ) {
        if self.depth > 0 {
            return;
        }
        if self.keys.is_empty() && self.header.is_none() {
            self.start = span.start();
        }
        let mut name = String::new();
        if let Some(raw) = self.source.get(span) {
            toml_parser::Raw::new_unchecked(raw.as_str(), encoding, span).decode_key(&mut name, &mut ());
        }
        self.keys.push(name);
    }

    fn key_val_sep(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        if self.depth == 0 && self.header.is_none() {
            let mut key = self.table.clone();
            for k in self.keys.drain(..) {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(&k);
            }
            self.found.push(Statement { start: self.start, key });
        }
    }

    fn newline(&mut self, _span: toml_parser::Span, _error: &mut dyn toml_parser::ErrorSink) {
        self.close_header();
        self.keys.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        statements(text).into_iter().map(|s| s.key).collect()
    }

    #[test]
    fn statements_name_headers_keys_and_array_items() {
        let text = "name = \"x\"\n[run]\nyears = 3 # c\n[[g]]\na.b = { c = 1 }\n[[g]]\n\"q.r\" = [1, {d = 2}]\n";
        assert_eq!(keys(text), ["name", "run", "run.years", "g[0]", "g[0].a.b", "g[1]", "g[1].q.r"]);
        let s = statements(text);
        assert_eq!(&text[s[2].start..s[2].start + 5], "years");
        assert_eq!(&text[s[1].start..s[1].start + 5], "[run]");
    }

    #[test]
    fn statements_survive_syntax_errors() {
        assert_eq!(keys("[run\nyears = \n[x]\ny = 3 4\n"), ["run", "run.years", "x", "x.y"]);
    }

    #[test]
    fn errors_are_typed_with_key_path_and_span() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: Vec<u32>,
            b: Option<bool>,
        }
        let text = "a = [1, \"x\"]\n";
        let doc = DeTable::parse(text).unwrap();
        let e = from_node::<T>(&Node::document(&doc)).unwrap_err();
        assert_eq!(e.key(), "a[1]");
        assert!(matches!(&e.kind, DeKind::WrongType { wanted, .. } if wanted == "u32"), "{e:?}");
        assert_eq!(&text[e.span.clone().unwrap()], "\"x\"");
        let text = "a = []\nc = 1\n";
        let doc = DeTable::parse(text).unwrap();
        let e = from_node::<T>(&Node::document(&doc)).unwrap_err();
        assert_eq!(e.kind, DeKind::UnknownKey { key: "c".into(), allowed: &["a", "b"] });
        assert_eq!(&text[e.span.clone().unwrap()], "c");
        let e = from_node::<T>(&Node::table(&toml::Table::new())).unwrap_err();
        assert_eq!((e.kind, e.span), (DeKind::Missing { key: "a" }, None));
    }
}
