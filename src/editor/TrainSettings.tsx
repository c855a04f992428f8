/**
 * The Train tab's Settings: one control per training setting, generated from the settings table
 * (src/graph/training-settings.ts through setting-controls.ts) — label, tooltip, bounds and step
 * included. Number fields commit on Enter or blur; a value outside the allowed range is refused
 * where it was typed, with a message saying the range, and the old value stays.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { OPTIMIZER_SPECS, TRAINING_SETTINGS, type EnumSettingSpec, type NumberSettingSpec, type TrainingSettingsValues } from '../graph/training-settings';
import { setTrainingAction } from './actions';
import { checkControlText, checkControlValue, controlPatch, controlShown, controlValue, isNumberControl, SETTING_CONTROLS, type SettingControl } from './setting-controls';
import { useEditor } from './store';

interface FieldProps {
  control: SettingControl;
  value: unknown;
  disabled: boolean;
  onCommit(value: unknown): void;
}

function NumberSettingField({ control, value, disabled, onCommit }: FieldProps & { control: SettingControl & { spec: NumberSettingSpec } }) {
  const { spec, testid } = control;
  const shown = String(value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  /** Escape blurs the field without committing (the blur's commit would still see the typed text). */
  const cancelled = useRef(false);
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    if (cancelled.current) {
      cancelled.current = false;
      return;
    }
    if (text === shown) {
      setError(null);
      return;
    }
    const r = checkControlText(control, text);
    if (!r.ok) {
      // Refused where it was typed: the message says the range, the old value stays.
      setError(r.message);
      setText(shown);
      return;
    }
    setError(null);
    if (r.value !== value) onCommit(r.value);
    else setText(shown);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
    else if (e.key === 'Escape') {
      cancelled.current = true;
      setText(shown);
      setError(null);
      (e.target as HTMLInputElement).blur();
    }
  };
  return (
    <div className="ll-setting-field">
      <label className="ll-setting" title={spec.doc}>
        <span>{spec.label}</span>
        <input
          type="number"
          className="ll-num"
          data-testid={testid}
          value={text}
          min={spec.min}
          max={spec.max}
          step={spec.step}
          data-min-exclusive={spec.minExclusive ? 'true' : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={onKey}
        />
      </label>
      {error && (
        <p className="ll-error" role="alert" id={errorId} data-testid={`${testid}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function EnumSettingField({ control, value, disabled, onCommit }: FieldProps) {
  const spec = control.spec as EnumSettingSpec;
  const isOptimizer = control.path.length === 1 && control.path[0] === 'optimizer';
  return (
    <label className="ll-setting" title={spec.doc}>
      <span>{spec.label}</span>
      <select
        data-testid={control.testid}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => {
          const r = checkControlValue(control, e.target.value);
          if (r.ok) onCommit(r.value);
        }}
      >
        {spec.options.map((o) => (
          <option key={o} value={o} title={isOptimizer ? OPTIMIZER_SPECS[o as keyof typeof OPTIMIZER_SPECS]?.doc : undefined}>
            {spec.optionLabels[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

function BooleanSettingField({ control, value, disabled, onCommit }: FieldProps) {
  return (
    <label className="ll-setting" title={control.spec.doc}>
      <span>{control.spec.label}</span>
      <input type="checkbox" data-testid={control.testid} checked={value === true} disabled={disabled} onChange={(e) => onCommit(e.target.checked)} />
    </label>
  );
}

/** One setting's control (the Data section renders the task's with it too). */
export function SettingField(props: FieldProps) {
  const { control } = props;
  if (isNumberControl(control)) return <NumberSettingField {...props} control={control} />;
  if (control.spec.kind === 'enum') return <EnumSettingField {...props} />;
  return <BooleanSettingField {...props} />;
}

/** The Settings section's controls for the graph's settings; `disabled` while a run is going on. */
export function TrainSettingsControls({ disabled }: { disabled: boolean }) {
  const training = useEditor((s) => s.doc.training);
  return <TrainSettingsView training={training} disabled={disabled} />;
}

/** The controls for given settings (what TrainSettingsControls renders; the tests render it too). */
export function TrainSettingsView({ training, disabled }: { training: TrainingSettingsValues | undefined; disabled: boolean }) {
  const field = (c: SettingControl) => (
    <SettingField
      key={c.path.join('.')}
      control={c}
      value={controlValue(c, training)}
      disabled={disabled}
      onCommit={(v) => setTrainingAction(controlPatch(c, v, useEditor.getState().doc.training))}
    />
  );
  // Settings of one task only (the segmentation loss) are shown for that task.
  const top = SETTING_CONTROLS.filter((c) => c.path.length === 1 && controlShown(c, training));
  const augmentation = SETTING_CONTROLS.filter((c) => c.path.length === 2 && c.path[0] === 'augmentation');
  return (
    <>
      <div className="ll-settings-grid" data-testid="train-settings">
        {top.map(field)}
      </div>
      <details className="ll-augment">
        <summary title={TRAINING_SETTINGS.augmentation.doc}>{TRAINING_SETTINGS.augmentation.label}</summary>
        <div className="ll-settings-grid">{augmentation.map(field)}</div>
      </details>
    </>
  );
}
