//! Streaming incident files through the rules on every core.
//!
//! One thread reads the inputs and cuts them into batches; one worker
//! thread per core owns a backend (its own module instance) with the
//! policy loaded, evaluates batches and, for a KPI report, takes each
//! batch's KPI state out of the module and merges it on the host side, so
//! a module that fails later loses nothing already counted. When the
//! module fails on a batch, its incidents are tried one by one on fresh
//! instances and only the ones it cannot take are rejected. The calling
//! thread puts outcomes back in input order and hands them to a sink.
//! Channels are bounded, so memory stays flat however long the input is.
//! Every record read comes out as exactly one [`Outcome`]: evaluated, or
//! rejected with its file, line and reasons.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use flate2::read::MultiGzDecoder;
use incident_rules_core::evaluate::Evaluation;
use incident_rules_core::incident::IncidentInput;
use incident_rules_core::kpi::{KpiAccumulator, KpiReport};
use incident_rules_core::sources::{
    SourceFormat, SourceOptions, SourceRecord, read,
};
use incident_rules_wasm::boundary::{ItemResult, PolicyFormat};

use crate::engine::{EngineError, EngineKind, Rules};

/// How many records go to the rules in one call.
pub const DEFAULT_BATCH: u32 = 256;

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

impl Counts {
    /// Counts one outcome.
    pub fn count(&mut self, outcome: &Outcome) {
        self.read += 1;
        match outcome {
            Outcome::Evaluated { .. } => self.evaluated += 1,
            Outcome::Rejected { .. } => self.rejected += 1,
        }
    }
}

/// Opens an input, reading `-` as standard input and decompressing gzip
/// wherever it is (a `.gz` file, or gzip piped in): the first two bytes
/// tell, not the name.
///
/// # Errors
///
/// When the file cannot be opened or read.
pub fn open_input(
    path: &Path,
) -> Result<Box<dyn BufRead + Send>, PipelineError> {
    let name = path.display().to_string();
    let failed = |what: &str, error: std::io::Error| PipelineError::Input {
        path: name.clone(),
        message: format!("cannot {what}: {error}"),
    };
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(|error| failed("open", error))?)
    };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let gzipped = reader
        .fill_buf()
        .map_err(|error| failed("read", error))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gzipped {
        Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
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
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    // The records read before the failure are whole:
                    // they go through before the run stops.
                    if !pending.is_empty() {
                        let records = std::mem::take(&mut pending);
                        let batch =
                            Batch { index, file: file.clone(), records };
                        let _ = batches.send(batch);
                    }
                    return Err(PipelineError::Input {
                        path: file.clone(),
                        message: error.to_string(),
                    });
                }
            };
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

/// One worker thread's rules: a backend with the policy loaded.
struct WorkerRules<'a> {
    job: &'a Job,
    rules: Rules,
}

impl<'a> WorkerRules<'a> {
    fn load(job: &'a Job) -> Result<Self, EngineError> {
        let rules =
            Rules::load(job.engine.backend(), &job.policy.0, job.policy.1)?;
        Ok(WorkerRules { job, rules })
    }

    /// A fresh instance with the policy loaded again: after a failed call
    /// the module's state, handles included, is gone.
    fn reload(&mut self) -> Result<(), EngineError> {
        *self = WorkerRules::load(self.job)?;
        Ok(())
    }

    /// Evaluates incidents and, when KPIs are asked for, answers their KPI
    /// state too. Each call starts and drops its own accumulation, so a
    /// module that fails later loses nothing already counted.
    fn evaluate(
        &mut self,
        incidents: &[&IncidentInput],
        label: &str,
    ) -> Result<(Vec<ItemResult>, Option<KpiAccumulator>), EngineError> {
        let now = &self.job.now;
        let Some(groups) = &self.job.kpi_group_by else {
            let results = self.rules.evaluate(incidents, now, None, label)?;
            return Ok((results, None));
        };
        let kpi = self.rules.kpi_start(groups)?;
        let results = self.rules.evaluate(incidents, now, Some(kpi), label)?;
        let state = self.rules.kpi_state(kpi)?;
        self.rules.kpi_drop(kpi)?;
        Ok((results, Some(state)))
    }
}

/// What the rules said of one readable incident: an answer, or why the
/// module failed on it.
type Answer = Result<ItemResult, String>;

/// Evaluates the readable incidents of a batch. When the module fails on
/// the batch (a trap, fuel, memory), the incidents are tried one at a time
/// on fresh instances, so one incident the module cannot take is rejected
/// with the module's error and the rest go on; when it fails on every one
/// of them the module itself is broken, and the run stops.
fn answer_batch(
    worker: &mut WorkerRules<'_>,
    batch: &Batch,
    readable: &[(u64, &IncidentInput)],
) -> Result<(Vec<Answer>, Option<KpiAccumulator>), EngineError> {
    let label = batch_label(batch);
    let incidents: Vec<&IncidentInput> =
        readable.iter().map(|(_, incident)| *incident).collect();
    let first_error = match worker.evaluate(&incidents, &label) {
        Ok((results, state)) => {
            return Ok((results.into_iter().map(Ok).collect(), state));
        }
        Err(EngineError::Sandbox(error)) => error,
        Err(other) => return Err(other),
    };
    worker.reload()?;

    let mut answers = Vec::with_capacity(readable.len());
    let mut kpi_state: Option<KpiAccumulator> = None;
    for (line, incident) in readable {
        let label = format!("{} line {line}", batch.file);
        match worker.evaluate(&[*incident], &label) {
            Ok((results, state)) => {
                answers.extend(results.into_iter().map(Ok));
                if let Some(state) = state {
                    kpi_state
                        .get_or_insert_with(Default::default)
                        .merge(&state);
                }
            }
            Err(EngineError::Sandbox(error)) => {
                answers.push(Err(error.to_string()));
                worker.reload()?;
            }
            Err(other) => return Err(other),
        }
    }
    if readable.len() > 1 && answers.iter().all(Result::is_err) {
        return Err(EngineError::Sandbox(first_error));
    }
    Ok((answers, kpi_state))
}

/// Evaluates one batch, pairing each record with its outcome.
fn evaluate_batch(
    worker: &mut WorkerRules<'_>,
    batch: Batch,
) -> Result<(Vec<Outcome>, Option<KpiAccumulator>), EngineError> {
    let readable: Vec<_> = batch
        .records
        .iter()
        .filter_map(|record| {
            record.result.as_ref().ok().map(|incident| (record.line, incident))
        })
        .collect();
    let (answers, kpi_state) = if readable.is_empty() {
        (Vec::new(), None)
    } else {
        answer_batch(worker, &batch, &readable)?
    };
    let mut answers = answers.into_iter();

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
            Ok(_) => match answers.next() {
                Some(Ok(ItemResult::Evaluation(evaluation))) => {
                    Outcome::Evaluated { evaluation }
                }
                Some(Ok(ItemResult::Rejected(rejection))) => rejected(
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
                Some(Err(module_error)) => {
                    rejected(record.id.clone(), vec![module_error])
                }
                // INVARIANT: `Rules::evaluate` checks one result per
                // incident, so this cannot happen.
                None => {
                    rejected(record.id.clone(), vec!["no answer".to_owned()])
                }
            },
        };
        outcomes.push(outcome);
    }
    Ok((outcomes, kpi_state))
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
                let mut worker = WorkerRules::load(job)?;
                let mut kpi_state: Option<KpiAccumulator> = None;
                loop {
                    let next = match batch_rx.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return Err(PipelineError::WorkerLost),
                    };
                    let Ok(batch) = next else { break };
                    let index = batch.index;
                    let outcome = match evaluate_batch(&mut worker, batch) {
                        Ok((outcomes, state)) => {
                            if let Some(state) = state {
                                kpi_state
                                    .get_or_insert_with(Default::default)
                                    .merge(&state);
                            }
                            Ok((index, outcomes))
                        }
                        Err(error) => Err(PipelineError::from(error)),
                    };
                    let failed = outcome.is_err();
                    if done_tx.send(outcome).is_err() || failed {
                        break;
                    }
                }
                Ok(kpi_state)
            }));
        }
        // The workers hold the only handles on the batches now, so when
        // they stop (the output closed, a failure) the reader's sends fail
        // and it stops too, instead of waiting for room forever.
        drop(batch_rx);
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
                    counts.count(outcome);
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
