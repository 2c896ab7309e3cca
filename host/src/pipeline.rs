//! Streaming incident files through the rules on every core.
//!
//! One thread reads the inputs and cuts them into batches; one worker
//! thread per core owns a backend (its own module instance) with the
//! policy loaded, evaluates batches and, for a KPI report, accumulates;
//! the calling thread puts outcomes back in input order and hands them to
//! a sink. Channels are bounded, so memory stays flat however long the
//! input is. Every record read comes out as exactly one [`Outcome`]:
//! evaluated, or rejected with its file, line and reasons.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use flate2::read::MultiGzDecoder;
use incident_rules_core::evaluate::Evaluation;
use incident_rules_core::kpi::{KpiAccumulator, KpiReport};
use incident_rules_core::sources::{
    SourceFormat, SourceOptions, SourceRecord, read,
};
use incident_rules_wasm::boundary::{ItemResult, PolicyFormat};

use crate::engine::{EngineError, EngineKind, Rules};

/// How many records go to the rules in one call.
pub const DEFAULT_BATCH: usize = 256;

/// What went wrong with a run as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// An input could not be opened or read.
    #[error("input `{path}`: {message}")]
    Input {
        /// The input's name (`-` for standard input).
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The rules failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The sink failed, e.g. the output could not be written.
    #[error("{0}")]
    Sink(String),
    /// A worker thread died; a bug.
    #[error("a worker thread stopped unexpectedly")]
    WorkerLost,
}

/// What to run.
pub struct Job {
    /// The engine.
    pub engine: EngineKind,
    /// The policy text and format.
    pub policy: (String, PolicyFormat),
    /// Evaluation instant, RFC 3339.
    pub now: String,
    /// Input files (`-` is standard input).
    pub inputs: Vec<PathBuf>,
    /// Their format.
    pub format: SourceFormat,
    /// Reader options (zone of zone-less timestamps, activity log).
    pub options: SourceOptions,
    /// Worker threads.
    pub workers: usize,
    /// Records per call.
    pub batch_size: usize,
    /// Groupings when KPIs are accumulated; `None` for no KPIs.
    pub kpi_group_by: Option<Vec<String>>,
}

/// One record's outcome.
#[derive(Debug)]
pub enum Outcome {
    /// Evaluated.
    Evaluated {
        /// The evaluation.
        evaluation: Box<Evaluation>,
    },
    /// Not evaluated.
    Rejected {
        /// The input's name.
        file: String,
        /// The record's first line.
        line: u64,
        /// The incident's id, when known.
        id: Option<String>,
        /// Why, each naming its field where there is one.
        reasons: Vec<String>,
    },
}

/// Counts of a finished run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records rejected.
    pub rejected: u64,
}

/// Opens an input, decompressing `.gz` and reading `-` as standard input.
///
/// # Errors
///
/// When the file cannot be opened.
pub fn open_input(
    path: &Path,
) -> Result<Box<dyn BufRead + Send>, PipelineError> {
    let name = path.display().to_string();
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = File::open(path).map_err(|error| PipelineError::Input {
            path: name.clone(),
            message: format!("cannot open: {error}"),
        })?;
        Box::new(file)
    };
    let gzipped = path.extension().is_some_and(|ext| ext == "gz");
    Ok(if gzipped {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, raw))
    })
}

struct Batch {
    index: u64,
    file: String,
    records: Vec<SourceRecord>,
}

/// Reads every input and sends batches; returns the first input error.
fn read_inputs(
    job: &Job,
    batches: &mpsc::SyncSender<Batch>,
) -> Result<(), PipelineError> {
    let mut index = 0;
    for path in &job.inputs {
        let file = path.display().to_string();
        let input = open_input(path)?;
        let records =
            read(job.format, input, job.options.clone()).map_err(|error| {
                PipelineError::Input {
                    path: file.clone(),
                    message: error.to_string(),
                }
            })?;
        let mut pending = Vec::with_capacity(job.batch_size);
        for record in records {
            let record = record.map_err(|error| PipelineError::Input {
                path: file.clone(),
                message: error.to_string(),
            })?;
            pending.push(record);
            if pending.len() >= job.batch_size {
                let records = std::mem::take(&mut pending);
                let batch = Batch { index, file: file.clone(), records };
                if batches.send(batch).is_err() {
                    return Ok(());
                }
                index += 1;
            }
        }
        if !pending.is_empty() {
            let batch = Batch { index, file: file.clone(), records: pending };
            if batches.send(batch).is_err() {
                return Ok(());
            }
            index += 1;
        }
    }
    Ok(())
}

fn batch_label(batch: &Batch) -> String {
    let first = batch.records.first().map_or(0, |record| record.line);
    let last = batch.records.last().map_or(0, |record| record.line);
    format!("{} lines {first}-{last}", batch.file)
}

/// Evaluates one batch, pairing each record with its outcome.
fn evaluate_batch(
    rules: &mut Rules,
    batch: Batch,
    now: &str,
    kpi: Option<u32>,
) -> Result<Vec<Outcome>, EngineError> {
    let label = batch_label(&batch);
    let readable: Vec<_> = batch
        .records
        .iter()
        .filter_map(|record| record.result.as_ref().ok())
        .collect();
    let mut results = rules.evaluate(&readable, now, kpi, &label)?.into_iter();

    let mut outcomes = Vec::with_capacity(batch.records.len());
    for record in batch.records {
        let rejected = |id, reasons| Outcome::Rejected {
            file: batch.file.clone(),
            line: record.line,
            id,
            reasons,
        };
        let outcome = match &record.result {
            Err(reason) => rejected(record.id.clone(), vec![reason.clone()]),
            Ok(_) => match results.next() {
                Some(ItemResult::Evaluation(evaluation)) => {
                    Outcome::Evaluated { evaluation }
                }
                Some(ItemResult::Rejected(rejection)) => rejected(
                    Some(rejection.id),
                    rejection
                        .problems
                        .into_iter()
                        .map(|problem| {
                            if problem.field.is_empty() {
                                problem.message
                            } else {
                                format!(
                                    "{}: {}",
                                    problem.field, problem.message
                                )
                            }
                        })
                        .collect(),
                ),
                // INVARIANT: `Rules::evaluate` checks one result per
                // incident, so this cannot happen.
                None => {
                    rejected(record.id.clone(), vec!["no answer".to_owned()])
                }
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// What a worker hands back when its batches are done.
type WorkerEnd = Result<Option<KpiAccumulator>, PipelineError>;

/// Runs a job, handing every outcome in input order to `sink`.
///
/// Returns the counts and, when KPIs were asked for, the report.
///
/// # Errors
///
/// An input that cannot be opened or read, a failure of the rules, or an
/// error from the sink; what was already handed to the sink stays there.
pub fn run(
    job: &Job,
    sink: &mut dyn FnMut(&Outcome) -> Result<(), String>,
) -> Result<(Counts, Option<KpiReport>), PipelineError> {
    let workers = job.workers.max(1);
    let (batch_tx, batch_rx) = mpsc::sync_channel::<Batch>(workers * 2);
    let batch_rx = std::sync::Arc::new(std::sync::Mutex::new(batch_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<
        Result<(u64, Vec<Outcome>), PipelineError>,
    >(workers * 2);

    thread::scope(|scope| {
        let mut handles = Vec::new();
        for _ in 0..workers {
            let batch_rx = std::sync::Arc::clone(&batch_rx);
            let done_tx = done_tx.clone();
            handles.push(scope.spawn(move || -> WorkerEnd {
                let backend = job.engine.backend();
                let mut rules =
                    Rules::load(backend, &job.policy.0, job.policy.1)?;
                let kpi = match &job.kpi_group_by {
                    Some(groups) => Some(rules.kpi_start(groups)?),
                    None => None,
                };
                loop {
                    let next = match batch_rx.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return Err(PipelineError::WorkerLost),
                    };
                    let Ok(batch) = next else { break };
                    let index = batch.index;
                    let outcome =
                        evaluate_batch(&mut rules, batch, &job.now, kpi)
                            .map(|outcomes| (index, outcomes))
                            .map_err(PipelineError::from);
                    let failed = outcome.is_err();
                    if done_tx.send(outcome).is_err() || failed {
                        break;
                    }
                }
                match kpi {
                    Some(handle) => Ok(Some(rules.kpi_state(handle)?)),
                    None => Ok(None),
                }
            }));
        }
        drop(done_tx);

        let reader = scope.spawn(move || read_inputs(job, &batch_tx));

        // Put batches back in order; at most a few are ever waiting.
        let mut counts = Counts::default();
        let mut waiting = BTreeMap::new();
        let mut next_index = 0;
        let mut failure = None;
        for message in done_rx.iter() {
            match message {
                Ok((index, outcomes)) => {
                    waiting.insert(index, outcomes);
                }
                Err(error) => {
                    failure.get_or_insert(error);
                    break;
                }
            }
            while let Some(outcomes) = waiting.remove(&next_index) {
                next_index += 1;
                for outcome in &outcomes {
                    counts.read += 1;
                    match outcome {
                        Outcome::Evaluated { .. } => counts.evaluated += 1,
                        Outcome::Rejected { .. } => counts.rejected += 1,
                    }
                    if let Err(message) = sink(outcome) {
                        failure.get_or_insert(PipelineError::Sink(message));
                    }
                }
                if failure.is_some() {
                    break;
                }
            }
            if failure.is_some() {
                break;
            }
        }
        // Unblock everyone before joining: the receiver going away stops
        // the workers' sends, and the batches channel closes with them.
        drop(done_rx);

        let read_result =
            reader.join().map_err(|_| PipelineError::WorkerLost)?;
        let mut states = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(Ok(state)) => states.extend(state),
                Ok(Err(error)) => {
                    failure.get_or_insert(error);
                }
                Err(_) => {
                    failure.get_or_insert(PipelineError::WorkerLost);
                }
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        read_result?;

        let report = match &job.kpi_group_by {
            Some(groups) => Some(merged_report(job, groups, &states)?),
            None => None,
        };
        Ok((counts, report))
    })
}

/// Merges the workers' KPI states inside the rules and reports.
fn merged_report(
    job: &Job,
    groups: &[String],
    states: &[KpiAccumulator],
) -> Result<KpiReport, PipelineError> {
    let mut rules =
        Rules::load(job.engine.backend(), &job.policy.0, job.policy.1)?;
    let kpi = rules.kpi_start(groups)?;
    for state in states {
        rules.kpi_merge(kpi, state)?;
    }
    Ok(rules.kpi_report(kpi)?)
}
