/**
 * The Train panel's settings controls against the parser's schema: the controls are rendered (as
 * the panel renders them) and every bound they show is checked by asking the parser about values
 * at and just past it. A bound hard-coded in the panel that differs from the schema fails here.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyGraph } from '../graph/edit';
import { parseGraph } from '../graph/parse';
import { DATASET_TASKS, DATASETS, TRAINING_SETTINGS } from '../graph/training-settings';
import { checkControlText, controlPatch, controlShown, controlValue, datasetGroups, isNumberControl, SETTING_CONTROLS, taskPatch, TASK_CONTROL, type SettingControl } from './setting-controls';
import { useEditor } from './store';
import { TrainSettingsControls, TrainSettingsView } from './TrainSettings';

/** The parser's verdict on a graph whose training settings are `training`. */
const parserAccepts = (training: unknown) => parseGraph({ format: 'layerlab-graph', version: 1, nodes: [], edges: [], training }).ok;
/** The parser's verdict on one control set to `value` (a group is written whole, as the panel does). */
const accepts = (c: SettingControl, value: unknown) => parserAccepts(controlPatch(c, value, undefined));

/** The next double above / below x. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] = i[0]! + (x > 0 ? 1n : -1n);
  return b[0]!;
}
const nextDown = (x: number) => -nextUp(-x);

/** The attributes of every <input>/<select> in the markup, by data-testid, with a select's option values. */
function controlsIn(html: string): Map<string, { tag: string; attrs: Record<string, string>; options: string[] }> {
  const out = new Map<string, { tag: string; attrs: Record<string, string>; options: string[] }>();
  const tagRe = /<(input|select)\b([^>]*)>/g;
  for (let m = tagRe.exec(html); m; m = tagRe.exec(html)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = a[2] ?? '';
    const options: string[] = [];
    if (m[1] === 'select') {
      const end = html.indexOf('</select>', m.index);
      for (const o of html.slice(m.index, end).matchAll(/<option\b[^>]*value="([^"]*)"/g)) options.push(o[1]!);
    }
    if (attrs['data-testid']) out.set(attrs['data-testid'], { tag: m[1]!, attrs, options });
  }
  return out;
}

beforeEach(() => useEditor.getState().restore(emptyGraph(), [], []));

describe('the Train panel settings controls', () => {
  // A segmentation graph shows every control (the segmentation loss is shown for segmentation only);
  // a schedule's own settings show with their schedule: the step and plateau views together hold all.
  const html = ['step', 'plateau', 'cosine']
    .map((lrSchedule) => renderToStaticMarkup(createElement(TrainSettingsView, { training: { task: 'segmentation', lrSchedule } as never, disabled: false })))
    .join('');
  const rendered = controlsIn(html);

  it('has one control per setting of the table (the dataset and the task are chosen in the Data section), and no other', () => {
    const expected: string[] = [];
    for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
      if (key === 'dataset' || key === 'task') continue;
      if (spec.kind === 'group') for (const f of Object.keys(spec.fields)) expected.push(`${key}.${f}`);
      else expected.push(key);
    }
    expect(SETTING_CONTROLS.map((c) => c.path.join('.'))).toEqual(expected);
    expect([...rendered.keys()].sort()).toEqual(SETTING_CONTROLS.map((c) => c.testid).sort());
    // The test ids the e2e tests and the benchmark use.
    for (const id of ['train-optimizer', 'train-lr', 'train-batch', 'train-epochs', 'train-val', 'train-seed', 'train-aug-shift', 'train-aug-flip']) expect(rendered.has(id), id).toBe(true);
  });

  it.each(SETTING_CONTROLS.map((c) => [c.path.join('.'), c] as const))("%s: the rendered bounds are the parser's", (_name, c) => {
    const el = rendered.get(c.testid)!;
    expect(el, c.testid).toBeDefined();
    expect(el.attrs.title ?? '').toBe(''); // the tooltip is on the label, not on the input
    expect(html).toContain(`title="${c.spec.doc.replace(/"/g, '&quot;').replace(/'/g, '&#x27;')}"`);
    if (isNumberControl(c)) {
      expect(el.tag).toBe('input');
      expect(el.attrs.type).toBe('number');
      const min = Number(el.attrs.min);
      const max = Number(el.attrs.max);
      const exclusive = el.attrs['data-min-exclusive'] === 'true';
      expect(Number.isFinite(min) && Number.isFinite(max)).toBe(true);
      // The top: max is allowed, the next number above it is not.
      expect(accepts(c, max)).toBe(true);
      expect(accepts(c, c.spec.kind === 'int' ? max + 1 : nextUp(max))).toBe(false);
      // The bottom: min is allowed unless the control says it is exclusive; below is never allowed.
      expect(accepts(c, min)).toBe(!exclusive);
      if (exclusive) expect(accepts(c, nextUp(min))).toBe(true);
      expect(accepts(c, c.spec.kind === 'int' ? min - 1 : nextDown(min))).toBe(false);
      // Whole numbers: the step is 1 exactly when the parser refuses fractions.
      const fractionOk = accepts(c, min + 0.5 <= max ? min + 0.5 : (min + max) / 2);
      expect(el.attrs.step === '1').toBe(!fractionOk);
      // What the control shows at first is the table's default, and the parser takes it.
      expect(Number(el.attrs.value)).toBe(c.spec.default);
      expect(accepts(c, Number(el.attrs.value))).toBe(true);
    } else if (c.spec.kind === 'enum') {
      expect(el.tag).toBe('select');
      expect(el.options.length).toBeGreaterThan(1);
      for (const o of el.options) expect(accepts(c, o), o).toBe(true);
      expect(accepts(c, 'not-an-option')).toBe(false);
      expect(new Set(el.options).size).toBe(c.spec.options.length);
    } else {
      expect(el.attrs.type).toBe('checkbox');
      expect(accepts(c, true) && accepts(c, false)).toBe(true);
      expect(accepts(c, 1)).toBe(false);
    }
  });

  it.each(SETTING_CONTROLS.filter(isNumberControl).map((c) => [c.path.join('.'), c] as const))(
    '%s: what a control takes from the keyboard is exactly what the parser takes',
    (_name, c) => {
      if (!isNumberControl(c)) throw new Error('number control expected');
      const { min, max } = c.spec;
      const typed = [
        String(min),
        String(max),
        String(nextUp(max)),
        String(nextDown(min)),
        String(nextUp(min)),
        String((min + max) / 2),
        String(min + 0.5),
        String(max * 10 + 1),
        '11',
        '1000000',
        '1e-7',
        '5e-324',
        '-0',
        '0',
        '-1',
        '1e400',
        '',
        ' ',
        'abc',
        'NaN',
        'Infinity',
      ];
      for (const text of typed) {
        const r = checkControlText(c, text);
        const v = Number(text);
        const parserOk = text.trim() !== '' && Number.isFinite(v) && accepts(c, v);
        expect(r.ok, `${c.testid} "${text}"`).toBe(parserOk);
        if (r.ok) expect(accepts(c, r.value)).toBe(true);
        else expect(r.message).toContain(c.spec.label);
      }
    },
  );

  it('shows the graph\'s values, and writes a group whole', () => {
    const shift = SETTING_CONTROLS.find((c) => c.testid === 'train-aug-shift')!;
    const lr = SETTING_CONTROLS.find((c) => c.testid === 'train-lr')!;
    expect(controlValue(lr, { learningRate: 0.5 })).toBe(0.5);
    expect(controlValue(lr, undefined)).toBe(0.001);
    expect(controlPatch(shift, 3, { augmentation: { shift: 0, rotation: 10, zoom: 0, brightness: 0, flip: true } })).toEqual({
      augmentation: { shift: 3, rotation: 10, zoom: 0, brightness: 0, flip: true },
    });
    expect(parserAccepts(controlPatch(shift, 3, undefined))).toBe(true);
    // The rendered values follow the document's settings.
    const training = { learningRate: 0.25, augmentation: { shift: 2, rotation: 0, zoom: 0, brightness: 0, flip: true } };
    const again = controlsIn(renderToStaticMarkup(createElement(TrainSettingsView, { training, disabled: true })));
    expect(again.get('train-lr')!.attrs.value).toBe('0.25');
    expect(again.get('train-aug-shift')!.attrs.value).toBe('2');
    expect('checked' in again.get('train-aug-flip')!.attrs).toBe(true);
    expect('disabled' in again.get('train-lr')!.attrs).toBe(true);
  });

  it('shows the segmentation loss only for a segmentation graph', () => {
    const loss = SETTING_CONTROLS.find((c) => c.path[0] === 'segmentationLoss')!;
    expect(controlShown(loss, { task: 'segmentation' })).toBe(true);
    for (const training of [undefined, { task: 'classification' as const }, { task: 'detection' as const }]) {
      expect(controlShown(loss, training)).toBe(false);
      const shown = controlsIn(renderToStaticMarkup(createElement(TrainSettingsView, { training, disabled: false })));
      expect(shown.has(loss.testid)).toBe(false);
      expect(shown.has('train-lr')).toBe(true);
    }
    // The default settings render as a classifier's: no segmentation loss.
    expect(controlsIn(renderToStaticMarkup(createElement(TrainSettingsControls, { disabled: false }))).has(loss.testid)).toBe(false);
  });

  it("shows a learning-rate schedule's own settings only with that schedule", () => {
    const ids = (lrSchedule: string) =>
      [...controlsIn(renderToStaticMarkup(createElement(TrainSettingsView, { training: { lrSchedule } as never, disabled: false }))).keys()].filter((k) =>
        ['train-lrFactor', 'train-lrStepEpochs', 'train-lrPatience', 'train-minLearningRate'].includes(k),
      );
    expect(ids('none')).toEqual([]);
    expect(ids('step')).toEqual(['train-lrFactor', 'train-lrStepEpochs']);
    expect(ids('cosine')).toEqual(['train-minLearningRate']);
    expect(ids('plateau')).toEqual(['train-lrFactor', 'train-lrPatience', 'train-minLearningRate']);
    // Weight decay, early stopping and keeping the best epoch are always there.
    for (const id of ['train-lrSchedule', 'train-weightDecay', 'train-earlyStopping', 'train-keepBestWeights']) expect(controlsIn(renderToStaticMarkup(createElement(TrainSettingsView, { training: undefined, disabled: false }))).has(id), id).toBe(true);
  });
});

describe('the task and the datasets', () => {
  it('has a task control whose options are the parser\'s', () => {
    expect(TASK_CONTROL.spec).toBe(TRAINING_SETTINGS.task);
    for (const t of TRAINING_SETTINGS.task.options) expect(accepts(TASK_CONTROL, t)).toBe(true);
  });

  it('groups every built-in dataset under its task, the graph\'s task first', () => {
    for (const task of TRAINING_SETTINGS.task.options) {
      const groups = datasetGroups(task);
      expect(groups[0]!.task).toBe(task);
      const listed = groups.flatMap((g) => g.datasets);
      expect([...listed].sort()).toEqual(DATASETS.filter((d) => d !== 'custom').sort());
      for (const g of groups) for (const d of g.datasets) expect(DATASET_TASKS[d as keyof typeof DATASET_TASKS]).toBe(g.task);
    }
  });

  it('choosing a task picks a dataset for it when the graph\'s does not serve it', () => {
    expect(taskPatch('segmentation', { dataset: 'mnist' })).toEqual({ task: 'segmentation', dataset: 'shapes-masks' });
    expect(taskPatch('detection', undefined)).toEqual({ task: 'detection', dataset: 'shapes-boxes' });
    expect(taskPatch('segmentation', { dataset: 'cells' })).toEqual({ task: 'segmentation' });
    expect(taskPatch('classification', { dataset: 'shapes-boxes' })).toEqual({ task: 'classification', dataset: 'mnist' });
    expect(taskPatch('detection', { dataset: 'custom' })).toEqual({ task: 'detection' });
    for (const task of TRAINING_SETTINGS.task.options) expect(parserAccepts(taskPatch(task, { dataset: 'fashion-mnist' }))).toBe(true);
  });
});
