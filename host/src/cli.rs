//! The command line: arguments, subcommands and what each one does.
//!
//! `main` calls [`run`] and turns its [`RunOutcome`] into an exit code: 0 for
//! success, 1 when the run went fine but found what the user asked to fail
//! on (`--fail-on-breach`, `--strict`), 2 for an error. Results go to
//! standard output (or `--output`); diagnostics, rejected rows, the summary
//! line and the progress bar go to standard error.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use incident_rules_core::evaluate::TargetState;
use incident_rules_core::policy::{DEFAULT_POLICY_TOML, Policy};
use incident_rules_core::sources::{
    SourceFormat, SourceOptions, load_bpi2014_activity,
};
use incident_rules_wasm::boundary::PolicyFormat;

use crate::engine::EngineKind;
use crate::pipeline::{self, Counts, DEFAULT_BATCH, Job};
use crate::report;
use crate::sandbox::{Limits, RulesModule};

/// Evaluate IT incidents against a service-desk policy: priority, SLA
/// deadlines, breaches, major incidents and KPIs.
///
/// The rules run inside a WebAssembly module (built into this program, or
/// given with --module) under memory and CPU limits.
#[derive(Parser, Debug)]
#[command(name = "incident-rules", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate every incident of the inputs and write one record each.
    ///
    /// Output records carry the priority, the SLA that matched, each
    /// target's due instant and state, update cadence and major-incident
    /// status (docs/semantics.md). Rows that cannot be evaluated are
    /// reported on stderr with their file, line and reason.
    Evaluate(EvaluateArgs),
    /// Print the KPI report of the inputs against the policy's targets.
    Kpi(KpiArgs),
    /// Check a policy file and list every problem.
    CheckPolicy {
        /// The policy (TOML, or JSON when the name ends in .json).
        file: PathBuf,
    },
    /// Print the built-in default policy (TOML), to start your own from.
    DefaultPolicy,
}

#[derive(Args, Debug)]
struct InputArgs {
    /// Input files; `-` reads standard input, `.gz` files are
    /// decompressed.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// The inputs' format [default: csv for .csv files, else jsonl].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    input_format: Option<SourceFormat>,

    /// Time zone of timestamps written without an offset (every timestamp
    /// of servicenow and bpi2014 exports).
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    source_tz: String,

    /// For bpi2014: the activity log that goes with the incident records.
    #[arg(long, value_name = "FILE")]
    activity: Option<PathBuf>,

    /// The policy (TOML, or JSON when the name ends in .json)
    /// [default: the built-in policy].
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,

    /// The instant to evaluate at, RFC 3339 [default: the current time].
    #[arg(long, value_name = "TIME")]
    now: Option<String>,

    /// Write rejected rows here as JSON lines (file, line, id, reasons).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,

    /// Exit with code 1 when any row is rejected.
    #[arg(long)]
    strict: bool,

    /// Load the rules from this WebAssembly module instead of the built-in
    /// one (same ABI, docs/abi.md).
    #[arg(long, value_name = "FILE")]
    module: Option<PathBuf>,

    /// Run the rules compiled into this program instead of a module (for
    /// comparisons).
    #[arg(long, hide = true, conflicts_with = "module")]
    native: bool,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: Option<u16>,

    /// Incidents per call into the module.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch_size: u32,

    /// Memory cap for each module instance, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    memory_mib: usize,

    /// Say what the command decided (module, workers, batch size, limits).
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Args, Debug)]
struct EvaluateArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Write records here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    output_format: OutputFormat,

    /// Exit with code 1 when any target is breached.
    #[arg(long)]
    fail_on_breach: bool,
}

#[derive(Args, Debug)]
struct KpiArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Break the report down by these, comma-separated: month, priority,
    /// category, service, group, sla.
    #[arg(long, value_delimiter = ',', default_value = "month,priority")]
    by: Vec<String>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum OutputFormat {
    /// One JSON object per incident.
    Jsonl,
    /// One CSV row per incident, the main fields flattened.
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ReportFormat {
    /// A table for people.
    Table,
    /// The report as JSON.
    Json,
    /// One row per KPI and group.
    Csv,
}

fn parse_format(name: &str) -> Result<SourceFormat, String> {
    name.parse::<SourceFormat>().map_err(|error| error.to_string())
}

/// Writes one line of diagnostics to standard error. A closed or full
/// standard error is not worth failing (or panicking) over: the results on
/// standard output still count.
pub fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// All went well.
    Success,
    /// The run went well but found what the user asked to fail on.
    Found(String),
}

/// The error of a failed run, already worded for the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RunError(pub String);

impl RunError {
    /// Words any error for the user by its own message.
    fn wrap(error: impl std::fmt::Display) -> Self {
        RunError(error.to_string())
    }
}

fn read_policy(
    path: Option<&Path>,
) -> Result<(String, PolicyFormat), RunError> {
    let Some(path) = path else {
        return Ok((DEFAULT_POLICY_TOML.to_owned(), PolicyFormat::Toml));
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        RunError(format!("policy `{}`: cannot read: {error}", path.display()))
    })?;
    let format = if path.extension().is_some_and(|ext| ext == "json") {
        PolicyFormat::Json
    } else {
        PolicyFormat::Toml
    };
    Ok((text, format))
}

fn check_policy(path: &Path) -> Result<RunOutcome, RunError> {
    let (text, format) = read_policy(Some(path))?;
    let checked = match format {
        PolicyFormat::Toml => Policy::from_toml(&text),
        PolicyFormat::Json => Policy::from_json(&text),
    };
    match checked {
        Ok(policy) => {
            println!(
                "policy `{}` in `{}` is valid: {} priorities, {} SLA \
                 policies",
                policy.name(),
                path.display(),
                policy.priority_count(),
                policy.slas().len()
            );
            Ok(RunOutcome::Success)
        }
        Err(error) => {
            let mut message = format!(
                "policy `{}` has {} problem(s):",
                path.display(),
                error.problems().len()
            );
            for problem in error.problems() {
                // A problem's words may already start with its field.
                let line = if problem.field.is_empty()
                    || problem.message.starts_with(&problem.field)
                {
                    problem.message.clone()
                } else {
                    format!("{}: {}", problem.field, problem.message)
                };
                message.push_str(&format!("\n  {line}"));
            }
            Err(RunError(message))
        }
    }
}

fn build_job(
    input: &InputArgs,
    kpi_group_by: Option<Vec<String>>,
) -> Result<Job, RunError> {
    let policy = read_policy(input.policy.as_deref())?;
    let limits = Limits {
        memory_bytes: input.memory_mib.saturating_mul(1 << 20),
        ..Limits::default()
    };
    let engine = if input.native {
        EngineKind::Native
    } else {
        let module = match &input.module {
            Some(path) => RulesModule::from_file(path, limits),
            None => RulesModule::builtin(limits),
        };
        EngineKind::Module(module.map_err(RunError::wrap)?)
    };
    let format = input.input_format.unwrap_or_else(|| {
        let csv = input.inputs.iter().all(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".csv") || name.ends_with(".csv.gz")
        });
        if csv { SourceFormat::Csv } else { SourceFormat::Jsonl }
    });
    let zone = input.source_tz.parse::<chrono_tz::Tz>().map_err(|_| {
        RunError(format!(
            "--source-tz: unknown time zone `{}`",
            input.source_tz
        ))
    })?;
    let activity = match &input.activity {
        Some(path) => {
            let reader = pipeline::open_input(path).map_err(RunError::wrap)?;
            let loaded = load_bpi2014_activity(reader).map_err(|error| {
                RunError(format!("activity log `{}`: {error}", path.display()))
            })?;
            Some(loaded)
        }
        None => None,
    };
    let now = match &input.now {
        Some(now) => {
            incident_rules_core::time::parse_instant(now)
                .map_err(|error| RunError(format!("--now: {error}")))?;
            now.clone()
        }
        None => {
            // The one place the product reads the clock: the core takes
            // `now` as an input.
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs());
            incident_rules_core::time::format_instant(
                i64::try_from(seconds).unwrap_or(0),
                chrono_tz::UTC,
            )
        }
    };
    let workers = input.workers.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let batch_size = usize::try_from(input.batch_size).unwrap_or(1);
    if input.verbose {
        say(format_args!(
            "incident-rules: rules from {}, {workers} worker(s), batches of \
             {}, memory cap {} MiB per instance, fuel {} per call, now {now}",
            engine.name(),
            batch_size,
            input.memory_mib,
            limits.fuel_per_call
        ));
    }
    Ok(Job {
        engine,
        policy,
        now,
        inputs: input.inputs.clone(),
        format,
        options: SourceOptions { zone, activity },
        workers,
        batch_size,
        kpi_group_by,
    })
}

/// Writes rejected rows to stderr and, when asked, to a JSON-lines file.
struct Rejections {
    file: Option<BufWriter<File>>,
    shown: u64,
}

/// Rejected rows printed on stderr before the rest are only counted.
const SHOWN_REJECTIONS: u64 = 50;

impl Rejections {
    fn open(path: Option<&Path>) -> Result<Self, RunError> {
        let file = match path {
            Some(path) => {
                Some(BufWriter::new(File::create(path).map_err(|error| {
                    RunError(format!(
                        "--rejects `{}`: {error}",
                        path.display()
                    ))
                })?))
            }
            None => None,
        };
        Ok(Rejections { file, shown: 0 })
    }

    fn record(&mut self, outcome: &pipeline::Outcome) -> Result<(), String> {
        let pipeline::Outcome::Rejected { file, line, id, reasons } = outcome
        else {
            return Ok(());
        };
        if self.shown < SHOWN_REJECTIONS {
            // An id can be anything a source wrote, megabytes included;
            // the line already says where the row is.
            let who = id.as_ref().map_or(String::new(), |id| {
                let shown: String = id.chars().take(60).collect();
                let more = if shown.len() < id.len() { "..." } else { "" };
                format!(" incident `{shown}{more}`:")
            });
            say(format_args!("{file}:{line}:{who} {}", reasons.join("; ")));
        } else if self.shown == SHOWN_REJECTIONS && self.file.is_none() {
            say(format_args!(
                "(more rejected rows are counted below; use --rejects FILE \
                 to keep them all)"
            ));
        }
        self.shown += 1;
        if let Some(writer) = &mut self.file {
            let record = serde_json::json!({
                "file": file, "line": line, "id": id, "reasons": reasons,
            });
            writeln!(writer, "{record}").map_err(|error| {
                format!("writing the rejected rows: {error}")
            })?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), RunError> {
        if let Some(writer) = &mut self.file {
            writer.flush().map_err(RunError::wrap)?;
        }
        Ok(())
    }
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} incidents {per_sec} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    })
}

fn summary(counts: Counts, inputs: usize) {
    say(format_args!(
        "incident-rules: read {} records from {inputs} input(s): {} \
         evaluated, {} rejected",
        counts.read, counts.evaluated, counts.rejected
    ));
}

/// A run that stopped part-way still says how far it got, so that no row
/// is lost without a word: the rows counted were written (or reported),
/// the rest were not read.
fn stopped(
    seen: Counts,
    job: &Job,
    error: pipeline::PipelineError,
) -> RunError {
    summary(seen, job.inputs.len());
    RunError::wrap(error)
}

/// Where evaluation records go.
#[expect(
    clippy::large_enum_variant,
    reason = "one per run; boxing would buy nothing"
)]
enum Records<W: Write> {
    Jsonl(W),
    Csv(csv::Writer<W>),
}

impl<W: Write> Records<W> {
    fn write(
        &mut self,
        evaluation: &incident_rules_core::evaluate::Evaluation,
    ) -> Result<(), String> {
        match self {
            Records::Jsonl(output) => {
                serde_json::to_writer(&mut *output, evaluation)
                    .map_err(|error| error.to_string())?;
                output.write_all(b"\n").map_err(|error| error.to_string())
            }
            Records::Csv(writer) => writer
                .write_record(report::evaluation_row(evaluation))
                .map_err(|error| error.to_string()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Records::Jsonl(output) => output.flush(),
            Records::Csv(writer) => writer.flush(),
        }
    }
}

fn evaluate(args: &EvaluateArgs) -> Result<RunOutcome, RunError> {
    let job = build_job(&args.input, None)?;
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(File::create(path).map_err(|error| {
            RunError(format!("--output `{}`: {error}", path.display()))
        })?),
        None => Box::new(io::stdout().lock()),
    };
    let output = BufWriter::with_capacity(1 << 16, output);
    let mut records = match args.output_format {
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(output);
            writer
                .write_record(report::EVALUATION_COLUMNS)
                .map_err(RunError::wrap)?;
            Records::Csv(writer)
        }
        OutputFormat::Jsonl => Records::Jsonl(output),
    };
    let mut rejections = Rejections::open(args.input.rejects.as_deref())?;
    let bar = progress_bar();
    let mut breaches = 0_u64;

    let mut seen = Counts::default();
    let mut sink = |outcome: &pipeline::Outcome| -> Result<(), String> {
        seen.count(outcome);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        let pipeline::Outcome::Evaluated { evaluation } = outcome else {
            return rejections.record(outcome);
        };
        if evaluation
            .targets
            .iter()
            .any(|(_, t)| t.state == TargetState::Breached)
        {
            breaches += 1;
        }
        records
            .write(evaluation)
            .map_err(|error| format!("writing the results: {error}"))
    };
    let result = pipeline::run(&job, &mut sink);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (counts, _) = result.map_err(|error| stopped(seen, &job, error))?;
    records.flush().map_err(RunError::wrap)?;
    rejections.finish()?;
    summary(counts, job.inputs.len());

    if args.fail_on_breach && breaches > 0 {
        return Ok(RunOutcome::Found(format!(
            "{breaches} incident(s) breached a target"
        )));
    }
    if args.input.strict && counts.rejected > 0 {
        return Ok(RunOutcome::Found(format!(
            "{} row(s) rejected",
            counts.rejected
        )));
    }
    Ok(RunOutcome::Success)
}

fn kpi(args: &KpiArgs) -> Result<RunOutcome, RunError> {
    let groups: Vec<String> = args
        .by
        .iter()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    let job = build_job(&args.input, Some(groups))?;
    let mut rejections = Rejections::open(args.input.rejects.as_deref())?;
    let bar = progress_bar();
    let mut seen = Counts::default();
    let mut sink = |outcome: &pipeline::Outcome| {
        seen.count(outcome);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        rejections.record(outcome)
    };
    let result = pipeline::run(&job, &mut sink);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (counts, report) =
        result.map_err(|error| stopped(seen, &job, error))?;
    rejections.finish()?;
    let report =
        report.ok_or_else(|| RunError("no KPI report was made".to_owned()))?;

    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Table => {
            out.write_all(report::kpi_table(&report).as_bytes())
                .map_err(RunError::wrap)?;
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)
                .map_err(RunError::wrap)?;
            out.write_all(b"\n").map_err(RunError::wrap)?;
        }
        ReportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer
                .write_record([
                    "grouping", "group", "kpi", "value", "target", "met",
                ])
                .map_err(RunError::wrap)?;
            for row in report::kpi_csv_rows(&report) {
                writer.write_record(row).map_err(RunError::wrap)?;
            }
            writer.flush().map_err(RunError::wrap)?;
        }
    }
    out.flush().map_err(RunError::wrap)?;
    summary(counts, job.inputs.len());
    if args.input.strict && counts.rejected > 0 {
        return Ok(RunOutcome::Found(format!(
            "{} row(s) rejected",
            counts.rejected
        )));
    }
    Ok(RunOutcome::Success)
}

/// Runs the command.
///
/// # Errors
///
/// Any failure, worded for the user.
pub fn run(cli: Cli) -> Result<RunOutcome, RunError> {
    match cli.command {
        Command::Evaluate(args) => evaluate(&args),
        Command::Kpi(args) => kpi(&args),
        Command::CheckPolicy { file } => check_policy(&file),
        Command::DefaultPolicy => {
            let mut out = io::stdout().lock();
            out.write_all(DEFAULT_POLICY_TOML.as_bytes())
                .map_err(RunError::wrap)?;
            out.flush().map_err(RunError::wrap)?;
            Ok(RunOutcome::Success)
        }
    }
}

/// Whether an error is a closed pipe, which is not worth reporting.
pub fn is_broken_pipe(error: &RunError) -> bool {
    error.0.contains("Broken pipe") || error.0.contains("broken pipe")
}
