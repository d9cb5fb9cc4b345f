//! `--set PATH=VALUE`: change any parameter of a scenario from the command
//! line, by the same dotted paths a sweep varies (`admissions.cream_skimming`,
//! `families.disadvantaged.information`, `population.groups[1].share`), with
//! the same type and range checks as a scenario file.

use schoolscape::error::InputProblem;
use schoolscape::sweep::params;
use schoolscape::{Error, Result, Scenario};

/// One `--set` as written, split into its path and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The dotted parameter path.
    pub path: String,
    /// The value, typed as TOML.
    pub value: toml::Value,
}

impl Setting {
    /// `PATH=VALUE` as written on the command line (values in plain text).
    pub fn text(&self) -> String {
        format!("{}={}", self.path, params::value_text(&self.value))
    }
}

fn bad(key: &str, message: impl Into<String>, allowed: impl Into<String>) -> InputProblem {
    InputProblem::new(key, message, allowed)
}

/// Parse `PATH=VALUE` arguments. Values are read as a whole number, a number,
/// `true`/`false`, a TOML list or table (`[...]`, `{...}`), or else a string.
pub fn parse(args: &[String]) -> Result<Vec<Setting>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for a in args {
        let Some((path, value)) = a.split_once('=') else {
            problems.push(bad(
                "--set",
                format!("`{a}` has no `=`"),
                "PATH=VALUE, such as admissions.cream_skimming=0.3",
            ));
            continue;
        };
        let path = path.trim();
        let run_key = |k: &str| path == k || path.starts_with(&format!("{k}."));
        if run_key("run") {
            problems.push(bad(
                path,
                "run settings are not set with --set (from --set)",
                "--years, --replicates or --seed",
            ));
            continue;
        }
        if value.trim().is_empty() {
            problems.push(bad(path, "no value after `=` (from --set)", "PATH=VALUE"));
            continue;
        }
        out.push(Setting { path: path.to_string(), value: params::parse_value(value) });
    }
    if problems.is_empty() { Ok(out) } else { Err(Error::Input(problems)) }
}

/// `s` with every setting applied, then validated as a scenario file is.
/// Problems name the path and say they came from `--set`.
pub fn apply(s: Scenario, settings: &[Setting]) -> Result<Scenario> {
    if settings.is_empty() {
        return Ok(s);
    }
    let values: Vec<(&str, toml::Value)> = settings.iter().map(|x| (x.path.as_str(), x.value.clone())).collect();
    let run = s.run.clone();
    let mut out = params::apply(&s, &values).map_err(|problems| {
        Error::Input(
            problems
                .into_iter()
                .map(|mut p| {
                    p.message = format!("{} (from --set)", p.message);
                    p
                })
                .collect(),
        )
    })?;
    out.run = run;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_and_applies_typed_values() {
        let sets =
            parse(&args(&["admissions.cream_skimming=0.4", "choice.list_length=3", "admissions.mechanism=boston"]))
                .unwrap();
        assert_eq!(sets[1].value, toml::Value::Integer(3));
        let s = apply(Scenario::default(), &sets).unwrap();
        assert_eq!(s.admissions.cream_skimming, 0.4);
        assert_eq!(s.choice.list_length, 3);
        assert_eq!(sets[2].text(), "admissions.mechanism=boston");
    }

    #[test]
    fn refuses_bad_forms_run_keys_and_bad_values() {
        let e = parse(&args(&["cream", "run.years=3", "x="])).unwrap_err().to_string();
        assert!(e.contains("`cream` has no `=`"), "{e}");
        assert!(e.contains("--years, --replicates or --seed"), "{e}");
        assert!(e.contains("no value"), "{e}");
        let sets = parse(&args(&["admissions.cream_skimming=1.5"])).unwrap();
        let e = apply(Scenario::default(), &sets).unwrap_err().to_string();
        assert!(e.contains("admissions.cream_skimming") && e.contains("from --set"), "{e}");
    }
}
