import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGraphText } from '../graph/parse';
import { parseLesson, parseLessonText } from './parse';
import { LESSON_LIMITS } from './types';

const root = join(__dirname, '../..');
const lenetText = readFileSync(join(root, 'presets/lenet5.json'), 'utf8');
const lenet = JSON.parse(lenetText) as Record<string, unknown>;

function lesson(over: Record<string, unknown> = {}, steps?: unknown[]): Record<string, unknown> {
  return {
    format: 'layerlab-lesson',
    version: 1,
    id: 'cnn-basics',
    title: 'Convolutions',
    summary: 'From pixels to feature maps.',
    steps: steps ?? [
      { id: 'start', title: 'Start', text: 'Open **LeNet-5**.', preset: 'lenet5', goals: [{ kind: 'noErrors' }] },
      {
        id: 'skip',
        title: 'A skip',
        text: 'Add a [skip](https://en.wikipedia.org/wiki/Residual_neural_network).',
        graph: lenet,
        solution: lenet,
        goals: [
          { kind: 'nodeType', type: 'conv2d', min: 2, label: 'Two convolutions' },
          { kind: 'skipConnection' },
          { kind: 'maxParams', max: 100000 },
          { kind: 'minParams', min: 10 },
          { kind: 'outputShape', shape: [10] },
          { kind: 'nodeAfter', type: 'dense', after: 'flatten' },
          { kind: 'testAccuracy', min: 0.95, dataset: 'mnist', maxEpochs: 3 },
          { kind: 'lab', event: 'sweep', transform: 'rotation' },
          { kind: 'kernel', behaviour: 'verticalEdges' },
        ],
      },
    ],
    ...over,
  };
}

function message(json: unknown): string {
  const r = parseLesson(json);
  if (r.ok) throw new Error('expected a refusal');
  return r.message;
}

/** The lesson with `edit` applied to a deep copy. */
function edited(edit: (l: any) => void): unknown {
  const l = structuredClone(lesson());
  edit(l);
  return l;
}

describe('a valid lesson', () => {
  it('parses, every goal kind, with its graphs read like a graph file', () => {
    const r = parseLesson(lesson());
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    if (!r.ok) return;
    expect(r.lesson.id).toBe('cnn-basics');
    expect(r.lesson.steps.map((s) => s.id)).toEqual(['start', 'skip']);
    expect(r.lesson.steps[0]!.preset).toBe('lenet5');
    expect(r.lesson.steps[1]!.goals).toHaveLength(9);
    expect(r.lesson.steps[1]!.goals[0]).toEqual({ kind: 'nodeType', type: 'conv2d', min: 2, label: 'Two convolutions' });
    const asFile = parseGraphText(lenetText);
    expect(asFile.ok).toBe(true);
    if (asFile.ok) {
      expect(r.lesson.steps[1]!.graph).toEqual(asFile.doc);
      expect(r.lesson.steps[1]!.solution).toEqual(asFile.doc);
    }
  });

  it('the example in docs/lesson-format.md parses', () => {
    const md = readFileSync(join(root, 'docs/lesson-format.md'), 'utf8');
    const r = parseLessonText(/```json\n([\s\S]*?)```/.exec(md)![1]!);
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    if (r.ok) expect(r.lesson.steps.map((s) => s.goals.length)).toEqual([2, 3]);
  });

  it('parses from text, and accepts known presets when a list is given', () => {
    expect(parseLessonText(JSON.stringify(lesson())).ok).toBe(true);
    expect(parseLessonText(JSON.stringify(lesson()), { presets: ['lenet5', 'mlp'] }).ok).toBe(true);
  });
});

describe('structural errors name where they are', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /should hold one JSON object/],
    ['null', null, /should hold one JSON object/],
    ['no format', edited((l) => delete l.format), /no "format": "layerlab-lesson"/],
    ['a graph file', lenet, /its format is "layerlab-graph", expected "layerlab-lesson"/],
    ['a newer version', edited((l) => (l.version = 2)), /version 2, newer than this LayerLab reads \(1\)/],
    ['no title', edited((l) => delete l.title), /^The lesson is not valid: title: /],
    ['a bad id', edited((l) => (l.id = 'a b')), /^The lesson is not valid: id: may only contain letters, digits, _ and -/],
    ['an unknown key', edited((l) => (l.author = 'me')), /^The lesson is not valid: the top level: unknown key "author"\.$/],
    ['no steps', edited((l) => (l.steps = [])), /steps: must hold at least one step/],
    ['a step without goals', edited((l) => delete l.steps[1].goals), /step 2 \("skip"\), goals/],
    ['a step with a bad title', edited((l) => (l.steps[0].title = 7)), /step 1 \("start"\), title/],
    ['a goal without a kind', edited((l) => delete l.steps[1].goals[1].kind), /step 2 \("skip"\), goals\[1\]\.kind: a goal needs a kind \(known: nodeType, skipConnection, /],
    ['an unknown goal kind', edited((l) => (l.steps[1].goals[2] = { kind: 'magic' })), /^The lesson is not valid: step 2 \("skip"\), goals\[2\]\.kind: "magic" is not a goal kind \(known: nodeType, .*, kernel\)\.$/],
    ['an unknown node type', edited((l) => (l.steps[1].goals[0].type = 'conv9d')), /step 2 \("skip"\), goals\[0\]\.type: is not a node type/],
    ['an accuracy in percent', edited((l) => (l.steps[1].goals[6].min = 95)), /goals\[6\]\.min: must be between 0 and 1 \(a fraction, not a percentage\)/],
    ['an unknown dataset', edited((l) => (l.steps[1].goals[6].dataset = 'imagenet')), /goals\[6\]\.dataset/],
    ['an unknown lab', edited((l) => (l.steps[1].goals[7].event = 'magic')), /goals\[7\]\.event/],
    ['an unknown kernel behaviour', edited((l) => (l.steps[1].goals[8].behaviour = 'glow')), /goals\[8\]\.behaviour/],
    ['a fractional count', edited((l) => (l.steps[1].goals[2].max = 1.5)), /goals\[2\]\.max: must be a whole number/],
    ['an empty output shape', edited((l) => (l.steps[1].goals[4].shape = [])), /goals\[4\]\.shape: must not be empty/],
    ['an extra key in a goal', edited((l) => (l.steps[1].goals[1].extra = 1)), /step 2 \("skip"\), goals\[1\]: unknown key "extra"/],
    ['duplicate step ids', edited((l) => (l.steps[1].id = 'start')), /step 2 \("start"\): another step has the same id/],
    ['a graph and a preset', edited((l) => (l.steps[1].preset = 'mlp')), /step 2 \("skip"\): give either a graph or a preset, not both/],
  ];
  it.each(cases)('%s', (_name, json, re) => {
    expect(message(json)).toMatch(re);
  });

  it('an unknown preset, when the presets are known', () => {
    const r = parseLesson(edited((l) => (l.steps[0].preset = 'alexnet')), { presets: ['lenet5', 'mlp'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('The lesson is not valid: step 1 ("start"): there is no preset "alexnet" (known: lenet5, mlp).');
  });

  it('an invalid step graph names the step and says what is wrong with the graph', () => {
    const bad = edited((l) => (l.steps[1].graph.nodes[1].position = ['left', 0]));
    expect(message(bad)).toMatch(/^The starting graph of step 2 \("skip"\) is not a valid LayerLab graph: .*nodes\[1\]\.position\[0\]/);
    const badSolution = edited((l) => (l.steps[1].solution = { format: 'layerlab-graph', version: 1, nodes: 'no', edges: [] }));
    expect(message(badSolution)).toMatch(/^The solution graph of step 2 \("skip"\) is not a valid LayerLab graph: .*nodes/);
    const notGraph = edited((l) => (l.steps[1].graph = { hello: 1 }));
    expect(message(notGraph)).toMatch(/^The starting graph of step 2 \("skip"\) .*"format": "layerlab-graph"/);
  });

  it('a step graph that migrates from version 1 is accepted', () => {
    const v1 = edited((l) => (l.steps[1].graph = { format: 'layerlab-graph', version: 1, name: 'x', description: '', nodes: [{ id: 'image', type: 'input', params: { shape: [28, 28, 1] } }], edges: [] }));
    const r = parseLesson(v1);
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
  });
});

describe('hostile files', () => {
  it('refuses prototype-polluting keys anywhere, and pollutes nothing', () => {
    const texts = [
      JSON.stringify(lesson()).replace('"summary"', '"__proto__":{"polluted":true},"summary"'),
      JSON.stringify(lesson()).replace('{"kind":"noErrors"}', '{"kind":"noErrors","constructor":{"prototype":{"polluted":true}}}'),
      JSON.stringify(lesson()).replace('"params":{"shape"', '"params":{"__proto__":{"polluted":true},"shape"'),
    ];
    for (const t of texts) {
      const r = parseLessonText(t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/Refusing the key "(__proto__|constructor)" at .* of the lesson: lesson files may not contain __proto__, constructor or prototype keys/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('refuses a file over the size limit before parsing it', () => {
    const r = parseLessonText(' '.repeat(LESSON_LIMITS.maxFileBytes + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^The lesson file is 20\.0 MB; lesson files are at most 20\.0 MB\.$/);
  });

  it('refuses texts, steps, goals and nesting over the limits, quickly', () => {
    const t0 = performance.now();
    expect(message(edited((l) => (l.steps[0].text = 'x'.repeat(LESSON_LIMITS.maxTextLength + 1))))).toMatch(/step 1 \("start"\), text: must be at most/);
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: `s${i}`, title: 't', text: '', goals: [] }));
    expect(message(lesson({}, many))).toMatch(/100,000 steps; a lesson holds at most 100/);
    expect(message(edited((l) => (l.steps[0].goals = Array.from({ length: 100_000 }, () => ({ kind: 'noErrors' })))))).toMatch(/step 1 \("start"\), goals: may hold at most 50 goals/);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(message(edited((l) => (l.steps[0].goals[0].label = deep)))).toMatch(/nested more than 40 levels deep/);
    expect(message(edited((l) => (l.summary = 'x'.repeat(LESSON_LIMITS.maxSummaryLength + 1))))).toMatch(/summary: must be at most 5,000 characters/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('never throws on odd values', () => {
    for (const v of [undefined, 0, 'lesson', true, [], {}, { format: 'layerlab-lesson' }, { format: 'layerlab-lesson', version: 1, steps: 'x' }]) {
      expect(() => parseLesson(v)).not.toThrow();
      expect(parseLesson(v).ok).toBe(false);
    }
    expect(parseLessonText('{not json').ok).toBe(false);
    const r = parseLessonText('{not json');
    if (!r.ok) expect(r.message).toMatch(/^The lesson file is not valid JSON/);
  });
});
