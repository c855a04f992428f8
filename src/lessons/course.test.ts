/**
 * The built-in course (lessons/*.json): every lesson reads with the lesson parser, every step's
 * graph or preset is a valid graph, every solution meets its step's graph goals (and the starting
 * graph does not: the step asks for work), and everything a goal names exists in the app.
 */
import { describe, expect, it } from 'vitest';
import { getNodeDef } from '../../nodes/registry';
import { findPreset } from '../app/presets';
import { analyzeGraph } from '../graph/analyze';
import { lockViolation } from '../graph/locks';
import { DATASETS, TRAINING_DEFAULTS } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import { KERNEL_PRESETS } from '../labs/convolve';
import { TRANSFORM_KINDS } from '../labs/transforms';
import { COURSE_ORDER, courseEntries } from './course';
import { checkGoal, kernelBehaviour } from './goals';
import { parseMarkdown, type MdBlock, type MdInline } from './markdown';
import type { Goal, GoalContext, KernelBehaviour, Lesson, LessonStep } from './types';

const GRAPH_GOALS = new Set<Goal['kind']>(['nodeType', 'skipConnection', 'maxParams', 'minParams', 'outputShape', 'nodeAfter', 'noErrors']);
const ctxOf = (doc: GraphDoc): GoalContext => ({ doc, analysis: analyzeGraph(doc), runs: [], labs: [] });

// Unreadable lessons fail the first test (with the parser's message) rather than the whole file.
const lessons: Lesson[] = courseEntries().flatMap((c) => (c.ok ? [c.lesson] : []));
const steps: [string, LessonStep][] = lessons.flatMap((l) => l.steps.map((s): [string, LessonStep] => [`${l.id}/${s.id}`, s]));

function startGraph(step: LessonStep): GraphDoc | undefined {
  if (step.graph) return step.graph;
  if (step.preset) {
    const p = findPreset(step.preset);
    return p?.ok ? p.doc : undefined;
  }
  return undefined;
}

describe('the built-in course', () => {
  it('has the nine lessons of the lecture, in order, each read by the lesson parser', () => {
    expect(courseEntries().map((c) => [c.id, c.ok ? 'ok' : c.message])).toEqual(COURSE_ORDER.map((id) => [id, 'ok']));
    for (const l of lessons) {
      expect(l.steps.length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.steps.length, l.id).toBeLessThanOrEqual(4);
      expect(new Set(l.steps.map((s) => s.id)).size, `${l.id}: step ids repeat`).toBe(l.steps.length);
      for (const s of l.steps) expect(s.goals.length, `${l.id}/${s.id} has no goals`).toBeGreaterThan(0);
    }
  });

  it.each(steps)('%s: its starting graph or preset is a valid graph', (_, step) => {
    if (step.preset) {
      const p = findPreset(step.preset);
      expect(p, `no preset "${step.preset}"`).toBeDefined();
      expect(p!.ok ? 'ok' : p!.message).toBe('ok');
    }
    const doc = startGraph(step);
    if (doc) {
      // A starting graph may be unfinished on purpose (that is the exercise), but every node must be known.
      const a = analyzeGraph(doc);
      expect(a.nodes.size).toBe(doc.nodes.length);
    }
  });

  it.each(steps.filter(([, s]) => s.solution))('%s: the solution meets every graph goal; the starting graph leaves work to do', (_, step) => {
    const solved = analyzeGraph(step.solution!);
    expect(solved.ok, JSON.stringify(solved.diagnostics.filter((d) => d.severity === 'error'))).toBe(true);
    const graphGoals = step.goals.filter((g) => GRAPH_GOALS.has(g.kind));
    expect(graphGoals.length).toBeGreaterThan(0);
    for (const g of graphGoals) {
      const st = checkGoal(g, ctxOf(step.solution!));
      expect(st.state, `${st.label}: ${st.detail}`).toBe('met');
    }
    const start = startGraph(step);
    if (start) {
      const unmet = graphGoals.filter((g) => checkGoal(g, ctxOf(start)).state !== 'met');
      expect(unmet.length, 'the starting graph already meets every goal').toBeGreaterThan(0);
      // The learner can get there in learner mode: no lock of the starting graph refuses the change.
      const locked = new Map(start.nodes.filter((n) => n.locked).map((n) => [n.id, n]));
      const solution = { ...step.solution!, nodes: step.solution!.nodes.map((n) => (locked.has(n.id) ? { ...n, locked: true } : n)) };
      expect(lockViolation(start, solution)).toBeUndefined();
    }
  });

  it.each(steps.filter(([, s]) => s.preset && !s.solution))('%s: the preset it loads meets its graph goals', (_, step) => {
    const doc = startGraph(step)!;
    for (const g of step.goals.filter((x) => GRAPH_GOALS.has(x.kind))) {
      const st = checkGoal(g, ctxOf(doc));
      expect(st.state, `${st.label}: ${st.detail}`).toBe('met');
    }
  });

  it('names only datasets, transforms, lab events and kernel behaviours that exist, with reachable epochs', () => {
    for (const [name, step] of steps) {
      const doc = startGraph(step);
      for (const g of step.goals) {
        if (g.kind === 'testAccuracy') {
          expect(DATASETS as readonly string[], name).toContain(g.dataset);
          expect(g.min, name).toBeGreaterThan(0);
          expect(g.min, name).toBeLessThan(1);
          // The epochs the step's own graph trains for (or the default) fit within the goal.
          if (g.maxEpochs !== undefined) expect(doc?.training?.epochs ?? TRAINING_DEFAULTS.epochs, name).toBeLessThanOrEqual(g.maxEpochs);
          if (doc?.training?.dataset) expect(doc.training.dataset, name).toBe(g.dataset);
        }
        if (g.kind === 'lab' && g.transform !== undefined) expect(TRANSFORM_KINDS as readonly string[], name).toContain(g.transform);
        if (g.kind === 'nodeType') expect(getNodeDef(g.type), `${name}: no node type "${g.type}"`).toBeDefined();
        if (g.kind === 'nodeAfter') for (const t of [g.type, g.after]) expect(getNodeDef(t), `${name}: no node type "${t}"`).toBeDefined();
      }
    }
  });

  it('asks for kernels that the kernel lab presets the text names really are', () => {
    const behaviour = (id: string) => {
      const k = KERNEL_PRESETS.find((p) => p.id === id)!.kernel;
      return kernelBehaviour(Array.from({ length: k.h }, (_, y) => [...k.values.slice(y * k.w, (y + 1) * k.w)]));
    };
    const asked = new Set(steps.flatMap(([, s]) => s.goals.filter((g): g is Extract<Goal, { kind: 'kernel' }> => g.kind === 'kernel').map((g) => g.behaviour)));
    const named: Record<string, KernelBehaviour> = { 'box-blur': 'blur', gaussian: 'blur', 'sobel-x': 'verticalEdges', 'sobel-y': 'horizontalEdges' };
    for (const [id, b] of Object.entries(named)) expect(behaviour(id), id).toContain(b);
    for (const b of asked) expect(Object.values(named), `no preset shows ${b}`).toContain(b);
    // The hand-typed kernels of lesson 1: nine times 0.111, and Sobel x turned on its side.
    expect(kernelBehaviour([[0.111, 0.111, 0.111], [0.111, 0.111, 0.111], [0.111, 0.111, 0.111]])).toContain('blur');
    expect(kernelBehaviour([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])).toContain('horizontalEdges');
    expect(kernelBehaviour([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])).not.toContain('verticalEdges');
  });

  it('writes every text in the safe markdown: no raw HTML, links only to http(s) or in-page anchors', () => {
    const inlineText = (c: MdInline[]): string => c.map((x) => (x.t === 'text' || x.t === 'code' ? x.v : x.t === 'link' ? inlineText(x.c) : inlineText(x.c))).join('');
    const links = (b: MdBlock[]): string[] =>
      b.flatMap((x) => {
        const walk = (c: MdInline[]): string[] => c.flatMap((i) => (i.t === 'link' ? [i.href, ...walk(i.c)] : i.t === 'strong' || i.t === 'em' ? walk(i.c) : []));
        return x.t === 'p' || x.t === 'h' ? walk(x.c) : x.t === 'ul' || x.t === 'ol' ? x.items.flatMap(walk) : [];
      });
    for (const l of lessons) {
      expect(l.summary).not.toMatch(/[<>]/);
      for (const s of l.steps) {
        expect(s.text, `${l.id}/${s.id}`).not.toMatch(/<\/?[a-z]/i);
        const blocks = parseMarkdown(s.text);
        expect(blocks.length).toBeGreaterThan(0);
        for (const href of links(blocks)) expect(href).toMatch(/^(https:\/\/|#)/);
        // No bold or italic marker left unparsed.
        const shown = blocks.map((b) => (b.t === 'p' || b.t === 'h' ? inlineText(b.c) : b.t === 'pre' ? '' : b.items.map(inlineText).join(' '))).join(' ');
        expect(shown, `${l.id}/${s.id}`).not.toContain('**');
      }
    }
  });
});
