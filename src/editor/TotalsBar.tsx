/** Totals: parameters, model size and an estimate of training memory for the batch size. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { estimateSizes, formatBytes } from '../graph/estimate';
import { checkTypedNumber, TRAINING_SETTINGS } from '../graph/training-settings';
import { setTrainingAction } from './actions';
import { useEditor } from './store';
import { formatNumber } from '../graph/format';

const n = formatNumber;

export function TotalsBar() {
  const { analysis, training } = useEditor(useShallow((s) => ({ analysis: s.analysis, training: s.doc.training })));
  const batch = training?.batchSize ?? TRAINING_SETTINGS.batchSize.default;
  const [batchText, setBatchText] = useState(String(batch));
  useEffect(() => setBatchText(String(batch)), [batch]);
  const t = analysis.totals;
  const sizes = estimateSizes(analysis, batch, training?.optimizer);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = analysis.diagnostics.length - errors;
  const commitBatch = () => {
    // The same bounds as the Train tab and the file parser (the settings table).
    const r = checkTypedNumber(TRAINING_SETTINGS.batchSize, batchText);
    if (r.ok) {
      if (r.value !== batch) setTrainingAction({ batchSize: r.value });
    } else {
      setBatchText(String(batch));
      useEditor.getState().notify('error', r.message);
    }
  };
  return (
    <footer className="ll-totals" data-testid="totals">
      <span title="All weights of the model">
        Total params <b data-testid="total-params">{n(t.params)}</b>
        {!t.complete && <span className="ll-muted"> (some shapes unknown)</span>}
      </span>
      <span title="Weights the optimizer changes">
        trainable <b data-testid="trainable-params">{n(t.trainable)}</b>
      </span>
      <span title="Weights that are not trained (batch norm moving averages)">
        non-trainable <b data-testid="non-trainable-params">{n(t.nonTrainable)}</b>
      </span>
      <span title="Size of the saved float32 weights">
        model <b data-testid="model-size">{formatBytes(sizes.modelBytes)}</b>
      </span>
      <span title="Weights, gradients, optimizer state and activations for one training step (an estimate)">
        training memory ≈ <b data-testid="training-memory">{formatBytes(sizes.trainingBytes)}</b> at batch{' '}
        <input
          className="ll-num ll-batch"
          type="number"
          min={1}
          max={4096}
          aria-label="Batch size"
          data-testid="batch-size"
          value={batchText}
          onChange={(e) => setBatchText(e.target.value)}
          onBlur={commitBatch}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </span>
      <span className={`ll-status ${errors ? 'error' : warnings ? 'warning' : 'ok'}`} data-testid="graph-status" role="status">
        {errors ? `${errors} error${errors > 1 ? 's' : ''}` : warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : 'ready to train'}
      </span>
    </footer>
  );
}
