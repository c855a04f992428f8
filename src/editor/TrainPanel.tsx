/**
 * The Train tab: the task and the dataset (MNIST, Fashion-MNIST, Shapes, the segmentation and
 * detection sets, or your own images) with a preview grid, what does not fit between graph and
 * data (with Fix it, from src/graph/fit-data.ts), backend, training settings (saved in the
 * graph), start / pause / resume / stop, a progress bar with images/s and time left, live loss
 * and accuracy (pixel accuracy, mean IoU, mAP) charts, and the test result: a confusion matrix
 * whose cells open the misclassified images, or for segmentation and detection the score per
 * class and the worst images (TaskResult).
 */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Chart } from '../viz/Chart';
import { ConfusionMatrix } from '../viz/ConfusionMatrix';
import { percent, TaskResult } from '../viz/TaskResult';
import { SampleGrid } from '../viz/SampleGrid';
import { chooseBackend, initTrainer, loadDataset, pauseTraining, resumeTraining, startTraining, stopTraining } from '../training/client';
import { filesFromDrop } from '../training/data/images';
import { graphDatasetName, graphDatasetSpec } from '../training/graph-dataset';
import { useTraining } from '../training/store';
import { DEFAULT_SETTINGS, type TrainSettings } from '../training/trainer';
import type { BackendName } from '../training/backend';
import { DATASETS } from '../graph/types';
import { TRAINING_SETTINGS, type TaskName } from '../graph/training-settings';
import { applyFit, dataFitProblems, type FitFix } from '../graph/fit-data';
import { setTrainingAction } from './actions';
import { SettingField, TrainSettingsControls } from './TrainSettings';
import { datasetGroups, TASK_CONTROL, taskPatch } from './setting-controls';
import { useEditor } from './store';
import { FolderAdvice, readFolder, useFolder } from './FolderAdvice';
import { expandZips } from '../labs/recorded-dataset';

const DATASET_LABELS = TRAINING_SETTINGS.dataset.optionLabels;
const TASK_TITLES: Record<TaskName, string> = { classification: 'Classification', segmentation: 'Segmentation', detection: 'Detection' };

/** Applies a problem's fixes (node params, the task setting) as one undo step. */
function fitAction(fixes: readonly FitFix[]) {
  const { doc, commit } = useEditor.getState();
  const next = applyFit(doc, fixes);
  if (next !== doc) commit('Fit the graph to the data', next);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m} min ${s} s` : `${s} s`;
}

/**
 * Does the graph fit the dataset? Its task, Input shape and output (dataFitProblems), each with a
 * one-click fix where one edit does it. A folder of your own images is read again at the Input's
 * shape (FolderAdvice): a different Input shape is no problem to fix then.
 */
function useFit(): { text: string; fix?: () => void }[] | null {
  const dataset = useTraining((s) => s.dataset);
  const { doc, analysis, inBlock } = useEditor(useShallow((s) => ({ doc: s.doc, analysis: s.analysis, inBlock: !!s.scope })));
  // Inside an open block the canvas is the block, not the network: nothing to fit to the data there.
  if (!dataset || inBlock) return null;
  const input = doc.nodes.find((n) => n.type === 'input');
  const inShape = input ? analysis.nodes.get(input.id)?.outputShape : undefined;
  const folder = useFolder.getState();
  const follows = !!folder.files && folder.name === dataset.name && inShape?.length === 3 && (inShape[2] === 1 || inShape[2] === 3);
  return dataFitProblems(doc, analysis, dataset)
    .filter((p) => !(p.kind === 'input' && follows))
    .map((p) => ({ text: p.text, fix: p.fix ? () => fitAction(p.fix!) : undefined }));
}

export function TrainPanel() {
  const t = useTraining();
  const { doc, ok, training } = useEditor(useShallow((s) => ({ doc: s.doc, ok: s.analysis.ok, training: s.doc.training })));
  const settings: TrainSettings = { ...DEFAULT_SETTINGS, ...(training ?? {}) } as TrainSettings;
  const datasetName = graphDatasetName(doc);
  const fit = useFit();
  const running = t.phase === 'training' || t.phase === 'paused' || t.phase === 'evaluating';
  const [folderInput, setFolderInput] = useState<HTMLInputElement | null>(null);

  useEffect(() => {
    if (!t.backend) void initTrainer();
  }, [t.backend]);

  // Load the graph's dataset when it changes (custom datasets are loaded from the folder chooser).
  // A choice made while another dataset is still loading starts its own load: loadDataset lets only
  // the latest one land (and shares a load of the same dataset already under way).
  useEffect(() => {
    if (!t.backend || datasetName === 'custom' || t.dataset?.name === datasetName) return;
    const spec = graphDatasetSpec(doc);
    if (spec) void loadDataset(spec);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [t.backend, datasetName]);

  const onFolder = async (chosen: File[]) => {
    // A zip of class folders (the camera recorder's "Save as zip", or any) is read as its folder.
    const files = await expandZips(chosen).catch((e: Error) => (useTraining.getState().set({ datasetError: `The zip could not be read: ${e.message}` }), []));
    if (!files.length) return;
    const input = doc.nodes.find((n) => n.type === 'input');
    const shape = (input?.params.shape as [number, number, number] | undefined) ?? [28, 28, 1];
    await readFolder(files, shape, settings.seed, () => {
      if (useEditor.getState().doc.training?.dataset !== 'custom') setTrainingAction({ dataset: 'custom' });
    });
  };

  const batches = useMemo(() => t.batches, [t.batches]);
  const lossSeries = [
    { label: 'train', color: '#3558d4', points: batches.map((b) => [b.x, b.loss] as [number, number]) },
    { label: 'validation', color: '#b45309', dash: true, points: t.epochs.filter((e) => e.valLoss !== null).map((e) => [e.epoch, e.valLoss!] as [number, number]) },
  ];
  // What the live metric is: accuracy, pixel accuracy (segmentation), none (detection: its score,
  // mAP, needs whole images' boxes and is only computed on the validation images after each epoch).
  const runTask: TaskName = t.dataset?.task ?? 'classification';
  const metricName = runTask === 'segmentation' ? 'pixel accuracy' : runTask === 'detection' ? null : 'accuracy';
  const accSeries = [
    { label: 'train', color: '#3558d4', points: batches.filter((b) => Number.isFinite(b.accuracy)).map((b) => [b.x, b.accuracy] as [number, number]) },
    { label: 'validation', color: '#b45309', dash: true, points: t.epochs.filter((e) => e.valAccuracy !== null).map((e) => [e.epoch, e.valAccuracy!] as [number, number]) },
  ];
  const scoreName = runTask === 'segmentation' ? 'Validation mean IoU' : runTask === 'detection' ? 'Validation mAP@0.5' : null;
  const scoreSeries = [
    { label: 'validation', color: '#b45309', dash: true, points: t.epochs.filter((e) => e.valScore !== null && e.valScore !== undefined && Number.isFinite(e.valScore)).map((e) => [e.epoch, e.valScore!] as [number, number]) },
  ];
  // The learning rate per epoch, shown when a schedule changed it during the run.
  const lrPoints = t.epochs.filter((e) => e.learningRate !== undefined).map((e) => [e.epoch, e.learningRate!] as [number, number]);
  const lrSeries = [{ label: 'learning rate', color: '#047857', dash: true, points: lrPoints }];
  const lrChanged = new Set(lrPoints.map((q) => q[1])).size > 1;
  const p = t.progress;
  // Inside an open block the canvas shows the block alone: training waits for the whole graph.
  const inBlock = useEditor((s) => !!s.scope);
  const canTrain = !inBlock && ok && !!t.dataset && !(fit && fit.length) && !running && t.phase !== 'loading';

  return (
    <div className="ll-train" data-testid="train-panel">
      <section
        data-testid="train-drop"
        onDragOver={(e) => {
          if (!running && [...e.dataTransfer.types].includes('Files')) e.preventDefault();
        }}
        onDrop={(e) => {
          if (running || !e.dataTransfer.files.length) return;
          e.preventDefault();
          // A dropped folder (one sub-folder per class) or several class folders side by side. The
          // entries must be taken during the event, so filesFromDrop is called before any await.
          void filesFromDrop(e.dataTransfer).then(onFolder);
        }}
        title="Drop a folder of images here (one sub-folder per class, or images/ with masks/ or labels/), or a zip of it"
      >
        <h3>Data</h3>
        <SettingField
          control={TASK_CONTROL}
          value={training?.task ?? TRAINING_SETTINGS.task.default}
          disabled={running}
          onCommit={(v) => setTrainingAction(taskPatch(v as TaskName, useEditor.getState().doc.training))}
        />
        <label className="ll-setting">
          <span>Dataset</span>
          <select
            data-testid="train-dataset"
            value={datasetName}
            disabled={running}
            onChange={(e) => {
              const v = e.target.value as (typeof DATASETS)[number];
              if (v === 'custom') folderInput?.click();
              else setTrainingAction({ dataset: v });
            }}
          >
            {/* Grouped by the task their labels serve, the graph's task first. */}
            {datasetGroups(training?.task).map((g, i) => (
              <optgroup key={g.task} label={i === 0 ? `${TASK_TITLES[g.task]} (this graph's task)` : TASK_TITLES[g.task]}>
                {g.datasets.map((d) => (
                  <option key={d} value={d}>
                    {DATASET_LABELS[d]}
                  </option>
                ))}
              </optgroup>
            ))}
            <option value="custom">{DATASET_LABELS.custom}</option>
          </select>
        </label>
        <input
          ref={setFolderInput}
          type="file"
          hidden
          multiple
          data-testid="train-folder"
          {...({ webkitdirectory: '', directory: '' } as object)}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void onFolder(files);
          }}
        />
        {datasetName === 'custom' && (
          <p>
            <button type="button" data-testid="train-choose-folder" onClick={() => folderInput?.click()} disabled={running}>
              Choose a folder…
            </button>{' '}
            <span className="ll-muted" data-testid="train-folder-help">
              a folder with one sub-folder per class; or images/ with masks/ (segmentation) or labels/ (YOLO detection) and classes.txt. Or drop the folder (or a zip of it) here
            </span>
          </p>
        )}
        {t.dataset && (
          <p className="ll-muted" data-testid="train-dataset-info">
            {t.dataset.name}: {t.dataset.trainCount.toLocaleString('en-US')} training and {t.dataset.testCount.toLocaleString('en-US')} test images, {t.dataset.shape.join('×')},{' '}
            {t.dataset.classes.length} classes{t.dataset.task && t.dataset.task !== 'classification' ? ` (${t.dataset.task === 'segmentation' ? 'a mask per image' : 'boxes per image'})` : ''}
          </p>
        )}
        <FolderAdvice seed={settings.seed} running={running} />
        {t.datasetError && (
          <p className="ll-error" role="alert" data-testid="train-dataset-error">
            {t.datasetError}
          </p>
        )}
        {t.skipped.length > 0 && (
          <details className="ll-skipped" data-testid="train-skipped" open>
            <summary>
              {t.skipped.length} file{t.skipped.length > 1 ? 's' : ''} could not be read and {t.skipped.length > 1 ? 'were' : 'was'} skipped
            </summary>
            <ul>
              {t.skipped.map((s) => (
                <li key={s.name}>
                  {s.name}: {s.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
        {fit?.map((f, i) => (
          <p className="ll-error" key={i} data-testid="train-fit-problem">
            {f.text}{' '}
            {f.fix && (
              <button type="button" data-testid="train-fit-fix" onClick={f.fix}>
                Fix it
              </button>
            )}
          </p>
        ))}
        {t.dataset && <SampleGrid classes={t.dataset.classes} augmentation={settings.augmentation} />}
      </section>

      <section>
        <h3>Settings</h3>
        <TrainSettingsControls disabled={running} />
        <label className="ll-setting">
          <span>Backend</span>
          <select data-testid="train-backend" value={t.backend?.name ?? ''} disabled={running} onChange={(e) => void chooseBackend(e.target.value as BackendName)}>
            {!t.backend && <option value="">starting…</option>}
            {(['webgpu', 'webgl', 'wasm', 'cpu'] as const).map((b) => {
              const tried = t.backend?.tried.find((x) => x.name === b);
              return (
                <option key={b} value={b} disabled={tried ? !tried.ok && !tried.slow && b !== t.backend?.name : false} title={tried?.reason}>
                  {b}
                  {tried?.slow ? ' (software GPU, slow)' : tried && !tried.ok ? ' (not available)' : ''}
                </option>
              );
            })}
          </select>
        </label>
        {t.backend && (
          <p className="ll-muted" data-testid="train-backend-info">
            Training on <b>{t.backend.name}</b>
            {t.backend.adapterInfo ? ` (${t.backend.adapterInfo})` : ''}
            {t.backend.wasmThreads && t.backend.parallel && t.backend.parallel.workers > 1 ? (
              <span
                data-testid="train-wasm-threads"
                title={`Data-parallel: each of ${t.backend.parallel.workers} training workers trains its share of every batch on its own copy of the model, and they apply the batch's averaged gradient together. ?workers=1 in the address trains in one worker.`}
              >
                {' · '}
                {t.backend.parallel.workers} workers × {t.backend.wasmThreads.threads} thread{t.backend.wasmThreads.threads === 1 ? '' : 's'} (data-parallel)
              </span>
            ) : (
              t.backend.wasmThreads && (
                <span data-testid="train-wasm-threads" title={t.backend.wasmThreads.detail ?? t.backend.parallel?.why ?? 'WASM runs threads only where the page is cross-origin isolated, and by default leaves one core to the page; ?threads=N in the address sets the count (see the README)'}>
                  {' · '}
                  {t.backend.wasmThreads.threads} thread{t.backend.wasmThreads.threads === 1 ? '' : 's'}
                  {t.backend.parallel?.fellBack ? ` (${t.backend.parallel.why})` : t.backend.wasmThreads.why ? ` (${t.backend.wasmThreads.why})` : ''}
                </span>
              )
            )}
            .
            {t.backend.keptWeights && (
              <span data-testid="train-kept-weights"> The trained weights from {t.backend.keptWeights} came along.</span>
            )}
          </p>
        )}
      </section>

      <section>
        {inBlock && (
          <p className="ll-muted" data-testid="train-in-block">
            A block is open: go back to the whole graph (Esc, or “Graph” above the canvas) to train it.
          </p>
        )}
        <div className="ll-train-buttons">
          {!running && (
            <button type="button" className="primary" data-testid="train-start" disabled={!canTrain} onClick={() => void startTraining(doc, settings)}>
              Train
            </button>
          )}
          {!running && (t.phase === 'done' || t.phase === 'stopped' || !!t.loadedWeights) && (
            <button type="button" data-testid="train-continue" disabled={!canTrain} onClick={() => void startTraining(doc, settings, true)} title="Train more epochs from the current weights">
              Continue
            </button>
          )}
          {t.phase === 'training' && (
            <button type="button" data-testid="train-pause" onClick={pauseTraining}>
              Pause
            </button>
          )}
          {t.phase === 'paused' && (
            <button type="button" data-testid="train-resume" onClick={resumeTraining}>
              Resume
            </button>
          )}
          {running && (
            <button type="button" data-testid="train-stop" onClick={stopTraining}>
              Stop
            </button>
          )}
        </div>
        {t.loadedWeights && !running && (
          <p className="ll-muted" data-testid="train-loaded-weights">
            Trained weights from <b>{t.loadedWeights}</b> are loaded: Continue trains on from them, Train starts afresh.
          </p>
        )}
        {!ok && <p className="ll-muted">Fix the graph's errors to train it.</p>}
        {running && <p className="ll-muted">Training a snapshot of the graph: edits apply to the next run.</p>}
        <div
          className="ll-progress"
          role="progressbar"
          aria-label="Training progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round((p?.done ?? 0) * 100)}
          data-testid="train-progress"
        >
          <div style={{ transform: `scaleX(${p?.done ?? 0})` }} />
        </div>
        <p className="ll-progress-text" data-testid="train-status">
          {t.phase === 'loading' && (t.message ?? 'Loading…')}
          {(t.phase === 'training' || t.phase === 'paused') && p && `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batchesPerEpoch} · ${Math.round(p.imagesPerSecond).toLocaleString('en-US')} images/s · ${duration(p.secondsLeft)} left · loss ${p.loss.toFixed(3)}${metricName && Number.isFinite(p.accuracy) ? ` · ${metricName} ${percent(p.accuracy)}` : ''}`}
          {(t.phase === 'training' || t.phase === 'paused') && !p && 'Compiling the model…'}
          {t.phase === 'evaluating' && `Testing on ${t.dataset?.testCount.toLocaleString('en-US') ?? 'the'} test images…`}
          {t.phase === 'done' && (t.message ? `Done. ${t.message}` : 'Done.')}
          {t.phase === 'stopped' && (t.message ?? 'Stopped.')}
        </p>
        {(t.phase === 'diverged' || t.phase === 'error') && t.message && (
          <p className="ll-error" role="alert" data-testid="train-message">
            {t.message}
          </p>
        )}
        {t.deviceLost && (
          <p className="ll-error" role="alert" data-testid="train-device-lost">
            {t.deviceLost.message}{' '}
            <button type="button" data-testid="train-device-fallback" onClick={() => void chooseBackend(t.deviceLost!.fallback as BackendName)}>
              Switch to {t.deviceLost.fallback}
            </button>
          </p>
        )}
      </section>

      {(batches.length > 0 || t.epochs.length > 0) && (
        <section>
          <Chart title="Loss" testid="chart-loss" series={lossSeries} />
          {metricName && <Chart title={metricName === 'accuracy' ? 'Accuracy' : 'Pixel accuracy'} testid="chart-accuracy" series={accSeries} percent />}
          {scoreName && <Chart title={scoreName} testid="chart-score" series={scoreSeries} percent />}
          {lrChanged && <Chart title="Learning rate" testid="chart-lr" series={lrSeries} height={90} tick={(v) => (v === 0 ? '0' : v.toPrecision(2))} />}
        </section>
      )}

      {t.result && t.dataset && (
        <section data-testid="train-result">
          <h3>Test set</h3>
          {t.result.segmentation || t.result.detection ? (
            <TaskResult result={t.result} classes={t.dataset.classes} count={t.dataset.testCount} />
          ) : (
            <>
              <p>
                Accuracy <b data-testid="test-accuracy">{(t.result.accuracy * 100).toFixed(2)}%</b>, loss {t.result.loss.toFixed(4)} on {t.dataset.testCount.toLocaleString('en-US')} images
              </p>
              <ConfusionMatrix result={t.result} classes={t.dataset.classes} />
            </>
          )}
        </section>
      )}
    </div>
  );
}

